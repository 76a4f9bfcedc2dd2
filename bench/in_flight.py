"""Runs in flight: one runner process holding N concurrent runs, each the scripted
model streaming a long answer with a token delay (about 10 s a run), some of
them followed on WebSockets and some on SSE.

The runner is `manage.py run_runner_worker` restarted for each N with
TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES raised to N (its default, 20, is the
first limit: it is how many runs one runner process takes at once) and started
through bench/runner_probe.py, which records each token push's time. Push
latency is bench/push.py's method: from the moment the
runner hands a token delta to the channel layer to its arrival at a follower of
the web process, both on CLOCK_MONOTONIC. What is read back after the load is
in bench/in_flight_records.py."""
import asyncio
import json
import time

import httpx

from bench.cpu import _process_seconds
from bench.environment import LOG_DIR, Environment, vm_hwm_mib
from bench.fixtures import Client
from bench.in_flight_records import (
    event_rows_count, group_send_cost, missed_heartbeats, peak_overlap, pg_writes_settled, probe_read,
    push_latencies, run_spans,
)
from bench.platform_e2e import HTTP_CONNECTIONS, TERMINAL, _create, _until_terminal, _ws
from bench.stats import latency_summary
from runner.db import db

AGENT = "bench-in-flight"
DEFAULT_SLOTS = 20  # TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES' default
DEFAULT_REDIS_CONNECTIONS = 100  # STIGMER_REDIS_MAX_CONNECTIONS' default


def in_flight_agent(*, words: int, delay: float):
    from executions.models import Agent

    agent, _ = Agent.objects.update_or_create(
        slug=AGENT,
        defaults={
            "name": f"Bench in flight ({words} words, {delay * 1000:.0f} ms a token, offline scripted model)",
            "model": "scripted:demo",
            "model_options": {"answer_words": words, "token_delay": delay},
            "tools": [],
            "instructions": "You are a helpful assistant.",
        },
    )
    return agent


async def _follow_ws(env: Environment, client: Client, execution_id: str, frames: list) -> None:
    async with _ws(env, f"/ws/executions/{execution_id}/", client) as socket:
        async for raw in socket:
            arrived = time.monotonic()
            frame = json.loads(raw)
            if frame.get("type") == "token":
                frames.append((arrived, len(frame["delta"])))
            elif frame.get("type") == "phase" and frame["data"]["phase"] in TERMINAL:
                return


async def _follow_sse(http: httpx.AsyncClient, execution_id: str, frames: list) -> None:
    """Until the server ends the stream (after the terminal phase)."""
    event = None
    async with http.stream("GET", f"/api/v1/executions/{execution_id}/stream/") as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            arrived = time.monotonic()
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "token":
                frames.append((arrived, len(json.loads(line[6:])["delta"])))


async def _warm(env: Environment, client: Client, http: httpx.AsyncClient, agent: str) -> None:
    """One run on the fresh runner, so its idle size includes what a first run loads."""
    frame = await _until_terminal(env, client, await _create(http, agent, "warm up"))
    if frame["data"]["phase"] != "COMPLETED":
        raise RuntimeError(f"in-flight warm-up run ended {frame['data']}")


async def run_one(env: Environment, client: Client, *, n: int, words: int, delay: float, followers: int) -> dict:
    from executions.temporal.contract import workflow_id_for

    pushes_file = LOG_DIR / f"in-flight-pushes-{n}.jsonl"
    pushes_file.unlink(missing_ok=True)
    runner = await asyncio.to_thread(
        env.runner_restart, ["-m", "bench.runner_probe", str(pushes_file)],
        TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES=str(max(n, DEFAULT_SLOTS)),
        # Up to one push per run at a time: a pool smaller than that drops tokens.
        STIGMER_REDIS_MAX_CONNECTIONS=str(max(n, DEFAULT_REDIS_CONNECTIONS)),
    )
    limits = httpx.Limits(max_connections=HTTP_CONNECTIONS)
    async with httpx.AsyncClient(base_url=env.url, headers=client.api_headers, timeout=120, limits=limits) as http, \
            httpx.AsyncClient(base_url=env.url, headers=client.api_headers, timeout=None) as sse:
        await _warm(env, client, http, AGENT)
        idle_rss = vm_hwm_mib(runner.pid, "VmRSS")
        writes_before = await db(pg_writes_settled)()
        cpu_before = _process_seconds(runner.pid)
        web_cpu_before = _process_seconds(env.processes["web"].pid)
        frames: dict[str, list] = {}
        follow_tasks: list[asyncio.Task] = []
        window = asyncio.Semaphore(HTTP_CONNECTIONS)
        # Every Nth run is followed, alternately on a WebSocket and on SSE.
        every = max(1, n // followers) if followers else 0

        async def create(i: int) -> str:
            async with window:
                execution_id = await _create(http, AGENT, f"Tell me a long story, number {i}.")
            if every and i % every == 0 and len(follow_tasks) < followers:
                frames[execution_id] = []
                follow = (_follow_ws(env, client, execution_id, frames[execution_id]) if len(follow_tasks) % 2 == 0
                          else _follow_sse(sse, execution_id, frames[execution_id]))
                follow_tasks.append(asyncio.create_task(follow))
            return execution_id

        started = time.monotonic()
        ids = await asyncio.gather(*(create(i) for i in range(n)))
        created = time.monotonic() - started
        deadline = started + 120 + 3 * words * delay + 0.5 * n
        while True:
            runs = await db(run_spans)(ids)
            if all(phase in TERMINAL for phase, _, _ in runs) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        elapsed = time.monotonic() - started
        cpu = _process_seconds(runner.pid) - cpu_before
        web_cpu = _process_seconds(env.processes["web"].pid) - web_cpu_before
        ended = time.monotonic()
        peak_rss = vm_hwm_mib(runner.pid)
        follow_done = (await asyncio.wait(follow_tasks, timeout=30))[0] if follow_tasks else set()
        for task in follow_tasks:
            task.cancel()
        follower_errors = sum(1 for t in follow_done if not t.cancelled() and t.exception() is not None)
    event_rows = await db(event_rows_count)(ids)
    writes_after = await db(pg_writes_settled)(writes_before, event_rows)
    heartbeats = await missed_heartbeats([workflow_id_for(i) for i in ids])
    await asyncio.to_thread(runner.stop)  # writes the pushes file
    pushes, lags, failed = probe_read(pushes_file)
    samples, unmatched = [], 0
    for execution_id, received in frames.items():
        latencies = push_latencies(pushes.get(execution_id, []), received)
        if latencies is None:
            unmatched += 1
        else:
            samples += latencies
    # Once every run is created, the web process only relays: the runner's share alone.
    creates_done = started + created
    completed = [(s, c) for phase, s, c in runs if phase == "COMPLETED"]
    durations = sorted(c - s for s, c in completed)
    tokens = sum(len(pushes.get(i, [])) for i in ids)  # not the warm-up's
    accepted = [a - p for i in ids for p, a, _ in pushes.get(i, []) if a is not None]
    return {
        "n": n, "words": words, "token_delay": delay,
        "completed": len(completed),
        "phases": {phase: sum(1 for p, _, _ in runs if p == phase) for phase in {p for p, _, _ in runs}},
        "created_seconds": created, "seconds": elapsed,
        "peak_in_flight": peak_overlap([(s, c) for s, c in completed]),
        "run_seconds_p50": durations[len(durations) // 2] if durations else float("nan"),
        "run_seconds_max": durations[-1] if durations else float("nan"),
        "followers": {"ws": (len(frames) + 1) // 2, "sse": len(frames) // 2, "unmatched": unmatched,
                      "errors": follower_errors},
        "push": latency_summary([latency for _, latency in samples]),
        "push_after_creates": latency_summary([latency for at, latency in samples if at >= creates_done]),
        "push_accepted": latency_summary(accepted),
        "loop_lag": latency_summary([lag for at, lag in lags if started <= at <= ended]),
        "web_cpu_seconds": web_cpu,
        "failed_pushes": failed,
        "heartbeats": heartbeats,
        "rss_idle_mib": idle_rss, "rss_peak_mib": peak_rss,
        "rss_per_run_mib": (peak_rss - idle_rss) / n,
        "cpu_seconds": cpu, "pushes": tokens, "streamed_tokens": n * words,
        "cpu_per_token_us": 1e6 * cpu / (n * words),
        "event_rows_per_run": event_rows / n,
        "writes_per_run": {k: (writes_after[k] - writes_before[k]) / n for k in writes_after},
    }


async def run(env: Environment, client: Client, *, sizes: list[int], words: int, delay: float,
              followers: float) -> dict:
    """Each N in turn on a fresh runner; the Environment's own runner is back after."""
    await db(in_flight_agent)(words=words, delay=delay)
    results = []
    try:
        for n in sizes:
            print(f"   N = {n}", flush=True)
            results.append(await run_one(env, client, n=n, words=words, delay=delay,
                                         followers=max(2, round(n * followers))))
    finally:
        await asyncio.to_thread(env.runner_restart)
    return {"runs": results, "words": words, "token_delay": delay, "group_send": await group_send_cost(),
            "peer": await peer_in_flight(sizes, words=words, delay=delay)}


async def peer_in_flight(sizes: list[int], *, words: int, delay: float) -> dict:
    """LangGraph Server (bench/peer.py) with as many jobs as runs, the same
    graph and load, each run streamed to its client; it may fail softly, like
    the peer of the other sections: the reason is recorded."""
    import traceback

    from bench import peer as peer_mod

    try:
        peer = await asyncio.to_thread(
            peer_mod.Peer, jobs=max(sizes),
            env={"BENCH_IN_FLIGHT_WORDS": str(words), "BENCH_IN_FLIGHT_DELAY": str(delay)},
        )
    except Exception as exc:  # noqa: BLE001 - the peer is optional: record why
        traceback.print_exc()
        return {"error": f"unavailable: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"}
    runs = []
    try:
        for n in sizes:
            print(f"   LangGraph Server, N = {n}", flush=True)
            runs.append(await peer.in_flight(n=n, words=words))
    except Exception as exc:  # noqa: BLE001
        traceback.print_exc()
        return {"runs": runs, "error": f"run failed: {type(exc).__name__}: {exc}"[:300]}
    finally:
        peer.stop()
    return {"runs": runs}
