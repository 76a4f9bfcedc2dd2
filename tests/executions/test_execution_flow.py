"""End to end on a real Temporal dev server with both real workers."""
import pytest

from executions.models import Phase
from executions.services.executions import execution_create
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


def events_of(execution):
    return list(execution.events.order_by("sequence").values_list("type", "data"))


def test_happy_path_records_transcript_tool_call_and_usage(workers, demo_agent):
    execution = execution_create(agent=demo_agent, message="What is 6*7?")

    execution = wait_for_phase(execution, Phase.COMPLETED, Phase.FAILED)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert "42" in execution.output
    assert execution.started_at and execution.completed_at
    assert execution.total_tokens > 0
    assert execution.total_tokens == execution.input_tokens + execution.output_tokens
    events = events_of(execution)
    sequences = list(execution.events.values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1))
    phases = [data["phase"] for kind, data in events if kind == "phase"]
    assert phases == ["PENDING", "IN_PROGRESS", "COMPLETED"]
    roles = [data["role"] for kind, data in events if kind == "message"]
    assert roles == ["human", "ai", "tool", "ai"]
    started = [data for kind, data in events if kind == "tool_call_started"]
    completed = [data for kind, data in events if kind == "tool_call_completed"]
    assert started[0]["name"] == "calculator" and started[0]["args"] == {"expression": "6*7"}
    assert completed[0]["result"] == "42" and completed[0]["id"] == started[0]["id"]
    assert any(kind == "usage" for kind, _ in events)


def test_session_remembers_earlier_turns(workers, demo_agent):
    first = execution_create(agent=demo_agent, message="Remember the word pelican.")
    wait_for_phase(first, Phase.COMPLETED)

    second = execution_create(
        agent=demo_agent, message="What did I ask before?", session=first.session
    )
    second = wait_for_phase(second, Phase.COMPLETED, Phase.FAILED)

    assert second.session_id == first.session_id
    assert "pelican" in second.output
    first.session.refresh_from_db()
    assert first.session.thread_id == f"thread-{first.session_id}"
