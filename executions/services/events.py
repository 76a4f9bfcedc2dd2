"""The append-only, sequenced event log of an execution."""
from django.db import transaction
from django.db.models import F

from executions.models import AgentExecution, EventType, ExecutionEvent


def _publish_after_commit(event: ExecutionEvent) -> None:
    from executions.live import event_publish  # the live layer is optional at import time

    transaction.on_commit(lambda: event_publish(event=event))


def execution_event_append(
    *,
    execution_id,
    type: EventType | str,
    data: dict,
    when_terminal: bool = False,
    key: str = "",
) -> ExecutionEvent | None:
    """Append one event with the next sequence number.

    Steps (messages, tool calls, usage) are refused once the execution is
    terminal, so nothing is recorded after a cancel or failure took effect;
    callers that write the terminal phase itself pass when_terminal=True.
    """
    with transaction.atomic():
        execution = (
            AgentExecution.objects.select_for_update()
            .only("id", "phase", "last_sequence")
            .get(pk=execution_id)
        )
        existing = event_with_key(execution_id=execution_id, key=key)
        if existing:
            return existing
        if execution.is_terminal and not when_terminal:
            return None
        return _append_locked(execution, type, data, key)


def event_with_key(*, execution_id, key: str) -> ExecutionEvent | None:
    """The event a writer already appended under this idempotency key, if any."""
    if not key:
        return None
    return ExecutionEvent.objects.filter(execution_id=execution_id, key=key).first()


def _without_nul(value):
    """Tool results and model output may carry NUL characters, which
    PostgreSQL's jsonb refuses; the transcript keeps a visible stand-in."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    return value


def _append_locked(
    execution: AgentExecution, type: str, data: dict, key: str = ""
) -> ExecutionEvent:
    data = _without_nul(data)
    sequence = execution.last_sequence + 1
    AgentExecution.objects.filter(pk=execution.pk).update(last_sequence=F("last_sequence") + 1)
    execution.last_sequence = sequence
    event = ExecutionEvent.objects.create(
        execution_id=execution.pk, sequence=sequence, type=type, data=data, key=key
    )
    _publish_after_commit(event)
    return event


def execution_event_append_locked(
    *, execution: AgentExecution, type: EventType | str, data: dict, key: str = ""
) -> ExecutionEvent:
    """For callers already holding the execution's row lock in a transaction."""
    return _append_locked(execution, type, data, key)
