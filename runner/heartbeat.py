"""Heartbeats from a background task, so a slow model call or tool cannot
starve them and the activity still learns of a cancel promptly."""
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from temporalio import activity


@asynccontextmanager
async def heartbeating(interval: float) -> AsyncIterator[None]:
    # The first beat waits one interval: a run shorter than that costs
    # Temporal no heartbeat at all, and a cancel still arrives within one.
    async def beat() -> None:
        while True:
            await asyncio.sleep(interval)
            activity.heartbeat()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
