"""GET /executions/{id}/stream/: the event log as Server-Sent Events.

The view itself is a DRF view (same auth, 404 rules and error shape as the rest
of the API); the body is an async generator, so under ASGI a waiting client holds
no thread: it polls the log through sync_to_async and sleeps in between.
"""
import asyncio
import json
import time

from asgiref.sync import sync_to_async
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
from executions.models import AgentExecution, EventType, Phase
from executions.selectors import execution_events_after

STREAM_DOC = f"""Server-Sent Events, one per logged event, in sequence order:

```
id: <sequence>
event: <type>
data: {{"sequence", "type", "data", "created_at"}}
```

Resumes after the `Last-Event-ID` header (or `?after=N`); lines starting with `:` are
keep-alives. The stream ends after the terminal phase event (COMPLETED, FAILED,
CANCELLED), or after a server time limit, in which case reconnect with Last-Event-ID.

{EVENT_DATA_DOC}"""


class EventStreamRenderer(BaseRenderer):
    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


def sse_format(event) -> str:
    payload = {
        "sequence": event.sequence,
        "type": event.type,
        "data": event.data,
        "created_at": event.created_at.isoformat(),
    }
    return f"id: {event.sequence}\nevent: {event.type}\ndata: {json.dumps(payload)}\n\n"


def _is_terminal_event(event) -> bool:
    return event.type == EventType.PHASE and (event.data or {}).get("phase") in Phase.terminal()


def _poll(execution_id, after: int) -> tuple[list, bool]:
    # The phase is read before the events: the terminal phase and its event
    # commit together, so a terminal phase read first guarantees its event is
    # in the read that follows. Read the other way round, a commit landing
    # between the two reads ended the stream short of its last events.
    phase = AgentExecution.objects.filter(pk=execution_id).values_list("phase", flat=True).first()
    events = execution_events_after(execution_id=execution_id, after=after, limit=500)
    return events, phase is None or phase in Phase.terminal()


async def event_stream(execution_id, after: int):
    poll, keepalive = settings.STIGMER_SSE_POLL_SECONDS, settings.STIGMER_SSE_KEEPALIVE_SECONDS
    deadline = time.monotonic() + settings.STIGMER_SSE_MAX_SECONDS
    last_sent = time.monotonic()
    yield "retry: 1000\n: connected\n\n"
    while time.monotonic() < deadline:
        events, terminal = await sync_to_async(_poll)(execution_id, after)
        for event in events:
            yield sse_format(event)
            after = event.sequence
            last_sent = time.monotonic()
            if _is_terminal_event(event):
                return
        if not events and terminal:
            return  # the terminal event was before `after`: nothing more will come
        if time.monotonic() - last_sent >= keepalive:
            yield ": keep-alive\n\n"
            last_sent = time.monotonic()
        if not events:
            await asyncio.sleep(poll)


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
