"""The dashboard's numbers, over a window and the executions a user may see.

Every query is bounded by the window on an indexed timestamp (created_at,
started_at or completed_at; phase + created_at for the failures) and
aggregated in the database, so its cost follows the window's rows, not the
table's: bench/dashboard.py times them at 1,000,000 executions.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Left, TruncHour
from django.utils import timezone

from executions.models import AgentExecution, Phase
from executions.permissions import visible

WINDOWS = {"6h": timedelta(hours=6), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
DEFAULT_WINDOW = "24h"
TOP = 10


class Percentile(Aggregate):
    """PostgreSQL's ordered-set aggregate: one pass, no rows sent back."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass
class Spending:
    name: str
    runs: int
    input_tokens: int
    output_tokens: int
    cost: Decimal


@dataclass
class Dashboard:
    window: str
    since: datetime
    until: datetime
    hours: list[datetime]
    per_hour: dict[datetime, dict[str, int]]
    totals: dict[str, int]
    duration: dict[str, float | None]
    first_event: dict[str, float | None]
    failures: list[tuple[str, int]]
    by_agent: list[Spending]
    by_user: list[Spending]
    waiting: dict[str, int]
    cost: Decimal = field(default=Decimal(0))


def _usd(value) -> Decimal:
    """Sums come back as SQLite's floats or PostgreSQL's numerics: one form."""
    return Decimal(value or 0).quantize(Decimal("0.000001"))


def _seconds(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _percentiles(rows: QuerySet, start: str, end: str) -> dict[str, float | None]:
    """p50 and p95 of end - start, in seconds."""
    rows = rows.order_by().annotate(span=_seconds(start, end))
    if connection.vendor == "postgresql":
        # percentile_cont needs a number: the interval's seconds.
        from django.db.models.expressions import RawSQL

        epoch = RawSQL(
            f"EXTRACT(EPOCH FROM ({connection.ops.quote_name(end)} - {connection.ops.quote_name(start)}))", []
        )
        result = rows.aggregate(p50=Percentile(epoch, 0.5), p95=Percentile(epoch, 0.95))
        return {key: (round(value, 3) if value is not None else None) for key, value in result.items()}
    # SQLite has no percentile function: the value at each rank, read by offset.
    count = rows.count()
    result: dict[str, float | None] = {}
    for key, fraction in (("p50", 0.5), ("p95", 0.95)):
        if not count:
            result[key] = None
            continue
        span = rows.order_by("span").values_list("span", flat=True)[min(count - 1, int(fraction * count))]
        result[key] = round(span.total_seconds(), 3)
    return result


def _spending(rows: QuerySet, name: str) -> list[Spending]:
    grouped = (
        rows.order_by()
        .values(name)
        .annotate(runs=Count("pk"), input=Sum("input_tokens"), output=Sum("output_tokens"), spent=Sum("cost"))
        .order_by("-spent", "-runs")[:TOP]
    )
    return [
        Spending(row[name] or "(no owner)", row["runs"], row["input"] or 0, row["output"] or 0, _usd(row["spent"]))
        for row in grouped
    ]


def dashboard_read(*, user, window: str = DEFAULT_WINDOW, now: datetime | None = None) -> Dashboard:
    until = (now or timezone.now()).astimezone(dt_timezone.utc)
    window = window if window in WINDOWS else DEFAULT_WINDOW
    since = until - WINDOWS[window]
    mine = visible(AgentExecution.objects.all(), user=user)
    created = mine.filter(created_at__gte=since)

    per_hour: dict[datetime, dict[str, int]] = {}
    buckets = created.order_by().annotate(hour=TruncHour("created_at", tzinfo=dt_timezone.utc)).values("hour", "phase").annotate(n=Count("pk"))
    for row in buckets:
        per_hour.setdefault(row["hour"], {})[row["phase"]] = row["n"]
    first = since.replace(minute=0, second=0, microsecond=0)
    hours = [first + timedelta(hours=i) for i in range(int((until - first) / timedelta(hours=1)) + 1)]
    totals = {phase: sum(counts.get(phase, 0) for counts in per_hour.values()) for phase in Phase.values}

    failures = (
        created.filter(phase=Phase.FAILED).order_by()
        .values(reason=Left("error", 160)).annotate(n=Count("pk")).order_by("-n", "reason")[:TOP]
    )
    # Not windowed: whatever waits now, through the (phase, created_at) index, in one pass.
    pending = mine.filter(phase=Phase.PENDING).order_by().aggregate(
        slot=Count("pk", filter=Q(workflow_started_at__isnull=False)),
        temporal=Count("pk", filter=Q(workflow_started_at__isnull=True)),
    )
    waiting = {"for a runner slot": pending["slot"], "for Temporal (not started yet)": pending["temporal"]}
    if "WAITING_APPROVAL" in Phase.values:  # runs paused for a person's decision, where approvals exist
        waiting["for approval"] = mine.filter(phase="WAITING_APPROVAL").count()
    return Dashboard(
        window=window, since=since, until=until, hours=hours, per_hour=per_hour, totals=totals,
        duration=_percentiles(mine.filter(completed_at__gte=since, started_at__isnull=False), "started_at", "completed_at"),
        first_event=_percentiles(mine.filter(started_at__gte=since), "created_at", "started_at"),
        failures=[(row["reason"] or "(no reason recorded)", row["n"]) for row in failures],
        by_agent=_spending(created, "agent__slug"),
        by_user=_spending(created, "owner__username"),
        waiting=waiting,
        cost=_usd(created.aggregate(spent=Sum("cost"))["spent"]),
    )
