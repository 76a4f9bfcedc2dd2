"""OpenTelemetry tracing, in one place: on only when an OTLP endpoint is set.

With `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)
set, each process that calls `tracing_setup` (web, workers, run_agent)
exports its spans by OTLP/HTTP in batches, as its service (`stigmer-web`,
`stigmer-orchestration`, `stigmer-runner`, … or OTEL_SERVICE_NAME). Without
it nothing is installed: no middleware, no Temporal interceptor, no span
objects; `span()` is a null context and executions record no trace.

One trace per execution: the request (or admin action) that creates it, its
`execution.create` span, whose W3C traceparent the execution keeps (so the
reconciler's later start joins the same trace), the workflow start, the
workflow and both activities (Temporal's TracingInterceptor carries the
context in headers), and in the runner every model call and tool call.
"""
import atexit
from contextlib import contextmanager, nullcontext

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from stigmer.config import env

_provider = None


def tracing_configured() -> bool:
    return bool(env("OTEL_EXPORTER_OTLP_ENDPOINT") or env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def tracing_enabled() -> bool:
    return _provider is not None


def tracing_setup(service_name: str) -> bool:
    """Install the OTLP exporter for this process, once; False when off."""
    global _provider
    if _provider is not None or not tracing_configured():
        return _provider is not None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    name = env("OTEL_SERVICE_NAME") or service_name
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    atexit.register(provider.shutdown)  # the last batch leaves before the process does
    _provider = provider
    return True


def tracer() -> trace.Tracer:
    return trace.get_tracer("stigmer")


def span(name: str, attributes: dict | None = None):
    """A span that is current inside the block; nothing at all when off."""
    if _provider is None:
        return nullcontext()
    return tracer().start_as_current_span(name, attributes=attributes)


def traceparent_current() -> str:
    """The current span's W3C traceparent ("" when off or outside a span)."""
    if _provider is None:
        return ""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent", "")


def trace_id_of(traceparent: str) -> str:
    parts = traceparent.split("-")
    return parts[1] if len(parts) == 4 else ""


@contextmanager
def attached(traceparent: str):
    """Make the span a traceparent names the current parent in this block
    (another thread, a later process): what is started inside joins its trace."""
    if _provider is None or not traceparent:
        yield
        return
    token = otel_context.attach(propagate.extract({"traceparent": traceparent}))
    try:
        yield
    finally:
        otel_context.detach(token)
