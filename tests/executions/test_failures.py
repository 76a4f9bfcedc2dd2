"""Failures end FAILED with a readable reason, the transcript kept, the workflow failed."""
import pytest
from temporalio.client import WorkflowExecutionStatus

from executions.models import Agent, Phase
from executions.services.executions import execution_create
from executions.temporal.client import temporal_bridge
from executions.temporal.workers import build_orchestration_worker
from tests.temporal_harness import WorkerThread
from tests.waiting import wait_for_phase, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def workflow_status(execution):
    return temporal_bridge.run(
        lambda c: c.get_workflow_handle(execution.workflow_id).describe()
    ).status


def test_failing_model_marks_failed_with_reason_and_keeps_transcript(workers):
    agent = Agent.objects.create(slug="broken", name="Broken", model="scripted:fail")

    execution = wait_for_phase(execution_create(agent=agent, message="hello"), Phase.FAILED)

    assert "scripted model failure" in execution.error
    assert execution.completed_at is not None
    kinds = list(execution.events.values_list("type", "data__phase", "data__role"))
    assert ("message", None, "human") in kinds
    assert [p for t, p, _ in kinds if t == "phase"] == ["PENDING", "IN_PROGRESS", "FAILED"]
    wait_until(lambda: workflow_status(execution) == WorkflowExecutionStatus.FAILED)


def test_no_runner_worker_fails_naming_the_queue(temporal_env, transactional_db, demo_agent, monkeypatch):
    monkeypatch.setenv("TEMPORAL_SCHEDULE_TO_START_SECONDS", "2")
    orchestration_only = WorkerThread(build_orchestration_worker).start()
    try:
        execution = execution_create(agent=demo_agent, message="What is 6*7?")
        execution = wait_for_phase(execution, Phase.FAILED, timeout=30)
    finally:
        orchestration_only.stop()

    queue = orchestration_only.config.runner_queue
    assert execution.error == f"no runner worker is polling queue {queue}"
    assert execution.events.filter(type="phase", data__phase="FAILED").count() == 1
    assert workflow_status(execution) == WorkflowExecutionStatus.FAILED
