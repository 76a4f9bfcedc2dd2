"""The runner's two activities, named exactly as the contract says."""
import logging

from temporalio import activity
from temporalio.exceptions import ApplicationError

from executions.services.sessions import SessionNotFound, session_thread_ensure
from executions.temporal.contract import (
    ENSURE_THREAD,
    EXECUTE_GRAPHTON,
    AgentExecutionInput,
    ExecutionStatus,
)
from runner.db import db
from runner.execution import run_execution
from stigmer.logs import log_context

logger = logging.getLogger(__name__)


@activity.defn(name=ENSURE_THREAD)
async def ensure_thread(session_id: str, agent_id: str) -> str:
    try:
        return await db(session_thread_ensure)(session_id=session_id, agent_id=agent_id)
    except SessionNotFound as exc:
        raise ApplicationError(str(exc), non_retryable=True) from exc


@activity.defn(name=EXECUTE_GRAPHTON)
async def execute_graphton(execution: AgentExecutionInput, thread_id: str) -> ExecutionStatus:
    with log_context(execution_id=execution.execution_id, workflow_id=activity.info().workflow_id):
        logger.info("agent run starting on thread %s", thread_id)
        status = await run_execution(execution, thread_id)
        logger.info("agent run finished: %s", status.phase)
        return status
