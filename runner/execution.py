"""Running one execution's agent: the body of ExecuteGraphton."""
import asyncio
import logging
import os
import socket
from datetime import datetime, timezone

from langchain_core.messages import HumanMessage
from temporalio import activity
from temporalio.exceptions import ApplicationError

from executions.credential_refs import credential_names
from executions.models import Phase
from executions.services.phases import execution_phase_set, execution_run_start
from executions.temporal.contract import AgentExecutionInput, ExecutionStatus, TokenUsage
from runner.agents import agent_for
from runner.checkpointer import open_checkpointer
from runner.credentials import credential_values
from runner.db import db_write
from runner.llms.retry import ModelProviderError, model_call_deadline
from runner.mcp.errors import McpServerError
from runner.mcp.loading import mcp_sessions, mcp_tools_open
from runner.progress import ProgressReporter
from runner.redaction import quotes_a_value, redact
from runner.tools.context import context_config
from runner.tracing import run_callbacks

logger = logging.getLogger(__name__)


async def run_execution(execution: AgentExecutionInput, thread_id: str) -> ExecutionStatus:
    execution_id = execution.execution_id
    reporter = ProgressReporter(execution_id)
    # Which runner ran it is for operators (logs, Temporal's history), not for
    # the users who read the event log.
    logger.info("agent run of execution %s started on %s@%s", execution_id, os.getpid(), socket.gethostname(),
                extra={"execution_id": execution_id})
    config = await db_write(execution_run_start)(
        execution_id=execution_id, following=reporter.human(execution.message)
    )
    if config.phase in Phase.terminal():
        # Cancelled (or finished) before the runner got to it: run nothing.
        return ExecutionStatus(phase=config.phase)
    secrets = await _credentials(config)
    # The run's MCP sessions live as long as its agent runs, and are closed
    # (stdio servers stopped) however it ends.
    async with mcp_sessions() as servers:
        try:
            agent = await _agent(config, servers, secrets)
            with model_call_deadline(_seconds_left()):
                callbacks = run_callbacks(model_spec=config.model, execution_id=execution_id)
                await _run_agent(agent, execution, thread_id, config, reporter, callbacks)
        except asyncio.CancelledError:
            await reporter.flush()
            if not activity.is_worker_shutdown():
                await db_write(execution_phase_set)(execution_id=execution_id, phase=Phase.CANCELLED)
            raise
        except ApplicationError:
            raise  # the agent could not be set up: nothing ran
        except ModelProviderError as exc:
            # Already readable ("model provider openai refused the credentials (401)").
            # Not chained: Temporal would record the SDK's error, and the worker log
            # its traceback, with the provider's message, which may echo the key.
            await reporter.flush()
            text = redact(str(exc), secrets.values())
            raise ApplicationError(text, type="ModelProviderError", non_retryable=True) from None
        except Exception as exc:
            await reporter.flush()
            text = redact(f"agent failed: {type(exc).__name__}: {exc}", secrets.values())
            raise ApplicationError(
                text, type=type(exc).__name__, non_retryable=True
            ) from _cause(exc, secrets)
    await reporter.complete()
    return ExecutionStatus(
        phase=Phase.COMPLETED, output=reporter.final_answer, usage=TokenUsage(**reporter.usage)
    )


async def _credentials(config) -> dict[str, str]:
    """The values of the credentials the agent and its MCP servers name, read per run, so a
    rotated credential is used from the next run on."""
    names = credential_names(config.model_options)
    for server in config.mcp_servers:
        names |= credential_names([server.env, server.headers])
    if not names:
        return {}
    try:
        # A read, retried like the writes when the connection drops.
        return await db_write(credential_values)(names=names)
    except ValueError as exc:
        raise ApplicationError(f"agent misconfigured: {exc}", non_retryable=True) from None


async def _agent(config, servers, secrets: dict[str, str]):
    """The compiled agent, with the tools of its MCP servers (started on `servers`)."""
    try:
        mcp_tools = await mcp_tools_open(config.mcp_servers, servers, secrets=secrets)
    except McpServerError as exc:
        text = redact(str(exc), secrets.values())
        raise ApplicationError(text, type="McpServerError", non_retryable=True) from _cause(exc, secrets)
    async with open_checkpointer() as checkpointer:
        try:
            return agent_for(config, checkpointer, mcp_tools, secrets)
        except ValueError as exc:
            text = redact(f"agent misconfigured: {exc}", secrets.values())
            raise ApplicationError(text, non_retryable=True) from _cause(exc, secrets)


def _cause(exc: Exception, secrets: dict[str, str]) -> Exception | None:
    """The original error as the failure's cause (Temporal records its message and trace),
    unless somewhere in its chain it quotes a credential value. The failure's own text is
    redacted: a provider may echo the key it refused."""
    return None if quotes_a_value(exc, secrets.values()) else exc


def _seconds_left() -> float | None:
    """Until the activity's start-to-close timeout (the agent's execution timeout)."""
    info = activity.info()
    if info.start_to_close_timeout is None:
        return None
    ends = info.started_time + info.start_to_close_timeout
    return (ends - datetime.now(timezone.utc)).total_seconds()


async def _run_agent(agent, execution, thread_id, config, reporter, callbacks=()) -> None:
    stream = agent.astream(
        {"messages": [HumanMessage(execution.message)]},
        # Each tool call is two graph steps; the cap, not LangGraph's
        # recursion limit, is what stops a looping agent. The run's context
        # reaches the tools that ask for it (runner/tools/context.py).
        {
            "configurable": {"thread_id": thread_id, **context_config(config.context)},
            "recursion_limit": 2 * config.max_tool_calls + 5,
            # The model and tool spans (runner/tracing.py), when tracing is on.
            "callbacks": list(callbacks),
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
