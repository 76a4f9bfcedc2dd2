"""CheckRunnerQueue: the orchestration worker's local activity that tells a
saturated runner queue (wait) from one no runner polls (fail)."""
import logging
import time

from channels.db import database_sync_to_async
from temporalio import activity
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from executions.services.runner_slots import runner_runs_beside, runner_slot_wait_record
from executions.temporal.contract import CHECK_RUNNER_QUEUE, RunnerQueueCheck
from stigmer.logs import log_context

logger = logging.getLogger(__name__)

# An idle runner re-polls at least this often (Temporal's long poll is about a
# minute); a poll seen more recently means a slot freed just now.
RECENT_POLL_SECONDS = 75.0


async def queue_last_polls(client: Client, queue: str) -> list[float]:
    """When each listed poller of the activity queue last polled (epoch seconds)."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        )
    )
    return [p.last_access_time.ToMicroseconds() / 1e6 for p in response.pollers]


@activity.defn(name=CHECK_RUNNER_QUEUE)
async def check_runner_queue(check: RunnerQueueCheck) -> bool:
    """True: runners serve the queue but were all busy (the run says it waits).
    False: no runner polls it."""
    with log_context(execution_id=check.execution_id, workflow_id=activity.info().workflow_id):
        polls = await queue_last_polls(activity.client(), check.queue)
        if not polls:
            return False
        recent = time.time() - max(polls) < RECENT_POLL_SECONDS
        if not recent and not await database_sync_to_async(runner_runs_beside)(execution_id=check.execution_id):
            return False
        await database_sync_to_async(runner_slot_wait_record)(execution_id=check.execution_id, queue=check.queue)
        logger.info("runner queue %s is saturated; the execution waits for a slot", check.queue)
        return True
