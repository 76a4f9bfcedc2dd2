"""Temporal settings, read at call time from the environment (stigmer/config.py)."""
from dataclasses import dataclass

from executions.temporal.contract import ActivityTimeouts
from stigmer.config import env


@dataclass(frozen=True)
class TemporalConfig:
    host_port: str
    namespace: str
    stigmer_queue: str
    runner_queue: str
    connect_timeout: float
    schedule_to_start: float
    heartbeat_timeout: float
    heartbeat_interval: float
    reconcile_interval: float
    runner_max_concurrent_activities: int
    runner_shutdown_grace: float
    repair_grace: float

    def timeouts(self, *, execution_timeout: float) -> ActivityTimeouts:
        return ActivityTimeouts(
            schedule_to_start=self.schedule_to_start,
            # Always a float on the wire (600.0), whatever the agent field holds.
            execute_start_to_close=float(execution_timeout),
            execute_heartbeat=self.heartbeat_timeout,
        )


def temporal_config() -> TemporalConfig:
    heartbeat_timeout = env("TEMPORAL_HEARTBEAT_TIMEOUT_SECONDS")
    heartbeat_interval = env("STIGMER_HEARTBEAT_INTERVAL_SECONDS")
    return TemporalConfig(
        host_port=env("TEMPORAL_HOST_PORT"),
        namespace=env("TEMPORAL_NAMESPACE"),
        stigmer_queue=env("TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE"),
        runner_queue=env("TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE"),
        connect_timeout=env("TEMPORAL_CONNECT_TIMEOUT_SECONDS"),
        # Operational knobs; the defaults are the contract's values. Tests
        # shorten them so failure paths finish in seconds.
        schedule_to_start=env("TEMPORAL_SCHEDULE_TO_START_SECONDS"),
        heartbeat_timeout=heartbeat_timeout,
        heartbeat_interval=heartbeat_interval if heartbeat_interval is not None else min(5.0, heartbeat_timeout / 3),
        reconcile_interval=env("STIGMER_RECONCILE_INTERVAL_SECONDS"),
        runner_max_concurrent_activities=env("TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES"),
        runner_shutdown_grace=env("STIGMER_RUNNER_SHUTDOWN_GRACE_SECONDS"),
        # Executions younger than this are left alone by the repair pass.
        repair_grace=env("STIGMER_REPAIR_GRACE_SECONDS"),
    )
