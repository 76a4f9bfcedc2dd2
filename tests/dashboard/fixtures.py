"""Executions in every phase, with known timings, usage, prices and failures."""
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from executions.models import AgentExecution, Phase, Session

# phase → how many, for each of two owners' agents
MIX = {Phase.PENDING: 2, Phase.IN_PROGRESS: 3, Phase.COMPLETED: 5, Phase.FAILED: 4, Phase.CANCELLED: 1}
FAILURES = ["agent failed: boom", "agent failed: boom", "runner worker lost", "no runner worker is polling queue q"]


def seed_runs(*, agent, owner, hours_ago: float = 1.0) -> list[AgentExecution]:
    """Each COMPLETED run took 2 s and waited 1 s for its first event; each
    costs $0.01 (10,000 input tokens at $1 per million)."""
    now = timezone.now()
    created = now - timedelta(hours=hours_ago)
    session = Session.objects.create(agent=agent, owner=owner, subject="seed")
    rows = []
    failures = iter(FAILURES)
    for phase, count in MIX.items():
        for _ in range(count):
            started = created + timedelta(seconds=1) if phase != Phase.PENDING else None
            done = phase in Phase.terminal()
            rows.append(AgentExecution(
                agent=agent, owner=owner, session=session, message="seed", phase=phase,
                error=next(failures) if phase == Phase.FAILED else "",
                input_tokens=10_000, output_tokens=0, total_tokens=10_000, input_price=Decimal(1),
                started_at=started, completed_at=started + timedelta(seconds=2) if done else None,
                workflow_started_at=created,
            ))  # fmt: skip
    AgentExecution.objects.bulk_create(rows)
    AgentExecution.objects.filter(pk__in=[row.pk for row in rows]).update(created_at=created)
    return rows
