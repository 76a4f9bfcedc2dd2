"""Phase transitions, guarded so that terminal phases never change again."""
from django.db import transaction
from django.utils import timezone

from executions.models import AgentExecution, EventType, Phase
from executions.selectors import RunConfig, execution_run_config
from executions.services.events import NewEvent, events_append_locked


def execution_phase_set(
    *,
    execution_id,
    phase: Phase | str,
    error: str = "",
    output: str | None = None,
    usage: dict | None = None,
    details: dict | None = None,
    preceding: list[NewEvent] = (),
    following: list[NewEvent] = (),
) -> bool:
    """Move an execution to `phase`; returns False when nothing changed.

    Idempotent (the same phase twice is a no-op) and terminal-guarded, so the
    runner, the workflow's local activity and a cancel can all report the end
    without racing each other into a wrong final state. Steps that belong
    with the move (the last answer before COMPLETED, the first message after
    IN_PROGRESS) are written in the same transaction, or not at all.
    """
    with transaction.atomic():
        execution = AgentExecution.objects.select_for_update().get(pk=execution_id)
        return _phase_move(
            execution, phase, error=error, output=output, usage=usage, details=details,
            preceding=preceding, following=following,
        )


def execution_run_start(*, execution_id, following: list[NewEvent], details: dict | None = None) -> RunConfig:
    """The runner's start: its configuration read, and IN_PROGRESS with the
    first message written, in one transaction. A terminal execution is left
    as it is: the phase in the result tells the runner to run nothing."""
    with transaction.atomic():
        execution = (
            AgentExecution.objects.select_for_update(of=("self",)).select_related("agent").get(pk=execution_id)
        )
        _phase_move(execution, Phase.IN_PROGRESS, details=details, following=following)
        return execution_run_config(execution=execution)


def _phase_move(
    execution: AgentExecution, phase, *, error="", output=None, usage=None, details=None,
    preceding=(), following=(),
) -> bool:
    """execution_phase_set's move, under the caller's row lock."""
    if execution.is_terminal or execution.phase == phase:
        return False
    now = timezone.now()
    fields: dict = {"phase": phase, "updated_at": now}
    if phase == Phase.IN_PROGRESS and execution.phase != Phase.WAITING_APPROVAL:
        fields["started_at"] = now  # a resumed run keeps its start
    if phase in Phase.terminal():
        fields["completed_at"] = now
    if error:
        fields["error"] = error.replace("\x00", "\ufffd")
    if output is not None:
        fields["output"] = output.replace("\x00", "\ufffd")
    if usage:
        fields.update(_usage_fields(usage))
    data = {"phase": str(phase), "at": now.isoformat(), **(details or {})}
    if error:
        data["error"] = error
    events = [*preceding, NewEvent(EventType.PHASE, data), *following]
    events_append_locked(execution=execution, events=events, fields=fields)
    execution.phase = phase
    return True


def _usage_fields(usage: dict) -> dict:
    input_tokens = int(usage.get("input_tokens", 0))
    output_tokens = int(usage.get("output_tokens", 0))
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": int(usage.get("total_tokens", input_tokens + output_tokens)),
    }
