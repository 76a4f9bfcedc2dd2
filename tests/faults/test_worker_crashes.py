"""kill -9 of a runner or of the orchestration worker, mid-run."""
import pytest
from temporalio.client import WorkflowExecutionStatus

from executions.models import Phase
from executions.services.executions import execution_create
from tests.faults.conftest import assert_no_duplicate_steps, model_calls, requires_pg_redis
from tests.waiting import wait_for_phase, wait_for_workflow_close, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), requires_pg_redis]


def wait_for_tool_call(execution, name: str = "sleep") -> None:
    wait_until(
        lambda: execution.events.filter(type="tool_call_started", data__name=name).exists(),
        timeout=30, message=f"the {name} tool call",
    )


def test_runner_killed_mid_run_fails_as_runner_lost_and_nothing_reruns(fault_stack, demo_agent):
    fault_stack.manage("orchestration", "run_orchestration_worker")
    runner = fault_stack.manage("runner", "run_runner_worker")
    execution = execution_create(agent=demo_agent, message="sleep 20 please")
    wait_for_tool_call(execution)

    runner.kill9()

    execution = wait_for_phase(execution, Phase.FAILED, timeout=30)
    assert execution.error == "runner worker lost: ExecuteGraphton stopped heartbeating"
    assert execution.events.filter(type="message", data__role="human").count() == 1
    assert execution.events.filter(type="tool_call_started").count() == 1
    assert_no_duplicate_steps(execution)
    # A new runner must not pick the execution up again: ExecuteGraphton is
    # never retried, and once the workflow has closed no task of it is left.
    fault_stack.manage("runner-2", "run_runner_worker")
    assert wait_for_workflow_close(execution.workflow_id) == WorkflowExecutionStatus.FAILED
    assert model_calls(fault_stack, execution) == 1
    execution.refresh_from_db()
    assert execution.phase == Phase.FAILED


def test_orchestration_killed_and_restarted_resumes_its_workflows(fault_stack, demo_agent):
    orchestration = fault_stack.manage("orchestration", "run_orchestration_worker")
    fault_stack.manage("runner", "run_runner_worker")
    execution = execution_create(agent=demo_agent, message="sleep 4 please")
    wait_for_tool_call(execution)

    orchestration.kill9()
    fault_stack.manage("orchestration-2", "run_orchestration_worker")

    execution = wait_for_phase(execution, Phase.COMPLETED, Phase.FAILED, timeout=60)
    assert execution.phase == Phase.COMPLETED, execution.error
    assert execution.output == "Done: slept 4.0 seconds."
    assert model_calls(fault_stack, execution) == 2
    assert_no_duplicate_steps(execution)
