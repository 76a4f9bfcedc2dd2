"""Push latency: an event's commit → its frame at a WebSocket client of the web
process, over the Redis channel layer. Events are appended by the runner's own
path (execution_events_append through database_sync_to_async); the commit is
timestamped by an on_commit hook registered before the append's publish hook."""
import asyncio
import json
import time

from django.db import transaction
from django.utils import timezone

from bench.environment import Environment
from bench.fixtures import Client, bench_agent
from bench.platform_e2e import _ws
from bench.stats import latency_summary
from executions.models import AgentExecution, EventType, Phase
from executions.services.events import NewEvent, execution_events_append
from runner.db import db


def _idle_execution(client: Client) -> AgentExecution:
    """A running execution no worker touches (bulk_create skips the create pipeline)."""
    [execution] = AgentExecution.objects.bulk_create([
        AgentExecution(agent=bench_agent(), owner=client.user, message="push bench",
                       phase=Phase.IN_PROGRESS, started_at=timezone.now())
    ])
    return execution


def _append(execution_id, index: int, committed: dict) -> None:
    with transaction.atomic():
        transaction.on_commit(lambda: committed.__setitem__(index, time.perf_counter()))
        execution_events_append(
            execution_id=execution_id,
            events=[NewEvent(EventType.SYSTEM, {"message": f"push {index}"}, key=f"push:{index}")],
        )


WARMUP = 5  # the first pushes of a process open its Redis connections


async def run(env: Environment, client: Client, *, n: int, interval: float) -> dict:
    execution = await db(_idle_execution)(client)
    committed: dict[int, float] = {}
    received: dict[int, float] = {}
    async with _ws(env, f"/ws/executions/{execution.pk}/", client) as socket:
        async def listen() -> None:
            async for raw in socket:
                frame = json.loads(raw)
                message = (frame.get("data") or {}).get("message", "")
                if message.startswith("push "):
                    received[int(message.split()[1])] = time.perf_counter()
                    if len(received) == WARMUP + n:
                        return

        listener = asyncio.create_task(listen())
        await asyncio.sleep(0.5)  # joined its group
        for index in range(WARMUP + n):
            await db(_append)(execution.pk, index, committed)
            await asyncio.sleep(interval)
        await asyncio.wait_for(listener, timeout=30)
    return latency_summary([received[i] - committed[i] for i in range(WARMUP, WARMUP + n)])
