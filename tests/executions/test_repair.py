"""The reconciler repairs records that disagree with Temporal's truth."""
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from executions.models import AgentExecution, Phase
from executions.services.executions import execution_create
from executions.services.repair import executions_repair
from executions.temporal.client import temporal_bridge
from tests.conftest import free_port
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


def rewind(execution, **fields) -> None:
    """Simulate a lost status write: the record falls behind its closed workflow."""
    if execution.workflow_started_at:
        temporal_bridge.run(lambda c: c.get_workflow_handle(execution.workflow_id).result())
    fields.setdefault("workflow_started_at", timezone.now() - timedelta(minutes=5))
    AgentExecution.objects.filter(pk=execution.pk).update(**fields)


def test_in_progress_record_of_a_completed_workflow_is_completed(workers, demo_agent):
    execution = wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    rewind(execution, phase=Phase.IN_PROGRESS, completed_at=None, output="")

    call_command("reconcile_executions")

    execution.refresh_from_db()
    assert execution.phase == Phase.COMPLETED and execution.output == "The result is 42."
    assert execution.events.filter(
        type="system", data__message="record repaired from Temporal (workflow COMPLETED)"
    ).count() == 1


def test_in_progress_record_without_a_workflow_fails_with_reason(temporal_env, demo_agent, monkeypatch):
    monkeypatch.setenv("TEMPORAL_HOST_PORT", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "1")
    execution = execution_create(agent=demo_agent, message="hi")  # never reaches Temporal
    monkeypatch.setenv("TEMPORAL_HOST_PORT", temporal_env)
    rewind(execution, phase=Phase.IN_PROGRESS)

    executions_repair()

    execution.refresh_from_db()
    assert execution.phase == Phase.FAILED
    assert execution.error == "the workflow is missing from Temporal"


def test_pending_record_whose_workflow_vanished_is_started_again(workers, demo_agent, monkeypatch, temporal_env):
    monkeypatch.setenv("TEMPORAL_HOST_PORT", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "1")
    execution = execution_create(agent=demo_agent, message="What is 6*7?")
    monkeypatch.setenv("TEMPORAL_HOST_PORT", temporal_env)
    rewind(execution)  # believed started, but Temporal never saw it

    call_command("reconcile_executions")

    execution = wait_for_phase(execution, Phase.COMPLETED)
    assert execution.events.filter(type="message", data__role="human").count() == 1


def test_concurrent_repairs_write_once(workers, demo_agent):
    execution = wait_for_phase(execution_create(agent=demo_agent, message="hi"), Phase.COMPLETED)
    rewind(execution, phase=Phase.IN_PROGRESS, completed_at=None)

    def repair():
        executions_repair()
        connection.close()

    threads = [threading.Thread(target=repair) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert execution.events.filter(type="system").count() == 1
    assert execution.events.filter(type="phase", data__phase="COMPLETED").count() == 2  # original + repair


def test_running_workflows_are_listed_not_described_one_by_one(workers, demo_agent, monkeypatch):
    from executions.services import repair

    demo_agent.model_options = {"token_delay": 0.2, "answer_words": 200}
    demo_agent.save()
    execution = wait_for_phase(execution_create(agent=demo_agent, message="hello"), Phase.IN_PROGRESS)
    AgentExecution.objects.filter(pk=execution.pk).update(
        workflow_started_at=timezone.now() - timedelta(minutes=5)
    )
    deadline = timezone.now() + timedelta(seconds=10)  # visibility may lag a start
    while str(execution.workflow_id) not in repair._running_or_none([str(execution.pk)]):
        assert timezone.now() < deadline, "the running workflow never showed in visibility"

    def described(*args):
        raise AssertionError("a listed running workflow was described")

    monkeypatch.setattr(repair, "_workflow_truth", described)
    assert executions_repair() == []
    execution.refresh_from_db()
    assert execution.phase == Phase.IN_PROGRESS
    call_command("cancel_execution", str(execution.pk))
    wait_for_phase(execution, Phase.CANCELLED)
