"""Creating, cancelling and reconciling executions."""
import logging
from dataclasses import dataclass, field


from executions.errors import ExecutionNotCancellable
from executions.models import Agent, AgentExecution, Phase, Session
from executions.services.cancel import execution_cancel, execution_children_cancel  # noqa: F401 - re-exported
from executions.services.repair import executions_repair
from executions.services.turns import SESSION_WAIT_REASON, session_turn_advance, sessions_waiting
from executions.services.webhook_deliveries import webhook_deliveries_start_unstarted
from executions.temporal.config import temporal_config
from executions.services.workflows import execution_workflow_start

logger = logging.getLogger(__name__)


def execution_create(
    *,
    agent: Agent,
    message: str,
    owner=None,
    session: Session | None = None,
    model: str = "",
    parent: AgentExecution | None = None,
    multitask_strategy: str = "",
) -> AgentExecution:
    """Create an execution; the create pipeline (post_save) validates it,
    fills defaults and starts its workflow after commit (or queues it behind
    its session's unfinished turn; SessionBusy for `reject`).

    A delegation's child names its `parent`: it belongs to the parent's owner
    and runs one level deeper (on that depth's runner queue)."""
    execution = AgentExecution(
        agent=agent, message=message, owner=owner, session=session, model=model,
        multitask_strategy=multitask_strategy,
        parent=parent, depth=parent.depth + 1 if parent is not None else 0,
    )
    if parent is not None:
        execution.owner_id = parent.owner_id
    execution.save()
    return execution


def session_turns_interrupt(*, execution: AgentExecution, ahead: list) -> None:
    """`interrupt`, after the new turn's commit: cancel the earlier turns (a
    running one keeps its transcript and ends CANCELLED); the last of them to
    end hands the session to the new turn."""
    # Latest first: the queued turns are cancelled while the running one still
    # holds the session, so its hand-off goes straight to the new turn.
    for pk in reversed(ahead):
        earlier = AgentExecution.objects.filter(pk=pk).first()
        if earlier is None:
            continue
        try:
            execution_cancel(execution=earlier)
        except ExecutionNotCancellable:
            continue  # it ended on its own meanwhile
        except Exception as exc:  # noqa: BLE001 - Temporal down: the new turn waits its turn
            logger.warning(
                "interrupt of %s for %s failed: %s", pk, execution.pk, exc,
                extra={"execution_id": str(execution.pk)},
            )


@dataclass
class ReconcileReport:
    repaired: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    still_pending: list[str] = field(default_factory=list)
    deliveries_started: list[str] = field(default_factory=list)


def executions_reconcile() -> ReconcileReport:
    """Repair records that disagree with Temporal, then start every PENDING
    execution, and every webhook delivery, whose workflow never started,
    oldest first."""
    report = ReconcileReport()
    try:
        report.repaired = executions_repair(grace_seconds=temporal_config().repair_grace)
    except Exception as exc:  # noqa: BLE001 - Temporal down: starting will say so too
        logger.warning("repair pass skipped: %s", exc)
    # Queued turns whose earlier turns ended without a hand-off.
    for session_id in sessions_waiting():
        started = session_turn_advance(session_id=session_id)
        if started:
            report.started.append(started)
    pending = (
        AgentExecution.objects.filter(phase=Phase.PENDING, workflow_started_at__isnull=True)
        .exclude(start_error=SESSION_WAIT_REASON)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    for execution_id in pending:
        if execution_workflow_start(execution_id=execution_id):
            report.started.append(str(execution_id))
        else:
            report.still_pending.append(str(execution_id))
    report.deliveries_started = webhook_deliveries_start_unstarted()
    return report
