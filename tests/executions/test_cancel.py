"""Cancellation: PENDING at once, running through Temporal, finished refused."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from executions.errors import ExecutionNotCancellable
from executions.models import Phase
from executions.services.executions import execution_cancel, execution_create
from executions.temporal.client import temporal_bridge
from tests.conftest import free_port
from tests.waiting import wait_for_phase, wait_for_workflow_close, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_cancel_of_pending_execution_is_immediate_and_runs_nothing(
    workers, demo_agent, monkeypatch, temporal_env
):
    monkeypatch.setenv("TEMPORAL_HOST_PORT", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "1")
    execution = execution_create(agent=demo_agent, message="What is 6*7?")

    execution = execution_cancel(execution=execution)

    assert execution.phase == Phase.CANCELLED and execution.completed_at
    monkeypatch.setenv("TEMPORAL_HOST_PORT", temporal_env)
    call_command("reconcile_executions")  # starts what it starts before it returns
    execution.refresh_from_db()
    assert execution.phase == Phase.CANCELLED
    assert execution.workflow_started_at is None
    assert not execution.events.filter(type="message").exists()
    with pytest.raises(RPCError) as missing:
        temporal_bridge.run(lambda c: c.get_workflow_handle(execution.workflow_id).describe())
    assert missing.value.status == RPCStatusCode.NOT_FOUND


def test_cancel_of_running_execution_stops_the_agent(workers, demo_agent):
    execution = execution_create(agent=demo_agent, message="sleep 30 then tell me")
    wait_until(
        lambda: execution.events.filter(type="tool_call_started", data__name="sleep").exists(),
        message="the sleep tool call",
    )

    call_command("cancel_execution", str(execution.pk))

    execution = wait_for_phase(execution, Phase.CANCELLED, timeout=15)
    assert execution.completed_at is not None
    # The workflow closes only once the runner's activity has finished
    # cancelling: after that, nothing the agent did can still arrive.
    assert wait_for_workflow_close(execution.workflow_id) == WorkflowExecutionStatus.CANCELED
    events = list(execution.events.order_by("sequence").values_list("type", "data"))
    assert events[-1] == ("phase", events[-1][1]) and events[-1][1]["phase"] == "CANCELLED"
    assert not any(kind == "tool_call_completed" for kind, _ in events)


def test_cancel_of_completed_execution_is_rejected(workers, demo_agent):
    execution = wait_for_phase(execution_create(agent=demo_agent, message="hi"), Phase.COMPLETED)

    with pytest.raises(ExecutionNotCancellable, match="already COMPLETED"):
        execution_cancel(execution=execution)
    with pytest.raises(CommandError, match="already COMPLETED"):
        call_command("cancel_execution", str(execution.pk))
