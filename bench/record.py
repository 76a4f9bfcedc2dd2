"""Scale of the record: admin changelist and API list pages with `rows`
executions in PostgreSQL, seeded in bulk (INSERT ... SELECT generate_series).
Times are HTTP round trips to the web process; the SQL of each page is then
profiled in-process (per-query time, EXPLAIN ANALYZE of the slowest)."""
import time

import httpx
from django.db import connection
from django.test import Client as DjangoClient

from bench.environment import Environment
from bench.fixtures import Client
from bench.stats import percentile
from executions.models import Agent

SEED_SQL = """
INSERT INTO executions_agentexecution (
    id, agent_id, session_id, owner_id, message, model, phase, output, error,
    input_tokens, output_tokens, total_tokens, workflow_id, workflow_started_at, start_error,
    last_sequence, started_at, completed_at, created_at, updated_at, input_price, output_price,
    depth, multitask_strategy, traceparent)
SELECT gen_random_uuid(), (%(agents)s::bigint[])[1 + g %% cardinality(%(agents)s::bigint[])], NULL, %(owner)s,
    'What is ' || g || '*7?', '',
    CASE WHEN g %% 100 < 90 THEN 'COMPLETED' WHEN g %% 100 < 95 THEN 'FAILED'
         WHEN g %% 100 < 98 THEN 'CANCELLED' WHEN g %% 100 < 99 THEN 'IN_PROGRESS' ELSE 'PENDING' END,
    'The result is ' || (g * 7) || '.',
    CASE WHEN g %% 100 >= 90 AND g %% 100 < 95 THEN (ARRAY['agent failed: boom', 'runner worker lost: ExecuteGraphton stopped heartbeating',
         'model provider openai is unavailable (503); gave up after 5 attempts'])[1 + g %% 3] ELSE '' END,
    29, 5, 34, 'stigmer/agent-execution/invoke/seed-' || g,
    ts, '', 11, ts, ts + interval '1 second', ts, ts + interval '1 second', 0.15, 0.60, 0, '', ''
FROM generate_series(1, %(rows)s) AS g, LATERAL (SELECT now() - g * interval '30 seconds' AS ts) AS t
"""


def seed(*, rows: int, owner_id: int) -> dict:
    agents = [Agent.objects.update_or_create(slug=f"seed-{i}", defaults={"name": f"Seed {i}"})[0].pk
              for i in range(10)]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, {"agents": agents, "owner": owner_id, "rows": rows})
        cursor.execute("ANALYZE executions_agentexecution")
    return {"rows": rows, "seconds": time.perf_counter() - started}


def pages(client: Client) -> dict[str, tuple[str, str]]:
    agent = Agent.objects.get(slug="seed-3")
    admin = "/admin/executions/agentexecution/"
    return {
        "admin changelist, first page": ("admin", admin),
        "admin changelist, phase + agent": ("admin", f"{admin}?phase__exact=FAILED&agent__id__exact={agent.pk}"),
        "API list, first page": ("api", "/api/v1/executions/"),
        "API list, phase + agent": ("api", f"/api/v1/executions/?phase=FAILED&agent={agent.slug}"),
    }


def time_pages(env: Environment, client: Client, *, repeat: int) -> dict:
    results = {}
    headers = {"admin": {"Cookie": client.cookie}, "api": client.api_headers}
    with httpx.Client(base_url=env.url, timeout=120) as http:
        for name, (kind, url) in pages(client).items():
            samples = []
            for i in range(repeat + 1):  # the first is a warm-up
                started = time.perf_counter()
                response = http.get(url, headers=headers[kind])
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code} {response.text[:300]}")
                if i:
                    samples.append(elapsed)
            results[name] = {"url": url, "p50_ms": percentile(samples, 50), "max_ms": max(samples)}
    return results


def profile_pages(client: Client) -> dict[str, dict]:
    """Each page once in-process: its queries by time, and the slowest one's plan."""
    django = DjangoClient()
    django.force_login(client.user)
    profiles = {}
    for name, (kind, url) in pages(client).items():
        queries: list[tuple[float, str, tuple]] = []

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append(((time.perf_counter() - started) * 1000, sql, params))

        extra = {"HTTP_AUTHORIZATION": f"Token {client.token}"} if kind == "api" else {}
        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            django.get(url, **extra)
        total = (time.perf_counter() - started) * 1000
        queries.sort(key=lambda q: q[0], reverse=True)
        slowest_ms, sql, params = queries[0]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        profiles[name] = {
            "total_ms": total, "sql_ms": sum(q[0] for q in queries), "queries": len(queries),
            "top": [(ms, sql[:300]) for ms, sql, _ in queries[:4]], "plan": plan,
        }
    return profiles
