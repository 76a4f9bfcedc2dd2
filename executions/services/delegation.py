"""A run delegating to a sub-agent: the child execution and its mark in the parent's log."""
from django.core.exceptions import ValidationError

from executions.models import Agent, AgentExecution, EventType
from executions.services.events import execution_event_append
from executions.services.executions import execution_create


class DelegationRefused(Exception):
    """The child could not be created; the parent's model reads why."""


def execution_delegate(*, parent_id, agent_slug: str, message: str, tool: str) -> AgentExecution:
    """Create the child execution through the create pipeline (its own
    session, workflow and log, owned by the parent's owner) and record the
    delegation, with the child's id, in the parent's log."""
    parent = AgentExecution.objects.select_related("agent").get(pk=parent_id)
    if not parent.agent.sub_agents.filter(slug=agent_slug).exists():
        raise DelegationRefused(f"agent {parent.agent.slug!r} may not delegate to {agent_slug!r}")
    agent = Agent.objects.get(slug=agent_slug)
    try:
        child = execution_create(agent=agent, message=message, parent=parent)
    except ValidationError as exc:
        reasons = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
        raise DelegationRefused(f"sub-agent {agent_slug!r} refused the task: {reasons}") from None
    execution_event_append(
        execution_id=parent.pk,
        type=EventType.DELEGATION,
        data={"tool": tool, "agent": agent_slug, "execution": str(child.pk), "depth": child.depth},
    )
    return child
