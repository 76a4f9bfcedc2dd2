"""Reads for the API: the records a user may see, and an execution's transcript."""
from django.db.models import QuerySet

from executions.models import AgentExecution, EventType, ExecutionEvent, Session
from executions.permissions import visible
from executions.selectors import sessions_with_cost


def session_list_for(*, user) -> QuerySet[Session]:
    return sessions_with_cost(visible(Session.objects.select_related("agent"), user=user))


def execution_list_for(*, user) -> QuerySet[AgentExecution]:
    return visible(AgentExecution.objects.select_related("agent"), user=user)


def execution_transcript(*, events: list[ExecutionEvent]) -> tuple[list[dict], list[dict]]:
    """Messages and tool calls (started, then completed or failed) from the event log."""
    messages: list[dict] = []
    calls: dict[str, dict] = {}
    for event in events:
        data = event.data or {}
        if event.type == EventType.MESSAGE:
            messages.append(
                {
                    "sequence": event.sequence,
                    "role": data.get("role", ""),
                    "content": data.get("content", ""),
                    "tool_calls": data.get("tool_calls") or [],
                    "tool_call_id": data.get("tool_call_id"),
                    "created_at": event.created_at,
                }
            )
        elif event.type == EventType.TOOL_CALL_STARTED:
            calls[data.get("id") or f"seq-{event.sequence}"] = {
                "id": data.get("id", ""),
                "name": data.get("name", ""),
                "args": data.get("args") or {},
                "status": "running",
                "result": None,
                "error": None,
                "duration_ms": None,
                "started_sequence": event.sequence,
            }
        elif event.type in (EventType.TOOL_CALL_COMPLETED, EventType.TOOL_CALL_FAILED):
            call = calls.setdefault(
                data.get("id") or f"seq-{event.sequence}",
                {"id": data.get("id", ""), "name": data.get("name", ""), "args": {},
                 "started_sequence": None, "result": None, "error": None},
            )
            failed = event.type == EventType.TOOL_CALL_FAILED
            call["status"] = "failed" if failed else "completed"
            call["result" if not failed else "error"] = data.get("error" if failed else "result")
            call["duration_ms"] = data.get("duration_ms")
    return messages, list(calls.values())
