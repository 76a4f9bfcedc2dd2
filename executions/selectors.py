"""Reads, as plain functions named <entity>_<query>."""
from dataclasses import dataclass

from executions.credential_refs import credential_names
from executions.models import Agent, AgentExecution, Credential, ExecutionEvent


@dataclass(frozen=True)
class RunConfig:
    """What the runner needs to build an agent, loaded by id (no secrets in payloads)."""

    phase: str
    model: str
    instructions: str
    tools: list[str]
    temperature: float | None
    max_tokens: int | None
    model_options: dict
    max_tool_calls: int


def execution_run_config(*, execution: AgentExecution) -> RunConfig:
    """From an execution loaded with its agent."""
    agent = execution.agent
    return RunConfig(
        phase=execution.phase,
        model=execution.model_spec,
        instructions=agent.instructions,
        tools=list(agent.tools),
        temperature=agent.temperature,
        max_tokens=agent.max_tokens,
        model_options=dict(agent.model_options),
        max_tool_calls=agent.max_tool_calls,
    )


def execution_events_after(*, execution_id, after: int = 0, limit: int | None = None):
    events = ExecutionEvent.objects.filter(execution_id=execution_id, sequence__gt=after).order_by(
        "sequence"
    )
    return list(events[:limit] if limit else events)


def credential_list():
    return Credential.objects.select_related("created_by")


def credential_users(*, name: str) -> list[str]:
    """What refers to the credential `name`, as labels ("agent <slug>")."""
    agents = Agent.objects.only("slug", "model_options").order_by("slug")
    return [f"agent {a.slug}" for a in agents if name in credential_names(a.model_options)]
