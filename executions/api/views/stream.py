"""GET /executions/{id}/stream/: the event log as Server-Sent Events.

The view itself is a DRF view (same auth, 404 rules and error shape as the rest
of the API); the body is an async generator, so under ASGI a waiting client holds
no thread: it waits on the channel layer (executions/live/reader.py).
"""
import json
import time

from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from executions.api.selectors import execution_list_for
from executions.api.views.base import SingleValuedQueryMixin
from executions.api.serializers.events import EVENT_DATA_DOC
from executions.api.views.tickets import LiveTicketAuthentication
from executions.live.reader import follow

STREAM_DOC = f"""Server-Sent Events, one per logged event, in sequence order:

```
id: <sequence>
event: <type>
data: {{"sequence", "type", "data", "created_at"}}
```

Resumes after the `Last-Event-ID` header (or `?after=N`); lines starting with `:` are
keep-alives. A streaming answer arrives token by token as `event: token` with
`data: {{"delta": "…"}}` and no id (tokens are not persisted; the complete message
follows as a `message` event). The stream ends after the terminal phase event (COMPLETED, FAILED,
CANCELLED), or after a server time limit, in which case reconnect with Last-Event-ID.

{EVENT_DATA_DOC}"""


class EventStreamRenderer(BaseRenderer):
    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


def sse_format(frame: dict) -> str:
    if frame["type"] == "token":  # streamed, never persisted: no id to resume from
        return f"event: token\ndata: {json.dumps({'delta': frame['delta']})}\n\n"
    payload = {key: frame[key] for key in ("sequence", "type", "data", "created_at")}
    return f"id: {frame['sequence']}\nevent: {frame['type']}\ndata: {json.dumps(payload)}\n\n"


async def event_stream(execution_id, after: int):
    """Pushed from the channel layer through the one log reader, like the
    WebSocket: an idle stream makes no query, only keep-alives."""
    deadline = time.monotonic() + settings.STIGMER_SSE_MAX_SECONDS
    yield "retry: 1000\n: connected\n\n"
    frames = follow(
        execution_id, layer=get_channel_layer(), after=after, idle=settings.STIGMER_SSE_KEEPALIVE_SECONDS
    )
    async for frame in frames:
        yield ": keep-alive\n\n" if frame is None else sse_format(frame)
        if time.monotonic() >= deadline:
            await frames.aclose()  # leaves the group now, not at garbage collection
            return


def _sequence(raw: str | None, name: str) -> int | None:
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit() and int(raw) < 2**31):
        raise ValidationError({name: ["Expected a non-negative integer sequence number."]})
    return int(raw)


def _resume_point(request) -> int:
    """Last-Event-ID wins over ?after=; both are validated."""
    header = _sequence(request.headers.get("Last-Event-ID"), "Last-Event-ID")
    query = _sequence(request.query_params.get("after"), "after")
    return header if header is not None else (query or 0)


class ExecutionStreamView(SingleValuedQueryMixin, APIView):
    renderer_classes = [JSONRenderer, EventStreamRenderer]
    authentication_classes = [*api_settings.DEFAULT_AUTHENTICATION_CLASSES, LiveTicketAuthentication]

    def get_object(self):
        try:
            return get_object_or_404(execution_list_for(user=self.request.user), pk=self.kwargs["id"])
        except (DjangoValidationError, ValueError) as exc:
            raise NotFound() from exc

    @extend_schema(
        tags=["executions"],
        operation_id="executions_stream",
        description=STREAM_DOC,
        parameters=[
            OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH),
            OpenApiParameter("after", OpenApiTypes.INT, description="Resume after this sequence"),
            OpenApiParameter(
                "ticket", OpenApiTypes.STR,
                description="A live ticket (POST /api/v1/live-tickets/), for clients that cannot send headers",
            ),
            OpenApiParameter(
                "Last-Event-ID", OpenApiTypes.INT, OpenApiParameter.HEADER,
                description="Resume after this sequence (wins over ?after)",
            ),
        ],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                response=OpenApiTypes.STR, description="The event stream"
            )
        },
    )
    def get(self, request, id=None):
        execution = self.get_object()
        after = _resume_point(request)
        response = StreamingHttpResponse(
            event_stream(execution.pk, after), content_type="text/event-stream"
        )
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        # Errors are JSON in the shared shape, whatever the client accepts.
        if not isinstance(response, StreamingHttpResponse):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
