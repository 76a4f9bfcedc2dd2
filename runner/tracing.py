"""The runner's spans: one per model call and one per tool call, children of
the activity's span (Temporal's interceptor makes it current), with the
model, token counts, tool name, duration and error.

A LangChain callback handler, so every provider and every tool is covered
without touching them; each retry of a model call is its own span. Only
installed when tracing is on (stigmer/tracing.py)."""
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from opentelemetry import context as otel_context
from opentelemetry import trace

from stigmer.tracing import tracer, tracing_enabled


class SpanCallbacks(BaseCallbackHandler):
    # In the event loop's own thread, in order: spans start and end as the run does.
    run_inline = True

    def __init__(self, *, model_spec: str, execution_id: str, tracer_: trace.Tracer | None = None) -> None:
        self._tracer = tracer_ or tracer()
        self._parent = otel_context.get_current()
        self._provider, _, self._model = model_spec.partition(":")
        self._execution_id = execution_id
        self._spans: dict[UUID, trace.Span] = {}

    def _start(self, run_id: UUID, name: str, attributes: dict) -> None:
        attributes = {"stigmer.execution_id": self._execution_id, **attributes}
        self._spans[run_id] = self._tracer.start_span(
            name, context=self._parent, kind=trace.SpanKind.CLIENT, attributes=attributes
        )

    def _fail(self, run_id: UUID, error: BaseException) -> None:
        span = self._spans.pop(run_id, None)
        if span is not None:
            span.set_attribute("error.type", type(error).__name__)
            span.set_status(trace.Status(trace.StatusCode.ERROR, f"{type(error).__name__}: {error}"[:300]))
            span.end()

    def on_chat_model_start(self, serialized, messages, *, run_id: UUID, **kwargs) -> None:
        self._start(run_id, f"chat {self._model}", {
            "gen_ai.operation.name": "chat", "gen_ai.system": self._provider, "gen_ai.request.model": self._model,
        })  # fmt: skip

    def on_llm_end(self, response, *, run_id: UUID, **kwargs) -> None:
        span = self._spans.pop(run_id, None)
        if span is None:
            return
        message = getattr(response.generations[0][0], "message", None) if response.generations else None
        usage = getattr(message, "usage_metadata", None) or {}
        span.set_attribute("gen_ai.usage.input_tokens", int(usage.get("input_tokens", 0)))
        span.set_attribute("gen_ai.usage.output_tokens", int(usage.get("output_tokens", 0)))
        span.end()

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs) -> None:
        self._fail(run_id, error)

    def on_tool_start(self, serialized, input_str, *, run_id: UUID, **kwargs) -> None:
        name = (serialized or {}).get("name") or kwargs.get("name") or "tool"
        self._start(run_id, f"execute_tool {name}", {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name})

    def on_tool_end(self, output, *, run_id: UUID, **kwargs) -> None:
        span = self._spans.pop(run_id, None)
        if span is None:
            return
        if getattr(output, "status", None) == "error":  # a tool error handed back to the model
            span.set_status(trace.Status(trace.StatusCode.ERROR, str(getattr(output, "content", ""))[:300]))
        span.end()

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs) -> None:
        self._fail(run_id, error)


def run_callbacks(*, model_spec: str, execution_id: str) -> list:
    """The callbacks a run gets: the span handler when tracing is on, none otherwise."""
    return [SpanCallbacks(model_spec=model_spec, execution_id=execution_id)] if tracing_enabled() else []
