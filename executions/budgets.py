"""Monthly budgets: what an agent and a user have spent this calendar month
(UTC), and the create pipeline's refusal once a budget is spent.

Spending is the sum of executions' costs (AgentExecution.cost, computed by
the database from their usage) created since the first of the month, read
through the (agent, created_at) and (owner, created_at) indexes, and only
when a budget is set. Runs already under way keep running and keep counting,
so a budget can be overshot by what they spend after it is reached.
"""
from datetime import datetime, timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from executions.errors import BudgetSpent
from executions.models import Agent, AgentExecution, UserBudget


def month_start(now: datetime | None = None) -> datetime:
    now = (now or timezone.now()).astimezone(dt_timezone.utc)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime | None = None) -> datetime:
    start = month_start(now)
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


def spent_this_month(**owner_or_agent) -> Decimal:
    """`agent_id=…` or `owner_id=…`: USD spent by executions created this month."""
    rows = AgentExecution.objects.filter(created_at__gte=month_start(), **owner_or_agent)
    return rows.aggregate(spent=Sum("cost"))["spent"] or Decimal(0)


def user_monthly_budget(*, user_id) -> Decimal | None:
    """The user's own budget row (whose empty value means no limit), else
    STIGMER_USER_MONTHLY_BUDGET, else None: no limit."""
    row = UserBudget.objects.filter(user_id=user_id).values_list("monthly_budget", flat=True)
    for budget in row:
        return budget
    default = settings.STIGMER_USER_MONTHLY_BUDGET
    return Decimal(default) if default not in (None, "") else None


def _refusal(spent_of: str) -> BudgetSpent:
    until = next_month_start().date().isoformat()
    return BudgetSpent(
        f"{spent_of} monthly budget; new runs are refused until {until} (UTC). "
        "Raise the budget in the admin to run now."
    )


def budgets_check(*, agent: Agent, owner_id) -> None:
    """Raise BudgetSpent when the agent's or the owner's monthly budget is spent."""
    if agent.monthly_budget is not None:
        spent = spent_this_month(agent_id=agent.pk)
        if spent >= agent.monthly_budget:
            raise _refusal(f"Agent {agent.slug!r} has spent ${spent:.2f} of its ${agent.monthly_budget:.2f}")
    if owner_id is None:
        return
    budget = user_monthly_budget(user_id=owner_id)
    if budget is not None:
        spent = spent_this_month(owner_id=owner_id)
        if spent >= budget:
            raise _refusal(f"You have spent ${spent:.2f} of your ${budget:.2f}")
