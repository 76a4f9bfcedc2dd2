"""Reads, as plain functions named <entity>_<query>."""
from dataclasses import dataclass

from django.db.models import F

from executions.models import AgentExecution, ExecutionEvent, McpServer


@dataclass(frozen=True)
class RunContext:
    """Who and what a run is for: what a tool may read (runner.tools.ToolContext)."""

    execution_id: str
    session_id: str
    agent_id: int
    agent_slug: str
    owner_id: int | None


@dataclass(frozen=True)
class McpServerConfig:
    """An MCP server as the runner connects to it (runner/mcp/connection.py)."""

    name: str
    transport: str
    command: str
    args: list[str]
    env: dict[str, str]
    url: str
    headers: dict[str, str]
    enabled_tools: list[str]


def mcp_server_config(server: McpServer) -> McpServerConfig:
    return McpServerConfig(
        name=server.name, transport=server.transport, command=server.command,
        args=list(server.args), env=dict(server.env), url=server.url,
        headers=dict(server.headers), enabled_tools=list(server.enabled_tools),
    )


@dataclass(frozen=True)
class RunConfig:
    """What the runner needs to build an agent, loaded by id (no secrets in payloads)."""

    phase: str
    context: RunContext
    model: str
    instructions: str
    tools: list[str]
    temperature: float | None
    max_tokens: int | None
    model_options: dict
    max_tool_calls: int
    mcp_servers: tuple[McpServerConfig, ...] = ()


def execution_run_config(*, execution: AgentExecution) -> RunConfig:
    """From an execution loaded with its agent."""
    agent = execution.agent
    return RunConfig(
        phase=execution.phase,
        context=RunContext(
            execution_id=str(execution.pk),
            session_id=str(execution.session_id),
            agent_id=agent.pk,
            agent_slug=agent.slug,
            owner_id=execution.owner_id,
        ),
        model=execution.model_spec,
        instructions=agent.instructions,
        tools=list(agent.tools),
        temperature=agent.temperature,
        max_tokens=agent.max_tokens,
        model_options=dict(agent.model_options),
        max_tool_calls=agent.max_tool_calls,
        mcp_servers=tuple(mcp_server_config(server) for server in agent.mcp_servers.all()),
    )


def execution_events_after(*, execution_id, after: int = 0, limit: int | None = None):
    events = ExecutionEvent.objects.filter(execution_id=execution_id, sequence__gt=after).order_by(
        "sequence"
    )
    return list(events[:limit] if limit else events)


def session_turns(*, session_id):
    """The session's executions as a conversation: in turn order (turns of
    before turn numbers existed first, by creation)."""
    return (
        AgentExecution.objects.filter(session_id=session_id)
        .order_by(F("turn").asc(nulls_first=True), "created_at")
        .only(
            "id", "turn", "message", "phase", "output", "error", "start_error", "multitask_strategy",
            "workflow_started_at", "created_at", "started_at", "completed_at",
        )
    )


def execution_is_queued(execution: AgentExecution) -> bool:
    """Waiting for an earlier turn of its session (services/turns.py)."""
    from executions.services.turns import SESSION_WAIT_REASON

    return (
        execution.phase == "PENDING" and execution.workflow_started_at is None
        and execution.start_error == SESSION_WAIT_REASON
    )
