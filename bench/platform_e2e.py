"""Our platform end to end: POST /api/v1/executions/ → the terminal phase seen
on the execution's WebSocket; sequential latency, then throughput with a
window of executions in flight (completions seen on the phase feed)."""
import asyncio
import json
import time

import httpx
import websockets

from bench.environment import Environment, vm_hwm_mib
from bench.fixtures import ANSWER, QUESTION, Client
from bench.sequential import PAUSE, paced
from bench.stats import latency_summary

TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}
HTTP_CONNECTIONS = 16
QUIET = 10.0  # seconds without a feed frame before the API is asked


def _ws(env: Environment, path: str, client: Client):
    return websockets.connect(
        env.url.replace("http", "ws") + path,
        additional_headers={"Cookie": client.cookie, "Origin": env.url},
        open_timeout=10, max_size=None,
    )


async def _create(http: httpx.AsyncClient, agent: str, message: str = QUESTION) -> str:
    response = await http.post("/api/v1/executions/", json={"agent": agent, "message": message})
    if response.status_code != 201:
        raise RuntimeError(f"create failed: {response.status_code} {response.text[:500]}")
    return response.json()["id"]


async def _until_terminal(env: Environment, client: Client, execution_id: str) -> dict:
    async with _ws(env, f"/ws/executions/{execution_id}/", client) as socket:
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=120))
            if frame.get("type") == "phase" and frame["data"]["phase"] in TERMINAL:
                return frame


async def _one(env: Environment, client: Client, http: httpx.AsyncClient, agent: str) -> tuple[str, float]:
    started = time.perf_counter()
    execution_id = await _create(http, agent)
    frame = await _until_terminal(env, client, execution_id)
    elapsed = time.perf_counter() - started
    if frame["data"]["phase"] != "COMPLETED":
        raise RuntimeError(f"execution {execution_id} ended {frame['data']}")
    return execution_id, elapsed


def api(env: Environment, client: Client) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=env.url, headers=client.api_headers, timeout=60)


def run(env: Environment, client: Client, http: httpx.AsyncClient, agent: str):
    """One execution, timed: for `paced` and `paced_in_turn`."""
    return lambda: _one(env, client, http, agent)


def summary(runs: list[tuple[str, float]]) -> dict:
    return {**latency_summary([elapsed for _, elapsed in runs]), "ids": [execution_id for execution_id, _ in runs]}


async def latency(
    env: Environment, client: Client, *, agent: str, n: int, warmup: int, pause: float = PAUSE
) -> dict:
    async with api(env, client) as http:
        return summary(await paced(run(env, client, http, agent), n=n, warmup=warmup, pause=pause))


async def throughput(env: Environment, client: Client, *, agent: str, total: int, in_flight: int) -> dict:
    done: dict[str, asyncio.Future] = {}
    loop = asyncio.get_running_loop()

    def future(execution_id: str) -> asyncio.Future:
        return done.setdefault(execution_id, loop.create_future())

    heard = {"at": time.monotonic(), "missed": 0}

    def finish(execution_id: str, phase: str) -> None:
        f = future(execution_id)
        if not f.done():
            f.set_result(phase)

    async def feed(socket) -> None:
        async for raw in socket:
            frame = json.loads(raw)
            heard["at"] = time.monotonic()
            if frame.get("phase") in TERMINAL:
                finish(frame["execution"], frame["phase"])

    async def sweep(http) -> None:
        """A follower's channel holds `capacity` messages (channels-redis: 100);
        when the machine lags behind a burst, the layer drops the rest, and a
        completion may never come. After a quiet spell the API is asked; the
        count is reported, not hidden."""
        while True:
            await asyncio.sleep(QUIET)
            if time.monotonic() - heard["at"] < QUIET:
                continue
            for execution_id, f in list(done.items()):
                if not f.done():
                    phase = (await http.get(f"/api/v1/executions/{execution_id}/")).json()["phase"]
                    if phase in TERMINAL:
                        heard["missed"] += 1
                        finish(execution_id, phase)

    window = asyncio.Semaphore(in_flight)
    # The executions are in flight; their creates share a small HTTP pool. Under
    # ASGI Django holds one database connection per concurrent request, and 200
    # concurrent requests exceed PostgreSQL's default 100 connections.
    limits = httpx.Limits(max_connections=HTTP_CONNECTIONS)
    async with _ws(env, "/ws/executions/", client) as socket, httpx.AsyncClient(
        base_url=env.url, headers=client.api_headers, timeout=120, limits=limits
    ) as http:
        listener, sweeper = asyncio.create_task(feed(socket)), asyncio.create_task(sweep(http))

        async def one(i: int) -> str:
            async with window:
                execution_id = await _create(http, agent, f"What is {i}*7?")
                return await asyncio.wait_for(future(execution_id), timeout=300)

        started = time.perf_counter()
        phases = await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - started
        listener.cancel()
        sweeper.cancel()
    failed = [p for p in phases if p != "COMPLETED"]
    if failed:
        raise RuntimeError(f"{len(failed)} of {total} executions did not complete: {set(failed)}")
    return {
        "total": total, "in_flight": in_flight, "seconds": elapsed, "per_second": total / elapsed,
        "completions_missed_by_feed": heard["missed"],
        "runner_peak_rss_mib": vm_hwm_mib(env.processes["runner"].pid),
    }


def check_outputs(ids: list[str]) -> None:
    """The API's answer is the scripted one: the agent really ran its tool."""
    from executions.models import AgentExecution

    wrong = AgentExecution.objects.filter(pk__in=ids).exclude(output=ANSWER).count()
    if wrong:
        raise RuntimeError(f"{wrong} executions answered something other than {ANSWER!r}")
