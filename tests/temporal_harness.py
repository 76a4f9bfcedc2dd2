"""Real Temporal for tests: the dev server and workers on a private loop thread."""
import asyncio
import threading
from collections.abc import Callable

from temporalio.client import Client
from temporalio.worker import Worker

from executions.temporal.client import temporal_connect
from executions.temporal.config import TemporalConfig, temporal_config
from runner.checkpointer import checkpointer_close

# A builder gives a worker, or several (the runner's, one per delegation depth).
WorkerBuilder = Callable[[Client, TemporalConfig], Worker | list[Worker]]


class WorkerThread:
    """Runs workers built by the production builders until stop()."""

    def __init__(self, *builders: WorkerBuilder) -> None:
        self.builders = builders
        self.config = temporal_config()
        self.workers: list[Worker] = []
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, daemon=True)

    def start(self) -> "WorkerThread":
        self._thread.start()
        if not self._ready.wait(30) or self._error:
            raise RuntimeError(f"workers did not start: {self._error}") from self._error
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(60)

    def _main(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # surfaced to start()
            self._error = exc
            self._ready.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        client = await temporal_connect(self.config)
        self.client = client
        built = [build(client, self.config) for build in self.builders]
        self.workers = [w for item in built for w in (item if isinstance(item, list) else [item])]
        tasks = [asyncio.create_task(worker.run()) for worker in self.workers]
        self._ready.set()
        await self._stop.wait()
        await asyncio.gather(*(worker.shutdown() for worker in self.workers))
        await asyncio.gather(*tasks, return_exceptions=True)
        await checkpointer_close()
