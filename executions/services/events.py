"""The append-only, sequenced event log of an execution."""
from django.db import IntegrityError, transaction

from executions.models import AgentExecution, EventType, ExecutionEvent
from stigmer.event_log import NewEvent  # noqa: F401  (the runner's vocabulary, re-exported)
from executions.services.webhook_deliveries import webhook_deliveries_record


def _publish_after_commit(events: list[ExecutionEvent], *, owner_id) -> None:
    from executions.live import events_publish  # the live layer is optional at import time

    if events:
        transaction.on_commit(lambda: events_publish(events=events, owner_id=owner_id))


def execution_event_append(
    *, execution_id, type: EventType | str, data: dict, key: str = ""
) -> ExecutionEvent | None:
    """Append one event with the next sequence number: a batch of one.

    Returns the event already written under `key` when there is one, and None
    once the execution is terminal: nothing is recorded after a cancel or a
    failure took effect.
    """
    written = execution_events_append(execution_id=execution_id, events=[NewEvent(type, data, key)])
    return written[0] if written else event_with_key(execution_id=execution_id, key=key)


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


def events_append_locked(
    *, execution: AgentExecution, events: list[NewEvent], fields: dict | None = None
) -> list[ExecutionEvent]:
    """Append a batch under the caller's row lock: one sequence update (plus
    any `fields` of the execution), one insert, one push after commit.

    The one place events are written, so the one place webhook events are
    queued: in this transaction, for the few event kinds that are webhook
    events (services/webhook_deliveries.py)."""
    first = execution.last_sequence + 1
    rows = [
        ExecutionEvent(
            execution_id=execution.pk, sequence=first + i, type=event.type,
            data=_without_nul(event.data), key=event.key,
        )
        for i, event in enumerate(events)
    ]
    # From the locked row, not F(): the caller's record is current, and a
    # new execution's reset to 0 goes in the same UPDATE.
    AgentExecution.objects.filter(pk=execution.pk).update(
        last_sequence=execution.last_sequence + len(rows), **(fields or {})
    )
    execution.last_sequence += len(rows)
    created = ExecutionEvent.objects.bulk_create(rows)
    webhook_deliveries_record(execution_id=execution.pk, events=created)
    # The phase feed is addressed by owner; callers' locked reads include it.
    _publish_after_commit(created, owner_id=execution.owner_id)
    return created


def execution_events_append(
    *, execution_id, events: list[NewEvent], fields: dict | None = None
) -> list[ExecutionEvent]:
    """Append a writer's batch (one step of an agent) in one transaction.

    Idempotent by the batch's keys: a retry after a commit whose reply was
    lost writes nothing twice. Refused, like single steps, once terminal.
    """
    try:
        return _append_batch(execution_id, events, fields, written_keys=False)
    except IntegrityError:
        if not any(event.key for event in events):
            raise
        # A retry of a batch whose first commit went through (its reply was
        # lost, or it landed while this one waited for the lock): the keys,
        # read after the lock, say which events are there already.
        return _append_batch(execution_id, events, fields, written_keys=True)


def _append_batch(execution_id, events, fields, *, written_keys: bool) -> list[ExecutionEvent]:
    with transaction.atomic():
        execution = (
            AgentExecution.objects.select_for_update()
            .only("id", "phase", "last_sequence", "owner_id")
            .get(pk=execution_id)
        )
        keys = [event.key for event in events if event.key]
        done = set(
            ExecutionEvent.objects.filter(execution_id=execution_id, key__in=keys).values_list("key", flat=True)
        ) if written_keys and keys else set()
        todo = [event for event in events if not event.key or event.key not in done]
        if not todo or execution.is_terminal:
            return []
        return events_append_locked(execution=execution, events=todo, fields=fields)


def execution_event_append_locked(
    *, execution: AgentExecution, type: EventType | str, data: dict, key: str = ""
) -> ExecutionEvent:
    """For callers already holding the execution's row lock in a transaction."""
    return events_append_locked(execution=execution, events=[NewEvent(type, data, key)])[0]
