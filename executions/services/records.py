"""Writes behind the API's CRUD: agents, sessions, deleting executions."""
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from executions.delegation import delegation_check, sub_agents_named
from executions.errors import ExecutionNotCancellable
from executions.models import Agent, AgentExecution, Phase, Session
from executions.services.executions import execution_cancel
from executions.services.mcp_servers import mcp_servers_named

AGENT_FIELDS = (
    "slug", "name", "description", "instructions", "model", "allowed_models", "temperature", "max_tokens",
    "model_options", "tools", "execution_timeout_seconds", "max_tool_calls", "multitask_strategy",
    "retention_days", "enabled", "monthly_budget", "approval_tools", "approval_deciders",
    "approval_timeout_seconds",
)


def _agent_validate(agent: Agent) -> None:
    from runner.llms.resolve import UnknownModelError, parse_model_spec

    errors: dict[str, str] = {}
    try:
        parse_model_spec(agent.model)
    except UnknownModelError as exc:
        errors["model"] = str(exc)
    try:  # Agent.clean() checks the tools
        agent.full_clean(validate_unique=True)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ValidationError(errors)


def _sub_agents(agent: Agent, slugs: list[str] | None) -> list[Agent] | None:
    if slugs is None:
        return None
    sub_agents = sub_agents_named(slugs)
    delegation_check(agent=agent, sub_agents=sub_agents)
    return sub_agents


@transaction.atomic
def agent_create(
    *, owner=None, mcp_servers: list[str] | None = None, sub_agents: list[str] | None = None, **fields
) -> Agent:
    agent = Agent(owner=owner, **{k: v for k, v in fields.items() if k in AGENT_FIELDS})
    _agent_validate(agent)
    subs = _sub_agents(agent, sub_agents)
    agent.save()
    if mcp_servers is not None:
        agent.mcp_servers.set(mcp_servers_named(mcp_servers))
    if subs is not None:
        agent.sub_agents.set(subs)
    return agent


@transaction.atomic
def agent_update(
    *, agent: Agent, mcp_servers: list[str] | None = None, sub_agents: list[str] | None = None, **fields
) -> Agent:
    for name, value in fields.items():
        if name in AGENT_FIELDS:
            setattr(agent, name, value)
    _agent_validate(agent)
    subs = _sub_agents(agent, sub_agents)
    agent.save()
    if mcp_servers is not None:
        agent.mcp_servers.set(mcp_servers_named(mcp_servers))
    if subs is not None:
        agent.sub_agents.set(subs)
    return agent


def agent_delete(*, agent: Agent) -> None:
    """Refused (ProtectedError) while executions reference the agent."""
    agent.delete()


def session_create(*, agent: Agent, owner, subject: str = "") -> Session:
    if not agent.enabled:
        raise ValidationError({"agent": f"Agent {agent.slug!r} is disabled."})
    return Session.objects.create(agent=agent, owner=owner, subject=subject)


def session_update(*, session: Session, subject: str) -> Session:
    session.subject = subject
    session.save(update_fields=["subject", "updated_at"])
    return session


def _cancel_if_running(execution: AgentExecution, wait_seconds: float) -> None:
    try:
        execution_cancel(execution=execution)
    except ExecutionNotCancellable:
        return
    deadline = time.monotonic() + wait_seconds
    while not execution.is_terminal and time.monotonic() < deadline:
        time.sleep(0.1)
        execution.refresh_from_db(fields=["phase"])


def execution_delete(*, execution: AgentExecution, wait_seconds: float = 10) -> None:
    """Cancel a still-running execution first (waiting briefly for the runner
    to stop), then delete the record and its event log."""
    if not execution.is_terminal:
        _cancel_if_running(execution, wait_seconds)
    with transaction.atomic():
        execution.delete()


def session_delete(*, session: Session, wait_seconds: float = 10) -> None:
    # Latest turn first: queued turns are cancelled before the running one
    # ends, so its hand-off starts none of them.
    unfinished = session.executions.exclude(phase__in=Phase.terminal())
    for execution in unfinished.order_by(F("turn").desc(nulls_last=True), "-created_at"):
        _cancel_if_running(execution, wait_seconds)
    session.delete()
