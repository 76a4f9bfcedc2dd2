"""The retention job: a Temporal Schedule, its activity, and its set-up.

Every orchestration worker ensures the Schedule at start (create, or update
to the current interval); Temporal starts one prune workflow per period
whichever worker polls, skipping a period while a pass still runs, so the
job runs once per period however many workers there are.
"""
import dataclasses
import logging
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from temporalio import activity
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
)

from executions.services.retention import executions_prune
from executions.temporal.config import TemporalConfig
from executions.temporal.contract import PRUNE_EXECUTIONS, PRUNE_WORKFLOW_TYPE

logger = logging.getLogger(__name__)


@activity.defn(name=PRUNE_EXECUTIONS)
async def prune_executions(run_id: str) -> dict:
    report = await database_sync_to_async(executions_prune)(run_id=run_id)
    return dataclasses.asdict(report)


def retention_schedule_id(config: TemporalConfig) -> str:
    # Per orchestration queue: deployments (and tests) sharing a server keep theirs apart.
    return f"stigmer-retention/{config.stigmer_queue}"


def _schedule(config: TemporalConfig, interval: float) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            PRUNE_WORKFLOW_TYPE,
            id=f"{PRUNE_WORKFLOW_TYPE}/{config.stigmer_queue}",  # Temporal appends the period's time
            task_queue=config.stigmer_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(seconds=interval))]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )


async def retention_schedule_ensure(client: Client, config: TemporalConfig, interval: float | None = None) -> None:
    """Create the Schedule, or bring an existing one to the configured interval."""
    interval = interval or settings.STIGMER_RETENTION_INTERVAL_SECONDS
    schedule = _schedule(config, interval)
    schedule_id = retention_schedule_id(config)
    try:
        await client.create_schedule(schedule_id, schedule)
    except ScheduleAlreadyRunningError:
        await client.get_schedule_handle(schedule_id).update(lambda _: ScheduleUpdate(schedule=schedule))
    logger.info("retention schedule %s: every %gs", schedule_id, interval)


async def retention_schedule_ensure_or_warn(client: Client, config: TemporalConfig) -> None:
    """At worker start: a failure to set the Schedule up must not stop the worker."""
    try:
        await retention_schedule_ensure(client, config)
    except Exception as exc:  # noqa: BLE001 - the next worker start tries again
        logger.warning("retention schedule not set up: %s", exc)
