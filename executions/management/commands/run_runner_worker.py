from django.core.management.base import BaseCommand, CommandError

from executions.live import channel_layer_warn_if_in_process
from executions.ops.loops import loop_run
from executions.temporal.client import temporal_connect_patiently, worker_runtime
from executions.temporal.config import temporal_config
from executions.temporal.workers import run_until_signalled
from runner.platform import remote_url
from runner.worker import build_runner_workers
from stigmer.tracing import tracing_setup


class Command(BaseCommand):
    help = (
        "Run the runner worker: the EnsureThread and ExecuteGraphton activities. With "
        "STIGMER_PLATFORM_URL and STIGMER_RUNNER_TOKEN it reaches the platform through the "
        "runner API and needs no database."
    )

    def handle(self, *args, **options) -> None:
        if not remote_url():
            # Through the runner API, live tokens reach the web process by HTTP.
            channel_layer_warn_if_in_process(process="run_runner_worker")
        tracing_setup("stigmer-runner")
        config = temporal_config()
        try:
            loop_run(self._run(config))
        except (OSError, TimeoutError, RuntimeError) as exc:
            raise CommandError(f"Cannot reach Temporal at {config.host_port}: {exc}") from exc

    async def _run(self, config) -> None:
        client = await temporal_connect_patiently(config, runtime=worker_runtime())
        workers = build_runner_workers(client, config)
        queues = ", ".join(worker.task_queue for worker in workers)
        through = f", platform at {remote_url()} (runner API)" if remote_url() else ""
        self.stdout.write(f"runner worker polling {queues} on {config.host_port}{through}")
        await run_until_signalled(*workers)
