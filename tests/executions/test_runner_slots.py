"""Saturated runners: a run waits for a slot and says so; it is not failed.

The runner worker here has one activity slot, and schedule-to-start is two
seconds, so a second run times out waiting for the slot several times while
the first one sleeps. "no runner worker is polling" is said only when none is
(tests/executions/test_failures.py).
"""
import pytest
from temporalio.client import WorkflowExecutionStatus

from executions.models import Phase
from executions.services.executions import execution_create
from executions.temporal.client import temporal_bridge
from executions.temporal.contract import RUNNER_SLOT_WAIT_REASON
from executions.temporal.workers import build_orchestration_worker
from runner.worker import build_runner_workers
from tests.temporal_harness import WorkerThread
from tests.waiting import wait_for_phase, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_slot_workers(temporal_env, transactional_db, monkeypatch):
    monkeypatch.setenv("TEMPORAL_SCHEDULE_TO_START_SECONDS", "2")
    monkeypatch.setenv("TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES", "1")
    thread = WorkerThread(build_orchestration_worker, build_runner_workers).start()
    yield thread
    thread.stop()


def runs_of(workflow_id: str) -> list[WorkflowExecutionStatus]:
    async def statuses(client):
        return [run.status async for run in client.list_workflows(f"WorkflowId = '{workflow_id}'")]

    return temporal_bridge.run(statuses)


def waiting_events(execution):
    return execution.events.filter(type="system", data__message=RUNNER_SLOT_WAIT_REASON)


def test_a_run_waits_for_a_busy_runner_then_completes(one_slot_workers, demo_agent):
    busy = execution_create(agent=demo_agent, message="sleep 6 then tell me")
    wait_until(
        lambda: busy.events.filter(type="tool_call_started", data__name="sleep").exists(),
        message="the first run to hold the only slot",
    )

    waiting = execution_create(agent=demo_agent, message="What is 6*7?")
    wait_until(lambda: waiting_events(waiting).exists(), message="the second run to say it waits")
    waiting.refresh_from_db()
    assert waiting.phase == Phase.PENDING
    assert waiting.error == ""

    wait_for_phase(busy, Phase.COMPLETED, timeout=60)
    waiting = wait_for_phase(waiting, Phase.COMPLETED, Phase.FAILED, timeout=60)

    assert waiting.phase == Phase.COMPLETED, waiting.error
    assert "42" in waiting.output
    assert waiting_events(waiting).count() == 1  # said once, however many times it re-waited
    assert not waiting.events.filter(data__message__icontains="no runner worker").exists()
    # The wait continued the workflow as new, so the run timeout never cut it short.
    wait_until(lambda: WorkflowExecutionStatus.COMPLETED in runs_of(waiting.workflow_id), message="visibility")
    assert WorkflowExecutionStatus.CONTINUED_AS_NEW in runs_of(waiting.workflow_id)


def test_a_waiting_run_can_be_cancelled(one_slot_workers, demo_agent):
    from executions.services.executions import execution_cancel

    busy = execution_create(agent=demo_agent, message="sleep 20 then tell me")
    wait_until(
        lambda: busy.events.filter(type="tool_call_started", data__name="sleep").exists(),
        message="the first run to hold the only slot",
    )
    waiting = execution_create(agent=demo_agent, message="What is 6*7?")
    wait_until(lambda: waiting_events(waiting).exists(), message="the second run to say it waits")

    execution_cancel(execution=waiting)

    assert wait_for_phase(waiting, Phase.CANCELLED, timeout=30).phase == Phase.CANCELLED
    execution_cancel(execution=busy)
    wait_for_phase(busy, Phase.CANCELLED, timeout=30)
