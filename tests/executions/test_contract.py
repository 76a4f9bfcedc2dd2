"""The Temporal contract, read back from a real workflow history."""
import pytest
from temporalio.converter import DataConverter

from executions.models import Phase
from executions.services.executions import execution_create
from executions.temporal.client import temporal_bridge
from executions.temporal.config import temporal_config
from executions.temporal.contract import workflow_id_for
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


def _history(workflow_id: str):
    async def closed_history(client):
        handle = client.get_workflow_handle(workflow_id)
        await handle.result()  # the runner's COMPLETED lands before the workflow closes
        return await handle.fetch_history()

    return temporal_bridge.run(closed_history)


def _attributes(history, name: str) -> list:
    return [getattr(e, name) for e in history.events if e.HasField(name)]


def test_workflow_history_matches_the_contract(workers, demo_agent):
    execution = wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    config = temporal_config()
    assert execution.workflow_id == workflow_id_for(str(execution.pk))
    assert execution.workflow_id == f"stigmer/agent-execution/invoke/{execution.pk}"

    history = _history(execution.workflow_id)

    (started,) = _attributes(history, "workflow_execution_started_event_attributes")
    assert started.workflow_type.name == "stigmer/agent-execution/invoke"
    assert started.task_queue.name == config.stigmer_queue
    assert started.workflow_run_timeout.ToSeconds() == 600
    memo = DataConverter.default.payload_converter.from_payload(
        started.memo.fields["activityTaskQueue"], str
    )
    assert memo == config.runner_queue
    ensure, execute = _attributes(history, "activity_task_scheduled_event_attributes")
    assert ensure.activity_type.name == "EnsureThread"
    assert ensure.task_queue.name == config.runner_queue
    assert ensure.start_to_close_timeout.ToSeconds() == 30
    assert ensure.schedule_to_start_timeout.ToSeconds() == 60
    assert ensure.retry_policy.maximum_attempts == 3
    assert ensure.retry_policy.initial_interval.ToSeconds() == 5
    assert ensure.retry_policy.backoff_coefficient == 2.0
    assert execute.activity_type.name == "ExecuteGraphton"
    assert execute.task_queue.name == config.runner_queue
    assert execute.start_to_close_timeout.ToSeconds() == 600
    assert execute.schedule_to_start_timeout.ToSeconds() == 60
    assert execute.heartbeat_timeout.ToSeconds() == 30
    assert execute.retry_policy.maximum_attempts == 1
    markers = _attributes(history, "marker_recorded_event_attributes")
    # The runner-owns-completed patch (no UpdateExecutionStatus after a completed
    # run), then the session-turns patch and AdvanceSessionTurn.
    assert [m.marker_name for m in markers] == ["core_patch", "core_patch", "core_local_activity"]


def test_agent_timeout_raises_activity_and_run_timeouts(workers, demo_agent):
    demo_agent.execution_timeout_seconds = 900
    demo_agent.save()
    execution = wait_for_phase(execution_create(agent=demo_agent, message="hello"), Phase.COMPLETED)

    history = _history(execution.workflow_id)

    (started,) = _attributes(history, "workflow_execution_started_event_attributes")
    assert started.workflow_run_timeout.ToSeconds() == 900
    _, execute = _attributes(history, "activity_task_scheduled_event_attributes")
    assert execute.start_to_close_timeout.ToSeconds() == 900
