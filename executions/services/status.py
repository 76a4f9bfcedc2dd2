"""Applying a final status reported through Temporal."""
from executions.services.phases import execution_phase_set
from executions.temporal.contract import ExecutionStatus


def execution_status_apply(*, execution_id, status: ExecutionStatus) -> bool:
    """Persist the workflow's view of the end; a no-op once terminal."""
    usage = status.usage
    return execution_phase_set(
        execution_id=execution_id,
        phase=status.phase,
        error=status.error,
        output=status.output if status.phase == "COMPLETED" else None,
        usage={
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens,
        }
        if usage.total_tokens
        else None,
    )
