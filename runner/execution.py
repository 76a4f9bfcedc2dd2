"""Running one execution's agent: the body of ExecuteGraphton."""
import asyncio
import logging
import os
import socket
from datetime import datetime, timezone

from langchain_core.messages import HumanMessage
from langgraph.types import Command
from temporalio import activity
from temporalio.exceptions import ApplicationError

from executions.temporal.contract import (
    AgentExecutionInput,
    ApprovalResume,
    ExecutionStatus,
    TokenUsage,
    ToolCallRequest,
)
from runner.agents import agent_for
from runner.checkpointer import open_checkpointer
from runner.credentials import credential_values
from runner.llms.retry import ModelProviderError, model_call_deadline
from runner.mcp.errors import McpServerError
from runner.mcp.loading import mcp_sessions, mcp_tools_open
from runner.platform import platform
from runner.progress import ProgressReporter
from runner.redaction import quotes_a_value, redact
from runner.tools.context import context_config
from runner.tracing import run_callbacks
from stigmer.credential_refs import credential_names
from stigmer.event_log import CANCELLED, COMPLETED, TERMINAL_PHASES, WAITING_APPROVAL

logger = logging.getLogger(__name__)


async def run_execution(
    execution: AgentExecutionInput, thread_id: str, resume: ApprovalResume | None = None
) -> ExecutionStatus:
    """Run the turn, or, with `resume`, go on from where it stopped for
    approval, with the decisions (runner/approvals.py)."""
    execution_id = execution.execution_id
    reporter = ProgressReporter(execution_id, round=resume.round if resume else 0)
    # Which runner ran it is for operators (logs, Temporal's history), not for
    # the users who read the event log.
    logger.info("agent run of execution %s started on %s@%s", execution_id, os.getpid(), socket.gethostname(),
                extra={"execution_id": execution_id})
    config = await platform().run_start(execution_id, [] if resume else reporter.human(execution.message))
    if config.phase in TERMINAL_PHASES:
        # Cancelled (or finished) before the runner got to it: run nothing.
        return ExecutionStatus(phase=config.phase)
    if resume:
        # The usage so far, which this run's totals add to.
        reporter.usage = await platform().execution_usage(execution_id)
    secrets = await _credentials(config)
    # The run's MCP sessions live as long as its agent runs, and are closed
    # (stdio servers stopped) however it ends.
    async with mcp_sessions() as servers:
        try:
            agent = await _agent(config, servers, secrets, execution.approval.tools)
            with model_call_deadline(_seconds_left()):
                callbacks = run_callbacks(model_spec=config.model, execution_id=execution_id)
                await _run_agent(agent, execution, thread_id, config, reporter, callbacks, resume)
        except asyncio.CancelledError:
            await reporter.flush()
            if not activity.is_worker_shutdown():
                await platform().run_finish(execution_id, phase=CANCELLED)
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
    if reporter.approvals:
        # Stopped before the turn's tool calls: the thread is checkpointed
        # there; the workflow waits for the decisions, holding no worker.
        await reporter.flush()
        return ExecutionStatus(
            phase=WAITING_APPROVAL, usage=TokenUsage(**reporter.usage),
            approvals=[
                ToolCallRequest(tool_call_id=call["id"], tool=call["name"], args=call["args"])
                for call in reporter.approvals
            ],
            approval_timeout=execution.approval.timeout,
        )
    await reporter.complete()
    return ExecutionStatus(
        phase=COMPLETED, output=reporter.final_answer, usage=TokenUsage(**reporter.usage)
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
        return await credential_values(names=names)
    except ValueError as exc:
        raise ApplicationError(f"agent misconfigured: {exc}", non_retryable=True) from None


async def _agent(config, servers, secrets: dict[str, str], gated_tools=()):
    """The compiled agent, with the tools of its MCP servers (started on `servers`)."""
    try:
        mcp_tools = await mcp_tools_open(config.mcp_servers, servers, secrets=secrets)
    except McpServerError as exc:
        text = redact(str(exc), secrets.values())
        raise ApplicationError(text, type="McpServerError", non_retryable=True) from _cause(exc, secrets)
    async with open_checkpointer() as checkpointer:
        try:
            return agent_for(config, checkpointer, mcp_tools, secrets, gated_tools=gated_tools)
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


def _decisions(resume: ApprovalResume) -> dict[str, dict]:
    """The approval step's resume value: call id → decision."""
    return {
        decision.tool_call_id: {"decision": decision.decision, "args": decision.args, "comment": decision.comment}
        for decision in resume.decisions
    }


async def _run_agent(agent, execution, thread_id, config, reporter, callbacks=(), resume=None) -> None:
    stream = agent.astream(
        Command(resume=_decisions(resume)) if resume else {"messages": [HumanMessage(execution.message)]},
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
        # and would rewrite the growing message list at every step. A stop
        # for approval is an exit too: checkpointed where it stopped.
        durability="exit",
    )
    async for mode, chunk in stream:
        await reporter.handle(mode, chunk)
