"""`python -m bench.dashboard [--rows N] [--repeat R] [--fresh]`: the admin
dashboard's queries at 1,000,000 executions in PostgreSQL.

Seeds its own database (`stigmer_bench_dashboard`, kept between runs unless
--fresh) with the list-pages bench's bulk seed (bench/record.py: one
execution every 30 s back from now, 90% completed, 5% failed, ...), then, in
this process, times the dashboard for each window as a user who sees
everything (one query set, the most rows) and as an owner of none: each
query's time, the whole page's SQL, and EXPLAIN ANALYZE of the slowest. The
runners list (one Temporal call, at most 2 s) is left out: it is not a query.
Writes docs/dashboard-benchmark.md."""
import argparse
import os
import subprocess
import sys
import time

from bench.environment import LOG_DIR, ROOT, database_recreate, POSTGRES
from bench.stats import percentile

DATABASE = "stigmer_bench_dashboard"


def _setup(fresh: bool) -> None:
    url = database_recreate(DATABASE) if fresh else f"{POSTGRES}/{DATABASE}"
    if not fresh:
        import psycopg

        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
                database_recreate(DATABASE)
    os.environ.update({"DJANGO_SETTINGS_MODULE": "stigmer.settings", "DATABASE_URL": url, "LOG_LEVEL": "WARNING"})
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    import django

    django.setup()


def _timed_queries(fn):
    from django.db import connection

    queries: list[tuple[float, str, tuple]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - started) * 1000, sql, params))

    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        fn()
    return (time.perf_counter() - started) * 1000, queries


def measure(*, rows: int, repeat: int) -> dict:
    from django.db import connection
    from django.test import RequestFactory

    from bench import record
    from bench.fixtures import bench_client
    from executions.admin import dashboard
    from executions.dashboard.runners import Runners
    from executions.dashboard.selectors import WINDOWS
    from executions.models import AgentExecution

    client = bench_client()
    have = AgentExecution.objects.count()
    seeded = record.seed(rows=rows - have, owner_id=client.user.pk) if have < rows else {"rows": 0, "seconds": 0}
    dashboard.runners_polling = lambda: Runners("(not asked)", [])  # a Temporal call, not a query
    results = {"rows": AgentExecution.objects.count(), "seed": seeded, "windows": {}}
    nobody = type(client.user).objects.get_or_create(username="bench-nobody", defaults={"is_staff": True})[0]
    for who, user in (("everyone's (superuser)", client.user), ("own only (none)", nobody)):
        for window in WINDOWS:
            request = RequestFactory().get(f"/admin/dashboard/?window={window}&fragment=1")
            request.user = user
            samples = []
            for i in range(repeat + 1):  # the first is a warm-up
                elapsed, queries = _timed_queries(lambda: dashboard.dashboard_view(request).render())
                if i:
                    samples.append(elapsed)
            in_window = AgentExecution.objects.filter(created_at__gte=_since(window)).count()
            queries.sort(key=lambda q: q[0], reverse=True)
            slowest_ms, sql, params = queries[0]
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}", params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            results["windows"][f"{who}, {window}"] = {
                "rows_in_window": in_window, "p50_ms": percentile(samples, 50), "max_ms": max(samples),
                "queries": len(queries), "sql_ms": sum(q[0] for q in queries),
                "top": [(round(ms, 2), sql[:160]) for ms, sql, _ in queries[:3]], "plan": plan,
            }
    return results


def _since(window: str):
    from django.utils import timezone

    from executions.dashboard.selectors import WINDOWS

    return timezone.now() - WINDOWS[window]


def render(results: dict, *, repeat: int) -> str:
    lines = [
        "# Dashboard benchmark", "",
        f"`python -m bench.dashboard`: the admin dashboard (/admin/dashboard/, its body as the live refresh "
        f"fetches it) over {results['rows']:,} executions in PostgreSQL, {repeat} timed renders each after a "
        "warm-up, in-process (no HTTP), the Temporal call for the runners left out.", "",
        "| who, window | executions in window | p50 ms | max ms | queries | SQL ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, row in results["windows"].items():
        lines.append(f"| {name} | {row['rows_in_window']:,} | {row['p50_ms']:.1f} | {row['max_ms']:.1f} | "
                     f"{row['queries']} | {row['sql_ms']:.1f} |")
    widest = max(results["windows"].items(), key=lambda item: item[1]["sql_ms"])
    lines += ["", f"Slowest queries of the heaviest page ({widest[0]}):", ""]
    lines += [f"- {ms} ms: `{sql}…`" for ms, sql in widest[1]["top"]]
    lines += ["", "Its plan:", "", "```", widest[1]["plan"], "```", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", action="store_true", help="drop and seed the database again")
    args = parser.parse_args()
    _setup(args.fresh)
    results = measure(rows=args.rows, repeat=args.repeat)
    markdown = render(results, repeat=args.repeat)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    output = ROOT / "docs" / "dashboard-benchmark.md" if args.rows >= 1_000_000 else LOG_DIR / "dashboard-smoke.md"
    output.write_text(markdown)
    print(markdown)
    print(f"written to {output.relative_to(ROOT)}; seeded {results['seed']['rows']:,} rows in {results['seed']['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
