"""Builders for the runner worker, used by the command and the tests."""
from datetime import timedelta

from django.conf import settings
from temporalio.client import Client
from temporalio.worker import Worker

from executions.temporal.config import TemporalConfig, temporal_config
from executions.temporal.contract import runner_queue_for_depth
from runner.activities import ensure_thread, execute_graphton


def build_runner_worker(client: Client, config: TemporalConfig | None = None, *, depth: int = 0) -> Worker:
    """The two runner activities, nothing else, on the queue of one delegation depth."""
    config = config or temporal_config()
    return Worker(
        client,
        task_queue=runner_queue_for_depth(config.runner_queue, depth),
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


def build_runner_workers(client: Client, config: TemporalConfig | None = None) -> list[Worker]:
    """One worker per delegation depth, each with its own slots.

    A parent waiting for its sub-agent holds a slot at its depth while the
    child needs one at the next: with one pool, N parents on N slots would
    wait forever for children that never start. Per depth, a parent only
    waits on slots that no parent at its own depth can hold.
    """
    config = config or temporal_config()
    return [
        build_runner_worker(client, config, depth=depth)
        for depth in range(settings.STIGMER_MAX_DELEGATION_DEPTH + 1)
    ]
