"""The peer: LangGraph Server (`langgraph dev`, from langgraph-cli[inmem], in its
own virtualenv) serving bench/peer_graph.py; runs created and waited for through
its REST API (POST /threads, POST /threads/{id}/runs/wait)."""
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.environment import LOG_DIR, ROOT, Process, free_port
from bench.fixtures import ANSWER, QUESTION
from bench.sequential import paced
from bench.stats import latency_summary

VENV = Path(os.environ.get("BENCH_VENV", ROOT / ".bench-venv"))
CLI = "langgraph-cli[inmem]==0.4.40"
JOBS = 20  # the same concurrency as our runner worker (TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES)


def _pinned(package: str) -> str:
    """The version our requirements.txt pins, so both sides run the same graph code."""
    text = (ROOT / "requirements.txt").read_text()
    match = re.search(rf"^{re.escape(package)}==(\S+)", text, re.MULTILINE)
    return f"{package}=={match.group(1)}" if match else package


def venv_ensure() -> str:
    """Create the peer's virtualenv once (from PyPI); returns langgraph's path."""
    specs = [CLI, _pinned("langgraph"), _pinned("langchain-core")]
    stamp = VENV / ".bench-installed"
    langgraph = VENV / "bin" / "langgraph"
    if stamp.exists() and stamp.read_text() == "\n".join(specs) and langgraph.exists():
        return str(langgraph)
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    log = (LOG_DIR / "peer-install.log").open("w")
    subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", *specs],
                   check=True, stdout=log, stderr=subprocess.STDOUT, timeout=900)
    stamp.write_text("\n".join(specs))
    return str(langgraph)


class Peer:
    def __init__(self, *, jobs: int = JOBS, env: dict | None = None) -> None:
        langgraph = venv_ensure()
        workdir = LOG_DIR / "langgraph"
        workdir.mkdir(parents=True, exist_ok=True)
        config = workdir / "langgraph.json"
        config.write_text(json.dumps({
            "dependencies": [str(ROOT)],
            "graphs": {"agent": f"{ROOT / 'bench' / 'peer_graph.py'}:graph",
                       "in_flight": f"{ROOT / 'bench' / 'peer_graph.py'}:in_flight_graph"},
        }))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "LANGSMITH_TRACING": "false",
            "LANGCHAIN_TRACING_V2": "false",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process = Process(
            "peer-langgraph-dev",
            [langgraph, "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1",
             "--port", str(self.port), "--config", str(config), "--n-jobs-per-worker", str(jobs),
             "--server-log-level", "WARNING"],
            env,
            cwd=workdir,  # its in-memory runtime keeps files in .langgraph_api/ there
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.process.alive():
                raise RuntimeError(f"langgraph dev exited:\n{self.process.tail()}")
            try:
                if httpx.get(f"{self.url}/ok", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"langgraph dev not ready in {timeout}s:\n{self.process.tail()}")

    async def _one(self, http: httpx.AsyncClient, message: str = QUESTION) -> float:
        started = time.perf_counter()
        thread = (await http.post("/threads", json={})).raise_for_status().json()
        response = await http.post(
            f"/threads/{thread['thread_id']}/runs/wait",
            json={"assistant_id": "agent", "input": {"messages": [{"role": "human", "content": message}]}},
        )
        elapsed = time.perf_counter() - started
        state = response.raise_for_status().json()
        last = state["messages"][-1]["content"]
        if message == QUESTION and last != ANSWER:
            raise RuntimeError(f"LangGraph Server answered {last!r}")
        return elapsed

    async def latency(self, *, n: int, warmup: int) -> dict:
        async with httpx.AsyncClient(base_url=self.url, timeout=120) as http:
            return latency_summary(await paced(lambda: self._one(http), n=n, warmup=warmup))

    async def throughput(self, *, total: int, in_flight: int) -> dict:
        window = asyncio.Semaphore(in_flight)
        limits = httpx.Limits(max_connections=in_flight)
        async with httpx.AsyncClient(base_url=self.url, timeout=600, limits=limits) as http:
            retried = 0

            async def one(i: int) -> float:
                nonlocal retried
                async with window:
                    for attempt in range(3):
                        try:
                            return await self._one(http, f"What is {i}*7?")
                        except httpx.TransportError:
                            # Under 200 connections the server sometimes drops a
                            # kept-alive one as it is reused: the run is redone.
                            if attempt == 2:
                                raise
                            retried += 1

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(total)))
            elapsed = time.perf_counter() - started
        return {"total": total, "in_flight": in_flight, "seconds": elapsed, "per_second": total / elapsed,
                "server_peak_rss_mib": _tree_hwm(self.process.pid), "retried": retried}

    async def in_flight(self, *, n: int, words: int) -> dict:
        """N runs of the in-flight graph at once (bench/in_flight.py's load)."""
        from bench.cpu import _process_seconds
        from bench.environment import vm_hwm_mib

        async def one(http: httpx.AsyncClient, i: int) -> tuple[float, float, bool]:
            """A run streamed to its client token by token (`/runs/wait` would
            call the model without streaming, hence without its token delay)."""
            started = time.monotonic()
            thread = (await http.post("/threads", json={})).raise_for_status().json()
            tokens = 0
            async with http.stream(
                "POST", f"/threads/{thread['thread_id']}/runs/stream",
                json={"assistant_id": "in_flight", "stream_mode": ["messages-tuple"],
                      "input": {"messages": [{"role": "human", "content": f"Tell me a long story, number {i}."}]}},
            ) as response:
                response.raise_for_status()
                async for line in response.aiter_lines():
                    tokens += line.startswith("event: messages")
            return started, time.monotonic(), tokens >= words

        limits = httpx.Limits(max_connections=n)
        async with httpx.AsyncClient(base_url=self.url, timeout=900, limits=limits) as http:
            await one(http, -1)  # warm-up, as ours
            server = max([self.process.pid, *_children(self.process.pid)],
                         key=lambda pid: vm_hwm_mib(pid, "VmRSS"))
            idle = vm_hwm_mib(server, "VmRSS")
            cpu = _process_seconds(server)
            started = time.monotonic()
            runs = await asyncio.gather(*(one(http, i) for i in range(n)), return_exceptions=True)
            elapsed = time.monotonic() - started
        done = [r for r in runs if not isinstance(r, BaseException) and r[2]]
        from bench.in_flight_records import peak_overlap

        return {"n": n, "completed": len(done), "seconds": elapsed,
                "errors": sorted({f"{type(r).__name__}: {r}"[:120] for r in runs if isinstance(r, BaseException)})[:3],
                "peak_in_flight": peak_overlap([(s, e) for s, e, _ in done]),
                "server_idle_rss_mib": idle, "server_peak_rss_mib": vm_hwm_mib(server),
                "rss_per_run_mib": (vm_hwm_mib(server) - idle) / n,
                "cpu_seconds": _process_seconds(server) - cpu}

    def stop(self) -> None:
        self.process.stop()


def _tree_hwm(pid: int) -> float:
    """Peak RSS of langgraph dev's largest process (the CLI execs the API server)."""
    from bench.environment import vm_hwm_mib

    pids = [pid, *_children(pid)]
    return max(vm_hwm_mib(p) for p in pids)


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for c in found] + [g for c in found for g in _children(int(c))]
