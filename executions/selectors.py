"""Reads, as plain functions named <entity>_<query>."""
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from executions.credential_refs import credential_names
from executions.models import MONEY, Agent, AgentExecution, Credential, ExecutionEvent, McpServer
# The run's configuration is part of the runner's wire contract (the runner API serves it).
from stigmer.run_config import McpServerConfig, RunConfig, RunContext, SubAgentConfig  # noqa: F401


def mcp_server_config(server: McpServer) -> McpServerConfig:
    return McpServerConfig(
        name=server.name, transport=server.transport, command=server.command,
        args=list(server.args), env=dict(server.env), url=server.url,
        headers=dict(server.headers), enabled_tools=list(server.enabled_tools),
    )


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
        sub_agents=tuple(
            SubAgentConfig(slug=sub.slug, name=sub.name, description=sub.description)
            for sub in agent.sub_agents.all()
        ),
    )


def execution_events_after(*, execution_id, after: int = 0, limit: int | None = None):
    events = ExecutionEvent.objects.filter(execution_id=execution_id, sequence__gt=after).order_by(
        "sequence"
    )
    return list(events[:limit] if limit else events)


def execution_children(*, execution: AgentExecution):
    """The executions it delegated to, oldest first."""
    return execution.children.select_related("agent").order_by("created_at")


def execution_usage(*, execution_id) -> dict:
    """Its own token totals so far (a run resumed after approval adds to them)."""
    return (
        AgentExecution.objects.filter(pk=execution_id)
        .values("input_tokens", "output_tokens", "total_tokens")
        .get()
    )


def execution_approvals(*, execution: AgentExecution):
    """Its gated tool calls, oldest first, each with its decision if taken."""
    return execution.approvals.select_related("decision", "decision__decided_by").order_by("requested_at", "id")


def execution_usage_total(*, execution: AgentExecution, descendants: bool = True) -> dict:
    """Its tokens and cost plus all its descendants' (delegation depth is
    bounded); `descendants=False` for one known to have none."""
    keys = ("input_tokens", "output_tokens", "total_tokens", "cost")
    total = {key: getattr(execution, key) for key in keys}
    level = [execution.pk] if descendants else []
    while level:
        rows = list(AgentExecution.objects.filter(parent_id__in=level).values("pk", *keys))
        for row in rows:
            for key in keys:
                total[key] += row[key]
        level = [row["pk"] for row in rows]
    return total


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


def credential_list():
    return Credential.objects.select_related("created_by")


def credential_users(*, name: str) -> list[str]:
    """What refers to the credential `name`: "agent <slug>" and "MCP server <name>" labels."""
    agents = Agent.objects.only("slug", "model_options").order_by("slug")
    servers = McpServer.objects.only("name", "env", "headers").order_by("name")
    return [
        *(f"agent {a.slug}" for a in agents if name in credential_names(a.model_options)),
        *(f"MCP server {s.name}" for s in servers if name in credential_names([s.env, s.headers])),
    ]


def _cost_of_executions(*, since=None, **outer_link) -> Coalesce:
    """The summed cost of the executions linked to the outer row (created
    since `since`), as a correlated subquery: evaluated for the rows shown (a
    page of the changelist), through the link's index, never for the whole
    table."""
    money = DecimalField(**MONEY)
    window = {"created_at__gte": since} if since is not None else {}
    summed = (
        AgentExecution.objects.filter(**window, **{name: OuterRef(ref) for name, ref in outer_link.items()})
        .order_by()
        .values(*outer_link)
        .annotate(total=Sum("cost"))
        .values("total")
    )
    return Coalesce(Subquery(summed, output_field=money), Value(Decimal(0)), output_field=money)


def sessions_with_cost(queryset: QuerySet) -> QuerySet:
    """Sessions annotated with `cost`: the sum of their executions' costs."""
    return queryset.annotate(cost=_cost_of_executions(session_id="pk"))


def agents_with_spending(queryset: QuerySet) -> QuerySet:
    """Agents annotated with `spent_this_month` (USD, executions created since
    the first of the month, UTC), the figure their budget is checked against."""
    from executions.budgets import month_start

    return queryset.annotate(spent_this_month=_cost_of_executions(since=month_start(), agent_id="pk"))


class UnknownCredentials(LookupError):
    pass


def credential_tokens(*, names) -> dict[str, str]:
    """The encrypted values (Fernet tokens) of the named credentials, for the runner to
    decrypt; UnknownCredentials naming those that do not exist."""
    names = set(names)
    if not names:
        return {}
    tokens = dict(Credential.objects.filter(name__in=names).values_list("name", "value_encrypted"))
    missing = sorted(names - set(tokens))
    if missing:
        raise UnknownCredentials(f"unknown credentials: {', '.join(missing)}")
    return tokens


def execution_state(*, execution_id) -> dict:
    """Where an execution stands, for a runner (its own run, or a sub-agent it waits for)."""
    row = (
        AgentExecution.objects.filter(pk=execution_id)
        .values("id", "phase", "output", "error", "input_tokens", "output_tokens", "total_tokens")
        .first()
    )
    if row is None:
        raise AgentExecution.DoesNotExist(execution_id)
    usage = {key: row.pop(key) for key in ("input_tokens", "output_tokens", "total_tokens")}
    return {**row, "id": str(row["id"]), "usage": usage}
