"""Running one execution's agent: the body of ExecuteGraphton."""
import asyncio
import os
import socket
from datetime import datetime, timezone

from langchain_core.messages import HumanMessage
from temporalio import activity
from temporalio.exceptions import ApplicationError

from executions.models import Phase
from executions.services.phases import execution_phase_set, execution_run_start
from executions.temporal.contract import AgentExecutionInput, ExecutionStatus, TokenUsage
from runner.agents import agent_for
from runner.checkpointer import open_checkpointer
from runner.db import db_write
from runner.llms.retry import ModelProviderError, model_call_deadline
from runner.progress import ProgressReporter


async def run_execution(execution: AgentExecutionInput, thread_id: str) -> ExecutionStatus:
    execution_id = execution.execution_id
    reporter = ProgressReporter(execution_id)
    config = await db_write(execution_run_start)(
        execution_id=execution_id,
        details={"runner": f"{os.getpid()}@{socket.gethostname()}"},
        following=reporter.human(execution.message),
    )
    if config.phase in Phase.terminal():
        # Cancelled (or finished) before the runner got to it: run nothing.
        return ExecutionStatus(phase=config.phase)
    async with open_checkpointer() as checkpointer:
        try:
            agent = agent_for(config, checkpointer)
        except ValueError as exc:
            raise ApplicationError(f"agent misconfigured: {exc}", non_retryable=True) from exc
    try:
        with model_call_deadline(_seconds_left()):
            await _run_agent(agent, execution, thread_id, config.max_tool_calls, reporter)
    except asyncio.CancelledError:
        await reporter.flush()
        if not activity.is_worker_shutdown():
            await db_write(execution_phase_set)(execution_id=execution_id, phase=Phase.CANCELLED)
        raise
    except ModelProviderError as exc:
        # Already readable ("model provider openai refused the credentials (401)").
        # Not chained: Temporal would record the SDK's error, and the worker log
        # its traceback, with the provider's message, which may echo the key.
        await reporter.flush()
        raise ApplicationError(str(exc), type="ModelProviderError", non_retryable=True) from None
    except Exception as exc:
        await reporter.flush()
        raise ApplicationError(
            f"agent failed: {type(exc).__name__}: {exc}", type=type(exc).__name__, non_retryable=True
        ) from exc
    await reporter.complete()
    return ExecutionStatus(
        phase=Phase.COMPLETED, output=reporter.final_answer, usage=TokenUsage(**reporter.usage)
    )


def _seconds_left() -> float | None:
    """Until the activity's start-to-close timeout (the agent's execution timeout)."""
    info = activity.info()
    if info.start_to_close_timeout is None:
        return None
    ends = info.started_time + info.start_to_close_timeout
    return (ends - datetime.now(timezone.utc)).total_seconds()


async def _run_agent(agent, execution, thread_id, max_tool_calls, reporter) -> None:
    stream = agent.astream(
        {"messages": [HumanMessage(execution.message)]},
        # Each tool call is two graph steps; the cap, not LangGraph's
        # recursion limit, is what stops a looping agent.
        {
            "configurable": {"thread_id": thread_id},
            "recursion_limit": 2 * max_tool_calls + 5,
        },
        # "custom" carries the model call's retries (runner/llms/retry.py).
        stream_mode=["updates", "messages", "custom"],
        # One checkpoint per turn, not per step: ExecuteGraphton is never
        # retried mid-turn, so step checkpoints could never be resumed
        # and would rewrite the growing message list at every step.
        durability="exit",
    )
    async for mode, chunk in stream:
        await reporter.handle(mode, chunk)
