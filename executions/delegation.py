"""Which agents may delegate to which: no cycle, no chain deeper than the limit.

Checked when an agent's sub-agents are saved (admin form, API, services), so a
run never meets a cycle; the create pipeline still refuses a child deeper
than the limit, should agents have been edited around the check.
"""
from django.conf import settings
from django.core.exceptions import ValidationError

from executions.models import Agent


def delegation_max_depth() -> int:
    return settings.STIGMER_MAX_DELEGATION_DEPTH


def _edges(agent: Agent, sub_agents: list[Agent]) -> dict[int, set[int]]:
    """Every agent's sub-agents, with `agent`'s replaced by the new list."""
    edges: dict[int, set[int]] = {}
    for from_id, to_id in Agent.sub_agents.through.objects.values_list("from_agent_id", "to_agent_id"):
        edges.setdefault(from_id, set()).add(to_id)
    if agent.pk is not None:
        edges[agent.pk] = {sub.pk for sub in sub_agents}
    return edges


def _height(node: int, edges: dict[int, set[int]], path: tuple[int, ...]) -> int:
    """Delegation levels below `node`; raises _Cycle on a cycle through `path`."""
    if node in path:
        raise _Cycle([*path[path.index(node):], node])
    return max((1 + _height(sub, edges, (*path, node)) for sub in edges.get(node, ())), default=0)


def _above(node: int, edges: dict[int, set[int]]) -> int:
    """Delegation levels above `node`: the longest chain of agents delegating to it."""
    parents = [source for source, subs in edges.items() if node in subs]
    return max((1 + _above(parent, edges) for parent in parents), default=0)


class _Cycle(Exception):
    def __init__(self, ids: list[int]) -> None:
        self.ids = ids


def delegation_check(*, agent: Agent, sub_agents: list[Agent]) -> None:
    """A ValidationError on `sub_agents` when the new list makes a cycle or
    a delegation chain (through this agent) deeper than the limit."""
    if agent.pk is not None and any(sub.pk == agent.pk for sub in sub_agents):
        raise ValidationError({"sub_agents": f"Agent {agent.slug!r} cannot delegate to itself."})
    edges = _edges(agent, sub_agents)
    try:
        if agent.pk is None:
            # A new agent has no delegators yet: only the chains below it count.
            _check_depth(agent, max((1 + _height(sub.pk, edges, ()) for sub in sub_agents), default=0))
            return
        below = _height(agent.pk, edges, ())
    except _Cycle as cycle:
        slugs = dict(Agent.objects.filter(pk__in=cycle.ids).values_list("pk", "slug"))
        raise ValidationError({"sub_agents": (
            "Delegation cycle: " + " → ".join(slugs[pk] for pk in cycle.ids) + "."
        )}) from None
    _check_depth(agent, _above(agent.pk, edges) + below)


def _check_depth(agent: Agent, depth: int) -> None:
    limit = delegation_max_depth()
    if depth > limit:
        raise ValidationError({"sub_agents": (
            f"Delegating through {agent.slug!r} would go {depth} levels deep; "
            f"at most {limit} are allowed (STIGMER_MAX_DELEGATION_DEPTH)."
        )})


def sub_agents_named(slugs: list[str]) -> list[Agent]:
    """The agents a list of slugs names; a ValidationError on `sub_agents` for unknown ones."""
    found = {agent.slug: agent for agent in Agent.objects.filter(slug__in=slugs)}
    unknown = sorted(set(slugs) - set(found))
    if unknown:
        raise ValidationError({"sub_agents": f"Unknown agents: {', '.join(unknown)}."})
    return [found[slug] for slug in dict.fromkeys(slugs)]
