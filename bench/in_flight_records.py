"""What the runs-in-flight section reads back after its load (bench/in_flight.py):
the runner probe's record, the runs' spans, the database's write counters,
Temporal's histories, and the cost of one channel layer push alone."""
import asyncio
import json
import time
from collections import defaultdict


def probe_read(path) -> tuple[dict[str, list[tuple[float, float, int]]], list[tuple[float, float]], dict[str, int]]:
    """bench/runner_probe.py's record: pushes by execution, event loop lags, failed pushes."""
    pushes: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    lags, failed = [], {}
    with open(path, encoding="utf-8") as file:
        for line in file:
            kind, *fields = json.loads(line)
            if kind == "push":
                execution_id, pushed, accepted, length = fields
                pushes[execution_id].append((pushed, accepted, length))
            elif kind == "lag":
                lags.append(tuple(fields))
            else:
                failed[fields[0]] = fields[1]
    return pushes, lags, failed


def push_latencies(
    pushes: list[tuple[float, float, int]], frames: list[tuple[float, int]]
) -> list[tuple[float, float]] | None:
    """Each frame's push time and delay after it. A follower may join after the first
    pushes, so frames are matched from the last (a run's last push is its
    follower's last token); None when the deltas' lengths disagree (a lost frame)."""
    if not frames or len(frames) > len(pushes):
        return None
    tail = pushes[len(pushes) - len(frames):]
    if [length for _, _, length in tail] != [length for _, length in frames]:
        return None
    return [(pushed, arrived - pushed) for (pushed, _, _), (arrived, _) in zip(tail, frames)]


def run_spans(ids: list[str]) -> list[tuple[str, float | None, float | None]]:
    from executions.models import AgentExecution

    rows = AgentExecution.objects.filter(pk__in=ids).values_list("phase", "started_at", "completed_at")
    return [(phase, s and s.timestamp(), c and c.timestamp()) for phase, s, c in rows]


def peak_overlap(spans: list[tuple[float, float]]) -> int:
    """Most runs between their start and their end at one moment."""
    edges = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    peak = current = 0
    for _, step in edges:
        current += step
        peak = max(peak, current)
    return peak


def event_rows_count(ids: list[str]) -> int:
    from executions.models import ExecutionEvent

    return ExecutionEvent.objects.filter(execution_id__in=ids).count()


def _pg_writes() -> dict[str, int]:
    """Rows inserted, updated and deleted so far: ours (executions_*), LangGraph's checkpointer, all."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables")
        rows = cursor.fetchall()
    return {
        "event_log": sum(n for name, n in rows if name.startswith("executions_")),
        "checkpointer": sum(n for name, n in rows if name.startswith("checkpoint")),
        "all": sum(n for _, n in rows),
    }


def pg_writes_settled(before: dict | None = None, event_rows: int = 0, timeout: float = 15) -> dict[str, int]:
    """Backends report their counters lazily (within a second when busy, up to
    ten when they go idle): read until they are still and, after a window,
    count at least the event rows it inserted."""
    totals, deadline = _pg_writes(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(1.1)
        totals, previous = _pg_writes(), totals
        seen = before is None or totals["event_log"] - before["event_log"] >= event_rows
        if totals == previous and seen:
            break
    return totals


async def missed_heartbeats(workflow_ids: list[str]) -> dict:
    """Activity timeouts in the runs' histories, heartbeat ones apart."""
    from temporalio.api.enums.v1 import EventType, TimeoutType

    from executions.temporal.client import temporal_connect

    client = await temporal_connect()
    window = asyncio.Semaphore(20)
    counts = {"heartbeat": 0, "other_timeouts": 0, "activity_failures": 0}

    async def one(workflow_id: str) -> None:
        async with window:
            history = await client.get_workflow_handle(workflow_id).fetch_history()
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
                info = event.activity_task_timed_out_event_attributes.failure.timeout_failure_info
                key = "heartbeat" if info.timeout_type == TimeoutType.TIMEOUT_TYPE_HEARTBEAT else "other_timeouts"
                counts[key] += 1
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
                counts["activity_failures"] += 1

    await asyncio.gather(*(one(w) for w in workflow_ids))
    return counts


async def group_send_cost(sends: int = 1000) -> dict:
    """CPU of one token push (executions.live.token_publish, as the runner
    pushes) in this process, alone: for a run no one follows and for one with
    a member."""
    import resource

    from channels.layers import get_channel_layer

    from executions.live import token_publish
    from executions.live.groups import execution_group

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_THREAD)
        return usage.ru_utime + usage.ru_stime

    layer = get_channel_layer()
    member = await layer.new_channel()
    await layer.group_add(execution_group("bench-cost-followed"), member)
    costs = {}
    try:
        for label, execution in (("unfollowed_us", "bench-cost-unfollowed"), ("followed_us", "bench-cost-followed")):
            spent = 0.0
            for _ in range(sends):
                before = cpu()
                await token_publish(execution_id=execution, delta="word ")
                spent += cpu() - before
                if label == "followed_us":
                    await layer.receive(member)  # keep its queue short, as a follower does
            costs[label] = 1e6 * spent / sends
    finally:
        await layer.group_discard(execution_group("bench-cost-followed"), member)
    return costs
