"""The workflow alone, with same-name doubles of the runner's activities."""
import asyncio

import pytest
from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.worker import Worker

from executions.models import Phase
from executions.services.executions import execution_create
from executions.services.repair import executions_repair
from executions.temporal.config import TemporalConfig
from executions.temporal.contract import AgentExecutionInput, ExecutionStatus
from executions.temporal.workers import build_orchestration_worker
from tests.temporal_harness import WorkerThread
from tests.waiting import wait_for_phase, wait_for_workflow_close

pytestmark = pytest.mark.django_db(transaction=True)


@activity.defn(name="EnsureThread")
async def ensure_thread_double(session_id: str, agent_id: str) -> str:
    return f"thread-{session_id}"


@activity.defn(name="ExecuteGraphton")
async def silent_runner_double(execution: AgentExecutionInput, thread_id: str) -> ExecutionStatus:
    await asyncio.sleep(30)  # never heartbeats: the worker looks lost
    return ExecutionStatus(phase="COMPLETED")


@activity.defn(name="ExecuteGraphton")
async def lying_runner_double(execution: AgentExecutionInput, thread_id: str) -> ExecutionStatus:
    # Reports success without having written it: a runner breaking the
    # contract (the runner owns COMPLETED), or whose last write was lost.
    return ExecutionStatus(phase="COMPLETED", output="from the workflow")


def runner_double(execute):
    def build(client: Client, config: TemporalConfig) -> Worker:
        return Worker(client, task_queue=config.runner_queue, activities=[ensure_thread_double, execute])

    return build


def test_heartbeat_timeout_reads_as_runner_worker_lost(temporal_env, demo_agent, monkeypatch):
    monkeypatch.setenv("TEMPORAL_HEARTBEAT_TIMEOUT_SECONDS", "1")
    thread = WorkerThread(build_orchestration_worker, runner_double(silent_runner_double)).start()
    try:
        execution = execution_create(agent=demo_agent, message="hi")
        execution = wait_for_phase(execution, Phase.FAILED, timeout=20)
    finally:
        thread.stop()
    assert execution.error == "runner worker lost: ExecuteGraphton stopped heartbeating"


def test_a_completion_the_runner_did_not_write_is_repaired_from_temporal(temporal_env, demo_agent):
    thread = WorkerThread(build_orchestration_worker, runner_double(lying_runner_double)).start()
    try:
        execution = execution_create(agent=demo_agent, message="hi")
        closed = wait_for_workflow_close(execution.workflow_id)
    finally:
        thread.stop()
    assert closed == WorkflowExecutionStatus.COMPLETED
    execution.refresh_from_db()
    assert execution.phase == Phase.PENDING  # the workflow no longer writes COMPLETED itself

    assert executions_repair(grace_seconds=0) == [str(execution.pk)]

    execution.refresh_from_db()
    assert execution.phase == Phase.COMPLETED
    assert execution.output == "from the workflow"
    assert execution.completed_at is not None
