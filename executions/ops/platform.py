"""Everything in one process: ASGI server and both workers on one event loop."""
import uvicorn

from executions.temporal.client import temporal_connect
from executions.temporal.config import TemporalConfig
from executions.temporal.reconciler import reconcile_forever
from executions.temporal.retention import retention_schedule_ensure_or_warn
from executions.temporal.workers import build_orchestration_worker, run_until_signalled
from runner.worker import build_runner_workers


class _Server(uvicorn.Server):
    # We own the process's signals: one Ctrl-C stops server and workers together.
    def install_signal_handlers(self) -> None:
        return None

    def capture_signals(self):  # uvicorn >= 0.29
        from contextlib import nullcontext

        return nullcontext()


async def platform_serve(*, config: TemporalConfig, host: str, port: int) -> None:
    client = await temporal_connect(config)
    await retention_schedule_ensure_or_warn(client, config)
    server = _Server(
        uvicorn.Config("stigmer.asgi:application", host=host, port=port, log_level="info", lifespan="off")
    )
    await run_until_signalled(
        build_orchestration_worker(client, config),
        *build_runner_workers(client, config),
        background=[server.serve(), reconcile_forever(config.reconcile_interval)],
        on_stop=lambda: setattr(server, "should_exit", True),
    )
