"""Where an execution's time goes: median gaps between consecutive steps, from
our event log (server clock) and from Temporal's workflow history."""
import statistics
from collections import defaultdict

from temporalio.api.enums.v1 import EventType as HistoryEventType
from temporalio.client import Client


def _median_gaps(timelines: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """Median ms between step i-1 and step i, over timelines of the same shape."""
    gaps: dict[tuple[int, str], list[float]] = defaultdict(list)
    for timeline in timelines:
        for i in range(1, len(timeline)):
            label = f"{timeline[i - 1][0]} → {timeline[i][0]}"
            gaps[(i, label)].append((timeline[i][1] - timeline[i - 1][1]) * 1000)
    return [(label, statistics.median(values)) for (_, label), values in sorted(gaps.items())]


def event_log_steps(execution_ids: list[str]) -> list[tuple[str, float]]:
    from executions.models import AgentExecution

    timelines = []
    for execution in AgentExecution.objects.filter(pk__in=execution_ids).prefetch_related("events"):
        steps = [("created", execution.created_at.timestamp())]
        for event in sorted(execution.events.all(), key=lambda e: e.sequence):
            data = event.data or {}
            label = data.get("phase") or data.get("role") or event.type
            if event.type == "message" and data.get("tool_calls"):
                label = "ai tool call"
            steps.append((f"{event.type}:{label}" if event.type != "phase" else label, event.created_at.timestamp()))
        timelines.append(steps)
    return _median_gaps(timelines)


async def history_steps(client: Client, workflow_ids: list[str]) -> list[tuple[str, float]]:
    timelines = []
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        timelines.append([
            (HistoryEventType.Name(e.event_type).removeprefix("EVENT_TYPE_"), e.event_time.ToDatetime().timestamp())
            for e in history.events
        ])
    return _median_gaps(timelines)
