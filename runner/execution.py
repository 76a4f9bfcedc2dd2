"""Running one execution's agent: the body of ExecuteGraphton."""
import asyncio
import os
import socket

from langchain_core.messages import HumanMessage
from temporalio import activity
from temporalio.exceptions import ApplicationError

from executions.models import Phase
from executions.services.phases import execution_phase_set, execution_run_start
from executions.temporal.contract import AgentExecutionInput, ExecutionStatus, TokenUsage
from runner.agents import agent_for
from runner.checkpointer import open_checkpointer
from runner.db import db_write
from runner.mcp.errors import McpServerError
from runner.mcp.loading import mcp_sessions, mcp_tools_open
from runner.progress import ProgressReporter
from runner.tools.context import context_config


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
    # The run's MCP sessions live as long as its agent runs, and are closed
    # (stdio servers stopped) however it ends.
    async with mcp_sessions() as servers:
        try:
            agent = await _agent(config, servers)
        except asyncio.CancelledError:  # while its MCP servers were starting
            await _cancelled(reporter, execution_id)
            raise
        await _run_agent(agent, config, execution, thread_id, reporter)
    await reporter.complete()
    return ExecutionStatus(
        phase=Phase.COMPLETED, output=reporter.final_answer, usage=TokenUsage(**reporter.usage)
    )


async def _agent(config, servers):
    try:
        mcp_tools = await mcp_tools_open(config.mcp_servers, servers)
    except McpServerError as exc:
        raise ApplicationError(str(exc), type="McpServerError", non_retryable=True) from exc
    async with open_checkpointer() as checkpointer:
        try:
            return agent_for(config, checkpointer, mcp_tools)
        except ValueError as exc:
            raise ApplicationError(f"agent misconfigured: {exc}", non_retryable=True) from exc


async def _run_agent(agent, config, execution: AgentExecutionInput, thread_id: str, reporter) -> None:
    execution_id = execution.execution_id
    try:
        stream = agent.astream(
            {"messages": [HumanMessage(execution.message)]},
            # Each tool call is two graph steps; the cap, not LangGraph's
            # recursion limit, is what stops a looping agent.
            {
                "configurable": {"thread_id": thread_id, **context_config(config.context)},
                "recursion_limit": 2 * config.max_tool_calls + 5,
            },
            stream_mode=["updates", "messages"],
            # One checkpoint per turn, not per step: ExecuteGraphton is never
            # retried mid-turn, so step checkpoints could never be resumed
            # and would rewrite the growing message list at every step.
            durability="exit",
        )
        async for mode, chunk in stream:
            await reporter.handle(mode, chunk)
    except asyncio.CancelledError:
        await _cancelled(reporter, execution_id)
        raise
    except Exception as exc:
        await reporter.flush()
        raise ApplicationError(
            f"agent failed: {type(exc).__name__}: {exc}", type=type(exc).__name__, non_retryable=True
        ) from exc


async def _cancelled(reporter, execution_id: str) -> None:
    await reporter.flush()
    if not activity.is_worker_shutdown():
        await db_write(execution_phase_set)(execution_id=execution_id, phase=Phase.CANCELLED)
