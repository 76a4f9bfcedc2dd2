"""One turn at a time per session: turn numbers, strategies and the hand-off.

The order of a session's turns is their `turn` number, handed out by the
create pipeline under the session's lock (incrementing `Session.last_turn`
is an UPDATE of the row: PostgreSQL's row lock, SQLite's write lock), so two
processes creating turns at once are serialised and cannot both think they
are first. A turn created while an earlier one is unfinished is queued:
PENDING with SESSION_WAIT_REASON as its start_error and no workflow.

A turn's workflow is started only when every earlier turn has ended. The
ending turn's workflow hands off (its AdvanceSessionTurn local activity,
durable in its history: a worker that dies before it ran re-runs it on
replay); the reconciler does the same for turns that ended without their
workflow's code running (a run timeout, a cancel before the start, a repair).
Starting is idempotent (the workflow id is a pure function of the
execution), so the hand-off and the reconciler may race: it runs once.
"""
from django.db import transaction
from django.db.models import F

from executions.errors import SessionBusy
from executions.models import AgentExecution, EventType, MultitaskStrategy, Phase, Session
from executions.services.events import NewEvent, execution_event_append_locked
from executions.services.workflows import execution_workflow_start

SESSION_WAIT_REASON = "waiting for the previous turn of this session"
HANDED_OFF = "the previous turn of this session ended; starting"


def _session_lock(session_id) -> int | None:
    """Take the session's lock for this transaction and the next turn number.

    An UPDATE rather than SELECT … FOR UPDATE: the execution insert holds a
    KEY SHARE lock on the session (its foreign key), which FOR UPDATE would
    wait on, deadlocking two creates; UPDATE's lock does not conflict with it.
    """
    if not Session.objects.filter(pk=session_id).update(last_turn=F("last_turn") + 1):
        return None
    return Session.objects.filter(pk=session_id).values_list("last_turn", flat=True).get()


def unfinished_turns(session_id):
    return AgentExecution.objects.filter(session_id=session_id).exclude(phase__in=Phase.terminal())


def session_turn_strategy(execution: AgentExecution) -> str:
    return execution.multitask_strategy or execution.agent.multitask_strategy


def _busy_message(execution: AgentExecution, earlier, phase: str) -> str:
    return (
        f"Session {execution.session_id} is busy: execution {earlier} is still {phase}. "
        "Wait for it to finish, or send with multitask_strategy enqueue or interrupt."
    )


def session_turn_precheck(execution: AgentExecution) -> None:
    """For forms: the `reject` refusal as a field error, before the save."""
    from django.core.exceptions import ValidationError

    if not execution.session_id or session_turn_strategy(execution) != MultitaskStrategy.REJECT:
        return
    earlier = unfinished_turns(execution.session_id).values_list("pk", "phase").last()
    if earlier:
        raise ValidationError({"session": _busy_message(execution, *earlier)})


def session_turn_claim(execution: AgentExecution) -> tuple[dict, list]:
    """Number the new turn of an existing session and apply its strategy.

    Runs inside the create transaction, which keeps the session locked until
    it commits. Returns the execution's fields to persist and the ids of the
    earlier unfinished turns it must wait for (empty: it runs now). Raises
    SessionBusy for `reject`.
    """
    strategy = session_turn_strategy(execution)
    turn = _session_lock(execution.session_id)
    ahead = list(
        unfinished_turns(execution.session_id).exclude(pk=execution.pk)
        .order_by(F("turn").asc(nulls_first=True), "created_at").values_list("pk", "phase")
    )
    if ahead and strategy == MultitaskStrategy.REJECT:
        raise SessionBusy(_busy_message(execution, *ahead[-1]))
    fields = {"turn": turn, "multitask_strategy": strategy}
    if ahead:
        fields["start_error"] = SESSION_WAIT_REASON
    return fields, [pk for pk, _ in ahead]


def session_turn_waiting_events(ahead: list) -> list[NewEvent]:
    if not ahead:
        return []
    return [NewEvent(EventType.SYSTEM, {"message": SESSION_WAIT_REASON, "waiting_for": [str(pk) for pk in ahead]})]


def session_turn_advance(*, session_id) -> str | None:
    """Start the session's head (its earliest unfinished turn) if its workflow
    has not started; returns its id when this call started it."""
    with transaction.atomic():
        if _session_lock_only(session_id) is None:
            return None
        head = (
            unfinished_turns(session_id).order_by(F("turn").asc(nulls_first=True), "created_at")
            .select_for_update(of=("self",)).first()
        )
        if head is None or head.phase != Phase.PENDING or head.workflow_started_at:
            return None
        if head.start_error == SESSION_WAIT_REASON:
            # Under both locks: the reason goes, so a second advancer (or the
            # reconciler) sees a turn already handed over and does not say it twice.
            execution_event_append_locked(
                execution=head, type=EventType.SYSTEM, data={"message": HANDED_OFF},
            )
            AgentExecution.objects.filter(pk=head.pk).update(start_error="")
    # Also for a head handed over but not started (a worker that died between
    # the two re-runs this on replay): starting is idempotent.
    return str(head.pk) if execution_workflow_start(execution_id=head.pk) else None


def _session_lock_only(session_id):
    """The session's lock without handing out a turn number."""
    return Session.objects.filter(pk=session_id).update(last_turn=F("last_turn")) or None


def sessions_waiting() -> list:
    """Sessions with a queued turn: the reconciler's safety net advances each."""
    return list(
        AgentExecution.objects.filter(
            phase=Phase.PENDING, workflow_started_at__isnull=True, start_error=SESSION_WAIT_REASON
        ).order_by("session_id").values_list("session_id", flat=True).distinct()
    )
