"""The runner's two activities, named exactly as the contract says."""
import logging

from temporalio import activity
from temporalio.converter import value_to_type
from temporalio.exceptions import ApplicationError

from executions.temporal.contract import (
    ENSURE_THREAD,
    EXECUTE_GRAPHTON,
    AgentExecutionInput,
    ApprovalResume,
    ExecutionStatus,
)
from executions.temporal.config import temporal_config
from runner.execution import run_execution
from runner.heartbeat import heartbeating
from runner.platform import SessionNotFound, platform
from stigmer.logs import log_context

logger = logging.getLogger(__name__)


@activity.defn(name=ENSURE_THREAD)
async def ensure_thread(session_id: str, agent_id: str) -> str:
    try:
        return await platform().session_thread(session_id, agent_id)
    except SessionNotFound as exc:
        raise ApplicationError(str(exc), non_retryable=True) from exc


@activity.defn(name=EXECUTE_GRAPHTON)
async def execute_graphton(
    execution: AgentExecutionInput, thread_id: str, resume: ApprovalResume | None = None
) -> ExecutionStatus:
    # Called with two arguments (a first run, as before patch `approvals`), the
    # SDK applies no type hints at all (they are for three): decoded as plain
    # JSON, the input is converted here.
    if isinstance(execution, dict):
        execution = value_to_type(AgentExecutionInput, execution)
    if isinstance(resume, dict):
        resume = value_to_type(ApprovalResume, resume)
    with log_context(execution_id=execution.execution_id, workflow_id=activity.info().workflow_id):
        logger.info("agent run starting on thread %s", thread_id)
        # Beating from the first moment: on a loaded machine the run's first
        # database writes can queue for a while, and a silent start would be
        # mistaken for a lost worker.
        async with heartbeating(temporal_config().heartbeat_interval):
            status = await run_execution(execution, thread_id, resume)
        logger.info("agent run finished: %s", status.phase)
        return status
