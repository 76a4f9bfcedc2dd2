"""A server span per HTTP request, continuing an incoming traceparent.

Installed by settings only when tracing is configured (stigmer/tracing.py),
so a deployment without it runs no code of this module. Async-capable: under
ASGI it adds no thread hop; contextvars carry the span into sync views."""
from asgiref.sync import iscoroutinefunction
from django.utils.decorators import sync_and_async_middleware
from opentelemetry import propagate, trace

from stigmer.tracing import tracer


def _start(request):
    return tracer().start_as_current_span(
        f"{request.method} {request.path}",
        context=propagate.extract(request.headers),
        kind=trace.SpanKind.SERVER,
        attributes={"http.request.method": request.method, "url.path": request.path},
    )


def _finish(span, request, response) -> None:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        route = "/" + match.route.lstrip("^").rstrip("$")  # the router's regex routes are anchored
        span.update_name(f"{request.method} {route}")
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", response.status_code)
    if response.status_code >= 500:
        span.set_status(trace.Status(trace.StatusCode.ERROR))


@sync_and_async_middleware
def tracing_middleware(get_response):
    if iscoroutinefunction(get_response):

        async def middleware(request):
            with _start(request) as span:
                response = await get_response(request)
                _finish(span, request, response)
            return response

    else:

        def middleware(request):
            with _start(request) as span:
                response = get_response(request)
                _finish(span, request, response)
            return response

    return middleware
