"""Builder for the runner worker, used by the command and the tests."""
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from executions.temporal.config import TemporalConfig, temporal_config
from runner.activities import ensure_thread, execute_graphton


def build_runner_worker(client: Client, config: TemporalConfig | None = None) -> Worker:
    """The two runner activities, nothing else."""
    config = config or temporal_config()
    return Worker(
        client,
        task_queue=config.runner_queue,
        activities=[ensure_thread, execute_graphton],
        max_concurrent_activities=config.runner_max_concurrent_activities,
        # Cancellation arrives in heartbeat responses: throttle them to at most
        # a second so a cancel takes effect promptly.
        max_heartbeat_throttle_interval=timedelta(seconds=1),
        default_heartbeat_throttle_interval=timedelta(seconds=1),
        # On SIGTERM running agents get this long to finish before they are
        # cancelled (and then recorded as failed by the workflow, never rerun).
        graceful_shutdown_timeout=timedelta(seconds=config.runner_shutdown_grace),
    )
