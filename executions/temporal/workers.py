"""Builders for the orchestration worker, used by the command and the tests."""
import asyncio
import logging
import signal

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from executions.temporal.config import TemporalConfig, temporal_config
from executions.temporal.retention import prune_executions
from executions.temporal.retention_workflow import RetentionPruneWorkflow
from executions.temporal.runner_slots import check_runner_queue
from executions.temporal.status_activity import (
    advance_session_turn,
    record_tool_call_decision,
    update_execution_status,
)
from executions.temporal.webhook_activity import deliver_webhook, give_up_webhook_delivery
from executions.temporal.webhook_workflow import WebhookDeliveryWorkflow
from executions.temporal.workflows import InvokeAgentExecutionWorkflow
from runner.checkpointer import checkpointer_close

logger = logging.getLogger(__name__)


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox, with every module passed through instead of re-imported.

    Garbage collection can run another library's finaliser inside a workflow
    activation, and a finaliser that imports lazily (redis-py 8's connections
    import its observability modules) would then import under the sandbox's
    restrictions and fail: that failed the worker's start-up at random. The
    workflow imports only temporalio and the contract, so re-importing
    modules per run protects nothing here; the sandbox still refuses
    non-deterministic calls (clocks, randomness, I/O) from workflow code.
    """
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_all_modules())


def build_orchestration_worker(client: Client, config: TemporalConfig | None = None) -> Worker:
    """The workflow and its local activities, the retention job, and webhook
    deliveries (their POSTs are regular activities here: they need the
    database and the network, not a runner's slots)."""
    config = config or temporal_config()
    return Worker(
        client,
        task_queue=config.stigmer_queue,
        workflows=[InvokeAgentExecutionWorkflow, RetentionPruneWorkflow, WebhookDeliveryWorkflow],
        activities=[
            update_execution_status, advance_session_turn, check_runner_queue, record_tool_call_decision,
            prune_executions, deliver_webhook, give_up_webhook_delivery,
        ],
        workflow_runner=workflow_runner(),
    )


async def run_until_signalled(
    *workers: Worker, background: list | None = None, on_stop=None
) -> None:
    """Run workers (and background coroutines) until SIGINT/SIGTERM, then shut
    them down cleanly; `on_stop` runs first, e.g. to stop a web server."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(worker.run()) for worker in workers]
    tasks += [asyncio.create_task(coro) for coro in background or []]
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    logger.info("shutting down workers")
    if on_stop is not None:
        on_stop()
    await asyncio.gather(*(worker.shutdown() for worker in workers), return_exceptions=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    waiter.cancel()
    await checkpointer_close()
