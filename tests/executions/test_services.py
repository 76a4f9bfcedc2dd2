"""The event log and phase guard, without Temporal."""
import pytest

from executions.models import Phase
from executions.services.events import execution_event_append
from executions.services.phases import execution_phase_set
from executions.services.sessions import SessionNotFound, session_thread_ensure
from executions.services.status import execution_status_apply
from executions.temporal.contract import ExecutionStatus, TokenUsage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def execution(temporal_env, demo_agent):
    from executions.services.executions import execution_create

    return execution_create(agent=demo_agent, message="hi")


def test_events_get_consecutive_sequence_numbers(execution):
    for i in range(3):
        execution_event_append(execution_id=execution.pk, type="system", data={"message": str(i)})
    assert list(execution.events.values_list("sequence", flat=True)) == [1, 2, 3, 4]


def test_terminal_phase_never_changes_and_refuses_further_steps(execution):
    assert execution_phase_set(execution_id=execution.pk, phase=Phase.COMPLETED, output="done")
    assert not execution_phase_set(execution_id=execution.pk, phase=Phase.FAILED, error="late")
    assert not execution_status_apply(
        execution_id=execution.pk, status=ExecutionStatus(phase="CANCELLED")
    )
    assert execution_event_append(execution_id=execution.pk, type="message", data={}) is None
    execution.refresh_from_db()
    assert (execution.phase, execution.output, execution.error) == (Phase.COMPLETED, "done", "")
    assert execution.events.filter(type="phase").count() == 2  # PENDING, COMPLETED


def test_status_apply_records_usage_and_output(execution):
    status = ExecutionStatus(phase="COMPLETED", output="42", usage=TokenUsage(3, 4, 7))
    assert execution_status_apply(execution_id=execution.pk, status=status)
    execution.refresh_from_db()
    assert (execution.output, execution.input_tokens, execution.total_tokens) == ("42", 3, 7)


def test_thread_is_recorded_once(execution):
    first = session_thread_ensure(session_id=execution.session_id, agent_id=execution.agent_id)
    second = session_thread_ensure(session_id=execution.session_id, agent_id=execution.agent_id)
    assert first == second == f"thread-{execution.session_id}"
    with pytest.raises(SessionNotFound):
        session_thread_ensure(session_id=execution.session_id, agent_id=999)


def test_nul_characters_in_steps_are_stored_as_a_visible_stand_in(execution):
    event = execution_event_append(
        execution_id=execution.pk, type="message", data={"role": "tool", "content": "a\x00b"}
    )
    execution_phase_set(execution_id=execution.pk, phase=Phase.COMPLETED, output="x\x00y")
    event.refresh_from_db()
    execution.refresh_from_db()
    assert event.data["content"] == "a\ufffdb"
    assert execution.output == "x\ufffdy"
