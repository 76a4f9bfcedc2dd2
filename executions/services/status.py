"""Applying a final status reported through Temporal."""
from executions.models import AgentExecution, Phase
from executions.services.cancel import execution_children_cancel
from executions.services.phases import execution_phase_set
from executions.temporal.contract import ExecutionStatus


def execution_status_apply(*, execution_id, status: ExecutionStatus) -> bool:
    """Persist the workflow's view of the end (or of a pause for approval); a
    no-op once terminal."""
    # Usually the runner wrote the end already: one read, no transaction, says so.
    current = AgentExecution.objects.filter(pk=execution_id).values_list("phase", flat=True).first()
    if current in Phase.terminal():
        return False
    usage = status.usage
    if status.phase == Phase.WAITING_APPROVAL:
        from executions.services.approvals import execution_approvals_request

        return execution_approvals_request(
            execution_id=execution_id, calls=status.approvals, timeout=status.approval_timeout,
            usage=_usage(usage),
        )
    changed = execution_phase_set(
        execution_id=execution_id,
        phase=status.phase,
        error=status.error,
        output=status.output if status.phase == "COMPLETED" else None,
        usage=_usage(usage),
    )
    if changed and status.phase != "COMPLETED":
        # The run ended without stopping its sub-agents (its worker was lost,
        # or it timed out): nobody waits for their answers any more.
        execution_children_cancel(execution_id=execution_id)
    return changed


def _usage(usage) -> dict | None:
    if not usage.total_tokens:
        return None
    return {
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "total_tokens": usage.total_tokens,
    }
