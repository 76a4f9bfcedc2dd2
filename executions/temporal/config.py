"""Temporal settings, read from the environment at call time, in one place."""
import os
from dataclasses import dataclass

from executions.temporal.contract import (
    DEFAULT_RUNNER_QUEUE,
    DEFAULT_STIGMER_QUEUE,
    ActivityTimeouts,
)


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


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
            execute_start_to_close=execution_timeout,
            execute_heartbeat=self.heartbeat_timeout,
        )


def temporal_config() -> TemporalConfig:
    heartbeat_timeout = _float("TEMPORAL_HEARTBEAT_TIMEOUT_SECONDS", 30.0)
    return TemporalConfig(
        host_port=os.environ.get("TEMPORAL_HOST_PORT", "localhost:7233"),
        namespace=os.environ.get("TEMPORAL_NAMESPACE", "default"),
        stigmer_queue=os.environ.get(
            "TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE", DEFAULT_STIGMER_QUEUE
        ),
        runner_queue=os.environ.get(
            "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE", DEFAULT_RUNNER_QUEUE
        ),
        connect_timeout=_float("TEMPORAL_CONNECT_TIMEOUT_SECONDS", 5.0),
        # Operational knobs; the defaults are the contract's values. Tests
        # shorten them so failure paths finish in seconds.
        schedule_to_start=_float("TEMPORAL_SCHEDULE_TO_START_SECONDS", 60.0),
        heartbeat_timeout=heartbeat_timeout,
        heartbeat_interval=_float(
            "STIGMER_HEARTBEAT_INTERVAL_SECONDS", min(5.0, heartbeat_timeout / 3)
        ),
        reconcile_interval=_float("STIGMER_RECONCILE_INTERVAL_SECONDS", 30.0),
        runner_max_concurrent_activities=int(
            os.environ.get("TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES", "20")
        ),
        runner_shutdown_grace=_float("STIGMER_RUNNER_SHUTDOWN_GRACE_SECONDS", 30.0),
        # Executions younger than this are left alone by the repair pass.
        repair_grace=_float("STIGMER_REPAIR_GRACE_SECONDS", 10.0),
    )
