"""The floor's latency and throughput, measured from a Temporal client."""
import asyncio
import sys
import time
import uuid

from temporalio.client import Client

from bench.environment import Environment, Process
from bench.fixtures import ANSWER
from bench.floor_worker import MEMO_QUEUE, WORKFLOW
from bench.sequential import PAUSE, paced
from bench.stats import latency_summary
from bench.timeline import history_steps


class Floor:
    """The bare floor, or with `agent` the agent floor: the same workflow
    whose second activity runs our LangGraph agent (bench/floor_worker.py)."""

    def __init__(self, env: Environment, *, agent: bool = False) -> None:
        suffix = uuid.uuid4().hex[:8]
        self.env = env
        name = "agent-floor" if agent else "floor"
        self.queue, self.activity_queue = f"{name}-wf-{suffix}", f"{name}-act-{suffix}"
        roles = (("workflow", self.queue), ("agent-activities" if agent else "activities", self.activity_queue))
        self.processes = [
            Process(f"{name}-{role.removeprefix('agent-')}", [sys.executable, "-m", "bench.floor_worker", role,
                                                              env.temporal_host_port, queue], env.env)
            for role, queue in roles
        ]
        try:
            for process in self.processes:
                process.wait_for("floor worker polling")
        except Exception:
            self.stop()  # the one that did start would outlive the bench
            raise

    async def _one(self, client: Client) -> tuple[str, float]:
        workflow_id = f"floor-{uuid.uuid4()}"
        started = time.perf_counter()
        result = await client.execute_workflow(
            WORKFLOW, "What is 6*7?", id=workflow_id, task_queue=self.queue,
            memo={MEMO_QUEUE: self.activity_queue},
        )
        # Both floors answer as our agent does; the agent floor's answer shows its agent ran.
        if result != {"phase": "COMPLETED", "output": ANSWER}:
            raise RuntimeError(f"floor workflow returned {result}")
        return workflow_id, time.perf_counter() - started

    async def client(self) -> Client:
        return await Client.connect(self.env.temporal_host_port)

    def run(self, client: Client):
        """One workflow, timed: for `paced` and `paced_in_turn`."""
        return lambda: self._one(client)

    async def latency(self, *, n: int, warmup: int, pause: float = PAUSE) -> dict:
        client = await self.client()
        runs = await paced(self.run(client), n=n, warmup=warmup, pause=pause)
        return await self.summary(client, runs)

    async def summary(self, client: Client, runs: list[tuple[str, float]]) -> dict:
        return {**latency_summary([elapsed for _, elapsed in runs]),
                "steps": await history_steps(client, [workflow_id for workflow_id, _ in runs])}

    async def throughput(self, *, total: int, in_flight: int) -> dict:
        client = await Client.connect(self.env.temporal_host_port)
        window = asyncio.Semaphore(in_flight)

        async def one() -> None:
            async with window:
                await self._one(client)

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(total)))
        elapsed = time.perf_counter() - started
        return {"total": total, "in_flight": in_flight, "seconds": elapsed, "per_second": total / elapsed}

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
