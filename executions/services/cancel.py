"""Cancelling an execution, and the children of one that ended."""
import logging

from executions.errors import ExecutionNotCancellable
from executions.models import AgentExecution, Phase
from executions.services.phases import execution_phase_set
from executions.services.turns import session_turn_advance
from executions.services.workflows import execution_workflow_cancel

logger = logging.getLogger(__name__)


def execution_children_cancel(*, execution_id) -> list[str]:
    """Cancel a parent's unfinished children (each cancels its own in turn,
    from its run); the ids of those asked to stop."""
    cancelled = []
    children = AgentExecution.objects.filter(parent_id=execution_id).exclude(phase__in=Phase.terminal())
    for child in children:
        try:
            execution_cancel(execution=child)
        except ExecutionNotCancellable:
            continue  # it finished meanwhile
        except Exception:  # noqa: BLE001 - Temporal unreachable: the others still get their cancel
            logger.warning("cancelling child %s of %s failed", child.pk, execution_id, exc_info=True)
            continue
        cancelled.append(str(child.pk))
    return cancelled


def execution_cancel(*, execution: AgentExecution) -> AgentExecution:
    """Cancel: a PENDING execution at once; a running one through Temporal."""
    execution.refresh_from_db()
    if execution.is_terminal:
        raise ExecutionNotCancellable(
            f"Execution {execution.pk} is already {execution.phase} and cannot be cancelled."
        )
    if execution.phase == Phase.PENDING and execution.workflow_started_at is None:
        if execution_phase_set(execution_id=execution.pk, phase=Phase.CANCELLED):
            # It never ran, so no workflow will hand its session over.
            session_turn_advance(session_id=execution.session_id)
            execution.refresh_from_db()
            return execution
    execution_workflow_cancel(execution=execution)
    execution.refresh_from_db()
    return execution
