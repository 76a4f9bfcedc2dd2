"""This app's tools for agents: the platform describing itself (a sync tool
on the ORM that reads its run's context)."""
from django.db.models import Count

from executions.models import AgentExecution, Session
from runner.tools import ToolContext, agent_tool


@agent_tool(timeout=10)
def platform_status(context: ToolContext) -> str:
    """Report how the platform is doing: executions by phase, and this conversation's length."""
    phases = dict(
        AgentExecution.objects.values_list("phase").annotate(count=Count("id")).order_by("phase")
    )
    turns = Session.objects.get(pk=context.session_id).executions.count()
    counts = ", ".join(f"{count} {phase}" for phase, count in phases.items()) or "none"
    return f"executions: {counts}; this conversation ({context.agent_slug}): {turns} turn(s)"
