"""The runner's two activities, named exactly as the contract says."""
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


@activity.defn(name=ENSURE_THREAD)
async def ensure_thread(session_id: str, agent_id: str) -> str:
    try:
        return await db(session_thread_ensure)(session_id=session_id, agent_id=agent_id)
    except SessionNotFound as exc:
        raise ApplicationError(str(exc), non_retryable=True) from exc


@activity.defn(name=EXECUTE_GRAPHTON)
async def execute_graphton(execution: AgentExecutionInput, thread_id: str) -> ExecutionStatus:
    return await run_execution(execution, thread_id)
