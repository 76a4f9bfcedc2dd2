"""The operator's dashboard in the admin: /admin/dashboard/ (linked from the
index). Staff only, like every admin page; its numbers cover the executions
the user may see (executions/permissions.py): their own, or everyone's with
`executions.view_agentexecution`, which the runners list also needs."""
from django.contrib import admin
from django.template.response import TemplateResponse

from executions.dashboard.charts import PHASE_COLOURS, horizontal_bars, stacked_hours
from executions.dashboard.runners import runners_polling
from executions.dashboard.selectors import WINDOWS, dashboard_read
from executions.models import AgentExecution, Phase
from executions.permissions import Act, may_for_everyone


def _money(value) -> str:
    return f"${value:,.4f}"


def dashboard_context(request) -> dict:
    data = dashboard_read(user=request.user, window=request.GET.get("window", ""))
    everyone = may_for_everyone(request.user, AgentExecution, Act.VIEW)
    phases = [phase for phase in Phase.values]
    return {
        "d": data,
        "everyone": everyone,
        "windows": list(WINDOWS),
        "legend": [(phase, PHASE_COLOURS.get(phase, "#666"), data.totals.get(phase, 0)) for phase in phases],
        "total_runs": sum(data.totals.values()),
        "total_cost": _money(data.cost),
        "runs_chart": stacked_hours(data.hours, data.per_hour, phases),
        "failures_chart": horizontal_bars(
            "failure-reasons", [(reason, n, str(n)) for reason, n in data.failures], PHASE_COLOURS["FAILED"]
        ),
        "agents_chart": horizontal_bars(
            "cost-by-agent", [(row.name, float(row.cost), _money(row.cost)) for row in data.by_agent]
        ),
        "users_chart": horizontal_bars(
            "cost-by-user", [(row.name, float(row.cost), _money(row.cost)) for row in data.by_user]
        ),
        "runners": runners_polling() if everyone else None,
    }


def dashboard_view(request):
    """The page, or with ?fragment=1 only its body, which the page's script
    fetches again whenever the phase feed says something changed."""
    context = dashboard_context(request)
    if request.GET.get("fragment"):
        return TemplateResponse(request, "admin/executions/dashboard_body.html", context)
    context = {**admin.site.each_context(request), **context, "title": "Dashboard"}
    return TemplateResponse(request, "admin/executions/dashboard.html", context)
