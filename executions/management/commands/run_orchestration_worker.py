from django.core.management.base import BaseCommand, CommandError

from executions.live import channel_layer_warn_if_in_process
from executions.ops.loops import loop_run
from executions.temporal.client import temporal_connect_patiently, worker_runtime
from executions.temporal.config import temporal_config
from executions.temporal.reconciler import reconcile_forever
from executions.temporal.retention import retention_schedule_ensure_or_warn
from executions.temporal.workers import build_orchestration_worker, run_until_signalled
from stigmer.tracing import tracing_setup


class Command(BaseCommand):
    help = "Run the orchestration worker: the workflow, its local activities, the retention job and the reconciler."

    def handle(self, *args, **options) -> None:
        channel_layer_warn_if_in_process(process="run_orchestration_worker")
        tracing_setup("stigmer-orchestration")
        config = temporal_config()
        try:
            loop_run(self._run(config))
        except (OSError, TimeoutError, RuntimeError) as exc:
            raise CommandError(f"Cannot reach Temporal at {config.host_port}: {exc}") from exc

    async def _run(self, config) -> None:
        client = await temporal_connect_patiently(config, runtime=worker_runtime())
        worker = build_orchestration_worker(client, config)
        await retention_schedule_ensure_or_warn(client, config)
        self.stdout.write(f"orchestration worker polling {config.stigmer_queue} on {config.host_port}")
        await run_until_signalled(
            worker, background=[reconcile_forever(config.reconcile_interval)]
        )
