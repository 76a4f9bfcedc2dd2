"""The runner workers Temporal has seen polling the runner queue: the truth
about who can take work, from the one place that knows it."""
from dataclasses import dataclass
from datetime import datetime, timezone

from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from executions.temporal.client import temporal_bridge
from executions.temporal.config import temporal_config

ANSWER_WITHIN_SECONDS = 2.0  # the page waits no longer for Temporal


@dataclass(frozen=True)
class Runner:
    identity: str
    last_poll: datetime | None


@dataclass(frozen=True)
class Runners:
    queue: str
    pollers: list[Runner]
    error: str = ""


def runners_polling() -> Runners:
    """The runner queue's activity pollers (Temporal keeps those seen in the
    last minutes), or why they could not be read."""
    config = temporal_config()

    async def describe(client):
        request = DescribeTaskQueueRequest(
            namespace=config.namespace,
            task_queue=TaskQueue(name=config.runner_queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
        )
        return await client.workflow_service.describe_task_queue(request)

    try:
        response = temporal_bridge.run(describe, timeout=ANSWER_WITHIN_SECONDS)
    except Exception as exc:  # noqa: BLE001 - the page shows why, whatever it is
        return Runners(config.runner_queue, [], f"Temporal did not answer: {type(exc).__name__}: {exc}"[:300])
    pollers = [
        Runner(p.identity, p.last_access_time.ToDatetime(tzinfo=timezone.utc) if p.HasField("last_access_time") else None)
        for p in response.pollers
    ]
    return Runners(config.runner_queue, sorted(pollers, key=lambda r: r.identity))

