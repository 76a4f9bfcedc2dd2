"""Reads, as plain functions named <entity>_<query>."""
from dataclasses import dataclass

from django.db.models import F

from executions.models import AgentExecution, ExecutionEvent


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
