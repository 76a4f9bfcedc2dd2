"""Prometheus metrics read from the database, so they are true across every
web, orchestration and runner process without a push gateway."""
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeHistogramMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from executions.models import AgentExecution, Phase, PruneRun
from stigmer.config import env

BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def _window() -> timedelta:
    return timedelta(seconds=env("STIGMER_METRICS_WINDOW_SECONDS"))


def _histogram(name: str, doc: str, start: str, end: str, since) -> GaugeHistogramMetricFamily:
    span = ExpressionWrapper(F(end) - F(start), output_field=DurationField())
    rows = AgentExecution.objects.filter(**{f"{end}__gte": since, f"{start}__isnull": False})
    rows = rows.annotate(span=span)
    aggregates = {
        f"le_{i}": Count("pk", filter=Q(span__lte=timedelta(seconds=b)))
        for i, b in enumerate(BUCKETS)
    }
    counts = rows.aggregate(total=Count("pk"), spent=Sum("span"), **aggregates)
    buckets = [(str(b), counts[f"le_{i}"]) for i, b in enumerate(BUCKETS)]
    buckets.append(("+Inf", counts["total"]))
    total = counts["spent"].total_seconds() if counts["spent"] else 0.0
    return GaugeHistogramMetricFamily(name, doc, buckets=buckets, gsum_value=total)


def _tokens_and_cost() -> tuple[CounterMetricFamily, CounterMetricFamily]:
    """Tokens and cost recorded on executions, by the model that ran them
    (the execution's override, else its agent's), in one grouped query."""
    tokens = CounterMetricFamily(
        "stigmer_tokens", "Tokens used by executions, by model and kind.", labels=["model", "kind"]
    )
    cost = CounterMetricFamily(
        "stigmer_cost_usd", "Cost of executions in US dollars (their usage at their prices), by model.",
        labels=["model"],
    )
    rows = (
        AgentExecution.objects.order_by()
        .annotate(spec=Coalesce(NullIf("model", Value("")), "agent__model"))
        .values("spec")
        .annotate(input=Sum("input_tokens"), output=Sum("output_tokens"), spent=Sum("cost"))
    )
    for row in rows:
        tokens.add_metric([row["spec"], "input"], row["input"] or 0)
        tokens.add_metric([row["spec"], "output"], row["output"] or 0)
        cost.add_metric([row["spec"]], float(row["spent"] or 0))
    return tokens, cost


class ExecutionCollector:
    def collect(self):
        phases = GaugeMetricFamily(
            "stigmer_executions", "Executions by phase.", labels=["phase"]
        )
        counted = dict(
            AgentExecution.objects.order_by().values_list("phase").annotate(n=Count("pk"))
        )
        for phase in Phase.values:
            phases.add_metric([phase], counted.get(phase, 0))
        yield phases
        yield from _tokens_and_cost()
        since = timezone.now() - _window()
        yield _histogram(
            "stigmer_execution_duration_seconds",
            "Run time (started to completed) of executions finished in the window.",
            "started_at", "completed_at", since,
        )
        yield _histogram(
            "stigmer_execution_time_to_first_event_seconds",
            "Wait from creation to the runner's first event, executions started in the window.",
            "created_at", "started_at", since,
        )
        yield from _retention()


def _retention():
    """What the retention job deleted, over every pass of every worker."""
    totals = PruneRun.objects.aggregate(
        executions=Sum("executions"), events=Sum("events"), checkpoints=Sum("checkpoints"),
        runs=Count("pk", filter=Q(finished_at__isnull=False)), last=Max("finished_at"),
    )
    pruned = CounterMetricFamily(
        "stigmer_pruned", "Rows deleted by retention: executions, their events, idle sessions' checkpoints.",
        labels=["kind"],
    )
    for kind in ("executions", "events", "checkpoints"):
        pruned.add_metric([kind], totals[kind] or 0)
    yield pruned
    yield CounterMetricFamily("stigmer_prune_runs", "Finished retention passes.", value=totals["runs"])
    yield GaugeMetricFamily(
        "stigmer_prune_last_finished_timestamp_seconds", "When the last retention pass finished (0: never).",
        value=totals["last"].timestamp() if totals["last"] else 0,
    )


def metrics_view(request) -> HttpResponse:
    registry = CollectorRegistry()
    registry.register(ExecutionCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
