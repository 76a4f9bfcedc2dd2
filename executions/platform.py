"""Everything in one process: ASGI server and both workers on one event loop."""
import asyncio
import logging
import signal

import uvicorn

from executions.temporal.client import temporal_connect
from executions.temporal.config import TemporalConfig
from executions.temporal.reconciler import reconcile_forever
from executions.temporal.workers import build_orchestration_worker
from runner.checkpointer import checkpointer_close
from runner.worker import build_runner_worker

logger = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    # We own the process's signals: one Ctrl-C stops server and workers together.
    def install_signal_handlers(self) -> None:
        return None

    def capture_signals(self):  # uvicorn >= 0.29
        from contextlib import nullcontext

        return nullcontext()


async def platform_serve(*, config: TemporalConfig, host: str, port: int) -> None:
    client = await temporal_connect(config)
    workers = [build_orchestration_worker(client, config), build_runner_worker(client, config)]
    server = _Server(
        uvicorn.Config("stigmer.asgi:application", host=host, port=port, log_level="info", lifespan="off")
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    tasks.append(asyncio.create_task(server.serve()))
    tasks.append(asyncio.create_task(reconcile_forever(config.reconcile_interval)))
    await asyncio.wait([asyncio.create_task(stop.wait()), *tasks], return_when=asyncio.FIRST_COMPLETED)
    logger.info("stopping the platform")
    server.should_exit = True
    await asyncio.gather(*(worker.shutdown() for worker in workers), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await checkpointer_close()
