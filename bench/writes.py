"""Write amplification: rows and bytes one execution writes, for transcripts of
`small` and `large` tool calls (the scripted model's `tool_calls` option), run
through the real platform. Inserted rows and their bytes (pg_column_size) are
counted per table for the execution itself; updates come from pg_stat deltas."""
import time

import httpx
from django.db import connection

from bench.environment import Environment
from bench.fixtures import Client, bench_agent
from bench.platform_e2e import _create, _until_terminal

# table → (filter column, which id it holds)
TABLES = {
    "executions_agentexecution": ("id", "execution"),
    "executions_session": ("id", "session"),
    "executions_executionevent": ("execution_id", "execution"),
    "checkpoints": ("thread_id", "thread"),
    "checkpoint_blobs": ("thread_id", "thread"),
    "checkpoint_writes": ("thread_id", "thread"),
}


def _stat_totals() -> dict[str, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd FROM pg_stat_user_tables")
        return {name: (ins, upd) for name, ins, upd in cursor.fetchall()}


def _stat_quiet(timeout: float = 10) -> dict[str, tuple[int, int]]:
    """Totals once no backend has counters left to report: they report
    lazily, about once a second, and the previous section's updates would
    otherwise land in this execution's window."""
    totals, deadline = _stat_totals(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(1.1)
        totals, previous = _stat_totals(), totals
        if totals == previous:
            break
    return totals


def _inserted(execution_id: str) -> dict[str, tuple[int, int]]:
    from executions.models import AgentExecution

    execution = AgentExecution.objects.select_related("session").get(pk=execution_id)
    ids = {"execution": str(execution.pk), "session": str(execution.session_id),
           "thread": execution.session.thread_id}
    counts = {}
    with connection.cursor() as cursor:
        for table, (column, which) in TABLES.items():
            cursor.execute(
                f"SELECT count(*), coalesce(sum(pg_column_size(t.*)), 0) FROM {table} t WHERE {column}::text = %s",
                [ids[which]],
            )
            counts[table] = cursor.fetchone()
    return counts


def _updates_settled(before: dict, inserted_events: int, timeout: float = 20) -> int:
    """Updates since `before`, once the statistics show this execution's inserts
    (backends report their counters to pg_stat lazily, within seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        after = _stat_totals()
        ins = after["executions_executionevent"][0] - before.get("executions_executionevent", (0, 0))[0]
        if ins >= inserted_events or time.monotonic() > deadline:
            return sum(after[t][1] - before.get(t, (0, 0))[1] for t in TABLES if t in after)
        time.sleep(0.5)


async def _run_one(env: Environment, client: Client, tool_calls: int) -> dict:
    from runner.db import db

    agent = await db(bench_agent)(slug=f"bench-tools-{tool_calls}", tool_calls=tool_calls)
    before = await db(_stat_quiet)()
    async with httpx.AsyncClient(base_url=env.url, headers=client.api_headers, timeout=60) as http:
        execution_id = await _create(http, agent.slug)
    frame = await _until_terminal(env, client, execution_id)
    if frame["data"]["phase"] != "COMPLETED":
        raise RuntimeError(f"{tool_calls}-call execution ended {frame['data']}")
    inserted = await db(_inserted)(execution_id)
    updates = await db(_updates_settled)(before, inserted["executions_executionevent"][0])
    ours = [t for t in TABLES if t.startswith("executions_")]
    return {
        "tool_calls": tool_calls,
        "tables": {t: {"rows": r, "bytes": b} for t, (r, b) in inserted.items()},
        "rows": sum(r for r, _ in inserted.values()),
        "bytes": sum(b for _, b in inserted.values()),
        "event_log_rows": sum(inserted[t][0] for t in ours),
        "event_log_bytes": sum(inserted[t][1] for t in ours),
        "updates": updates,
    }


async def run(env: Environment, client: Client, *, small: int, large: int) -> dict:
    results = [await _run_one(env, client, n) for n in (small, large)]
    short, long = results
    ratio = lambda key: long[key] / short[key] if short[key] else float("nan")  # noqa: E731
    return {
        "runs": results,
        "ratio_rows": ratio("rows"),
        "ratio_bytes": ratio("bytes"),
        "ratio_event_log_rows": ratio("event_log_rows"),
        "ratio_event_log_bytes": ratio("event_log_bytes"),
        "ratio_updates": ratio("updates"),
        "expected_ratio": large / small,
    }
