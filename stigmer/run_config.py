"""What a runner needs to build an execution's agent: the run's configuration.

Plain dataclasses, shared by the platform (executions/selectors.py builds
them from the records) and the runner, in process or through the runner API
(`run_config_to_json` / `run_config_from_json` are the wire form, documented
in docs/temporal-contract.md and docs/schemas/run-config.json). No secrets:
credentials are named, never valued.
"""
import dataclasses
from dataclasses import dataclass


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
    env: dict  # values: strings or credential references
    url: str
    headers: dict  # values: strings or credential references
    enabled_tools: list[str]


@dataclass(frozen=True)
class SubAgentConfig:
    """An agent the run may delegate to, as its tool describes it."""

    slug: str
    name: str
    description: str


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
    sub_agents: tuple[SubAgentConfig, ...] = ()



def run_config_to_json(config: RunConfig) -> dict:
    return dataclasses.asdict(config)


def run_config_from_json(data: dict) -> RunConfig:
    return RunConfig(
        phase=data["phase"],
        context=RunContext(**data["context"]),
        model=data["model"],
        instructions=data["instructions"],
        tools=list(data["tools"]),
        temperature=data.get("temperature"),
        max_tokens=data.get("max_tokens"),
        model_options=dict(data.get("model_options") or {}),
        max_tool_calls=data["max_tool_calls"],
        mcp_servers=tuple(McpServerConfig(**server) for server in data.get("mcp_servers") or ()),
        sub_agents=tuple(SubAgentConfig(**sub) for sub in data.get("sub_agents") or ()),
    )
