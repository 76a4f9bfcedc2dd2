"""The functions that start workflows: an execution's, and a webhook delivery's."""
from datetime import timedelta

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from executions.temporal.config import TemporalConfig
from executions.temporal.contract import (
    MEMO_ACTIVITY_QUEUE,
    WEBHOOK_WORKFLOW_TYPE,
    WORKFLOW_TYPE,
    AgentExecutionInput,
    WebhookDeliveryInput,
    runner_queue_for_depth,
    webhook_workflow_id_for,
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
            run_timeout=workflow_run_timeout(payload),
            # The workflow schedules its activities on the memo's queue: the
            # queue of the execution's delegation depth.
            memo={MEMO_ACTIVITY_QUEUE: runner_queue_for_depth(config.runner_queue, depth)},
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            rpc_timeout=timedelta(seconds=config.connect_timeout),
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


def workflow_run_timeout(payload: AgentExecutionInput) -> timedelta | None:
    """The execution timeout, for a run that cannot wait for a person. One that
    can has none: its waits (up to the approval timeout per stop) are not the
    agent's time, and the workflow gives each run of the agent only what is
    left of the execution timeout (docs/temporal-contract.md)."""
    if payload.approval.tools:
        return None
    return timedelta(seconds=payload.timeouts.execute_start_to_close)


def workflow_handle(client: Client, execution_id: str) -> WorkflowHandle:
    return client.get_workflow_handle(workflow_id_for(execution_id))


async def webhook_workflow_start(
    client: Client, *, delivery: WebhookDeliveryInput, config: TemporalConfig
) -> bool:
    """Start a webhook delivery's workflow; False if it had already been started.

    The workflow id is a pure function of the delivery id and a second start
    is rejected, even once the first has closed: one delivery, one workflow,
    whoever (the writer after commit, the reconciler) starts it.
    """
    try:
        await client.start_workflow(
            WEBHOOK_WORKFLOW_TYPE,
            delivery,
            id=webhook_workflow_id_for(delivery.delivery_id),
            task_queue=config.stigmer_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            rpc_timeout=timedelta(seconds=config.connect_timeout),
        )
    except WorkflowAlreadyStartedError:
        return False
    return True
