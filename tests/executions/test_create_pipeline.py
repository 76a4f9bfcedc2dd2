"""Bad input: a clear error per field, nothing saved, no workflow started."""
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from temporalio.service import RPCError

from executions.models import Agent, AgentExecution, ExecutionEvent, Phase, Session
from executions.services.executions import execution_create
from executions.temporal.client import temporal_bridge
from executions.temporal.contract import workflow_id_for

pytestmark = pytest.mark.django_db(transaction=True)


def assert_no_workflow(execution_id) -> None:
    with pytest.raises(RPCError, match="not found"):
        temporal_bridge.run(
            lambda c: c.get_workflow_handle(workflow_id_for(str(execution_id))).describe()
        )


@pytest.fixture
def other_agent(db):
    return Agent.objects.create(slug="other", name="Other")


@pytest.fixture
def alice(db):
    return get_user_model().objects.create_user("alice")


def _attempt(**kwargs):
    execution = AgentExecution(**kwargs)
    with pytest.raises(ValidationError) as info:
        execution.save()
    assert AgentExecution.objects.count() == 0
    assert ExecutionEvent.objects.count() == 0
    assert_no_workflow(execution.pk)
    return info.value.message_dict


@pytest.mark.parametrize(
    "message, expected",
    [
        ("", "The message is empty."),
        ("   \n", "The message is empty."),
        ("x" * 40, "at most 32"),
        ("a\x00b", "null characters"),
    ],
)
def test_bad_message_is_rejected(temporal_env, demo_agent, settings, message, expected):
    settings.STIGMER_MAX_MESSAGE_CHARS = 32
    errors = _attempt(agent=demo_agent, message=message)
    assert expected in errors["message"][0]
    assert Session.objects.count() == 0


def test_unknown_agent_is_rejected(temporal_env, db):
    errors = _attempt(agent_id=424242, message="hi")
    assert errors["agent"] == ["Unknown agent 424242."]


def test_disabled_agent_is_rejected(temporal_env, demo_agent):
    demo_agent.enabled = False
    demo_agent.save()
    assert _attempt(agent=demo_agent, message="hi")["agent"] == ["Agent 'demo' is disabled."]


def test_session_of_another_agent_is_rejected(temporal_env, demo_agent, other_agent):
    session = Session.objects.create(agent=other_agent)
    errors = _attempt(agent=demo_agent, message="hi", session=session)
    assert "belongs to another agent" in errors["session"][0]


def test_session_of_another_owner_is_rejected(temporal_env, demo_agent, alice):
    session = Session.objects.create(agent=demo_agent, owner=alice)
    errors = _attempt(agent=demo_agent, message="hi", session=session)
    assert "belongs to another owner" in errors["session"][0]


def test_unknown_model_override_is_rejected(temporal_env, demo_agent):
    errors = _attempt(agent=demo_agent, message="hi", model="nonsense:x")
    assert "nonsense" in errors["model"][0]


def test_client_supplied_status_is_dropped(temporal_env, demo_agent):
    execution = AgentExecution(
        agent=demo_agent, message="hi", phase=Phase.COMPLETED, output="forged", total_tokens=9
    )
    execution.save()
    execution.refresh_from_db()
    assert (execution.phase, execution.output, execution.total_tokens) == (Phase.PENDING, "", 0)
    assert execution.session.agent == demo_agent
    assert execution.workflow_id == workflow_id_for(str(execution.pk))


def test_start_is_idempotent(temporal_env, demo_agent):
    from executions.services.workflows import execution_workflow_start

    execution = execution_create(agent=demo_agent, message="hi")
    AgentExecution.objects.filter(pk=execution.pk).update(workflow_started_at=None)
    assert execution_workflow_start(execution_id=execution.pk) is True
    runs = temporal_bridge.run(
        lambda c: _count(c.list_workflows(f'WorkflowId = "{execution.workflow_id}"'))
    )
    assert runs == 1


async def _count(iterator) -> int:
    return len([w async for w in iterator])
