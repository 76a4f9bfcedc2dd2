"""The one function that starts an execution's workflow."""
from datetime import timedelta

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from executions.temporal.config import TemporalConfig
from executions.temporal.contract import (
    MEMO_ACTIVITY_QUEUE,
    WORKFLOW_TYPE,
    AgentExecutionInput,
    runner_queue_for_depth,
    workflow_id_for,
)


async def workflow_start(
    client: Client, *, payload: AgentExecutionInput, config: TemporalConfig, depth: int = 0
) -> bool:
    """Start the workflow; returns False if it had already been started.

    Idempotent: the workflow id is a pure function of the execution id and a
    second start of the same id is rejected by Temporal, never run.
    """
    try:
        await client.start_workflow(
            WORKFLOW_TYPE,
            payload,
            id=workflow_id_for(payload.execution_id),
            task_queue=config.stigmer_queue,
            run_timeout=timedelta(seconds=payload.timeouts.execute_start_to_close),
            # The workflow schedules its activities on the memo's queue: the
            # queue of the execution's delegation depth.
            memo={MEMO_ACTIVITY_QUEUE: runner_queue_for_depth(config.runner_queue, depth)},
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            rpc_timeout=timedelta(seconds=config.connect_timeout),
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


def workflow_handle(client: Client, execution_id: str) -> WorkflowHandle:
    return client.get_workflow_handle(workflow_id_for(execution_id))
