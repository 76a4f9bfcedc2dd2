"""Which execution log events are webhook events, and the body each one sends.

Mapped by the log event's type as a string: phase changes to a terminal phase
are `execution.*`; `approval_requested` / `approval_decided` log events are
`approval.*`. The event id is a pure function of the log event (execution id
and sequence), so an event can never be queued twice under two ids.
"""
import json
import uuid
from dataclasses import dataclass

from executions.models import AgentExecution, ExecutionEvent, WebhookEvent

# Fixed forever: receivers dedupe on the ids derived from it.
EVENT_ID_NAMESPACE = uuid.UUID("6f1d8f4e-3b0a-5c1e-9a57-2f4d0c8e7b13")

PHASE_EVENTS = {
    "COMPLETED": WebhookEvent.EXECUTION_COMPLETED,
    "FAILED": WebhookEvent.EXECUTION_FAILED,
    "CANCELLED": WebhookEvent.EXECUTION_CANCELLED,
}
LOG_EVENTS = {
    "approval_requested": WebhookEvent.APPROVAL_REQUESTED,
    "approval_decided": WebhookEvent.APPROVAL_DECIDED,
}


@dataclass(frozen=True)
class WebhookEventOut:
    id: uuid.UUID
    type: str
    log_event: ExecutionEvent


def webhook_event_type(event: ExecutionEvent) -> str | None:
    """The webhook event a log event is, or None (most are none)."""
    if event.type == "phase":
        return PHASE_EVENTS.get(str(event.data.get("phase", "")))
    return LOG_EVENTS.get(str(event.type))


def webhook_events_of(events: list[ExecutionEvent]) -> list[WebhookEventOut]:
    out = []
    for event in events:
        if kind := webhook_event_type(event):
            event_id = uuid.uuid5(EVENT_ID_NAMESPACE, f"{event.execution_id}/{event.sequence}")
            out.append(WebhookEventOut(event_id, str(kind), event))
    return out


def _execution_data(execution: AgentExecution) -> dict:
    owner = execution.owner
    return {
        "id": str(execution.pk),
        "agent": execution.agent.slug,
        "session": str(execution.session_id) if execution.session_id else None,
        "owner": owner.get_username() if owner is not None else None,
        "parent": str(execution.parent_id) if execution.parent_id else None,
        "phase": execution.phase,
        "output": execution.output,
        "error": execution.error,
        "usage": {
            "input_tokens": execution.input_tokens,
            "output_tokens": execution.output_tokens,
            "total_tokens": execution.total_tokens,
        },
        "created_at": _iso(execution.created_at),
        "started_at": _iso(execution.started_at),
        "completed_at": _iso(execution.completed_at),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def webhook_body(event: WebhookEventOut, *, execution: AgentExecution) -> str:
    """The JSON text sent (and signed) for this event: its id and type, when it
    happened, the execution as it stands after the event, and for approvals the
    log event's own data (tool, call id, arguments, decision)."""
    data: dict = {"execution": _execution_data(execution)}
    if event.type.startswith("approval."):
        data["approval"] = event.log_event.data
    body = {
        "id": str(event.id),
        "type": event.type,
        "created_at": _iso(event.log_event.created_at),
        "data": data,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True, default=str)
