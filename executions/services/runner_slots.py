"""Saying that a run waits for a runner slot, and telling busy runners from none.

After a schedule-to-start timeout the workflow asks (CheckRunnerQueue) whether
any runner serves the queue. Temporal lists a poller for a while after its last
poll, and a runner whose slots are all taken stops polling, so a listed poller
alone cannot tell a busy runner from a dead one. What can: a busy runner is
running executions of the same depth right now, while a dead one's executions
were failed by their heartbeat timeout, which is shorter than schedule-to-start.
"""
from executions.models import AgentExecution, EventType, Phase
from executions.services.events import execution_event_append
from executions.temporal.contract import RUNNER_SLOT_WAIT_REASON

WAIT_EVENT_KEY = "runner-slot-wait"


def runner_runs_beside(*, execution_id) -> bool:
    """Are runs of this execution's depth (its runner queue) in progress?"""
    depth = AgentExecution.objects.filter(pk=execution_id).values_list("depth", flat=True).first()
    if depth is None:
        return False
    return AgentExecution.objects.filter(phase=Phase.IN_PROGRESS, depth=depth).exclude(pk=execution_id).exists()


def runner_slot_wait_record(*, execution_id, queue: str) -> None:
    """Say once per execution that it waits; a no-op once it is terminal."""
    execution_event_append(
        execution_id=execution_id,
        type=EventType.SYSTEM,
        data={"message": RUNNER_SLOT_WAIT_REASON, "queue": queue},
        key=WAIT_EVENT_KEY,
    )
