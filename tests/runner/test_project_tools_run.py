"""Project tools on real workers, driven by the scripted model's "call <tool> with {...}"."""
import json

import pytest
from django.contrib.auth import get_user_model

from executions.models import Agent, Phase
from executions.services.executions import execution_create
from tests.toolapp import agent_tools
from tests.toolapp.models import Order
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop_agent(db):
    return Agent.objects.create(
        slug="shop", name="Shop", model="scripted:demo",
        tools=["refund_order", "whoami", "slow_async", "blocking", "calculator"],
    )


def run(agent, message, **extra):
    execution = execution_create(agent=agent, message=message, **extra)
    execution = wait_for_phase(execution, Phase.COMPLETED, Phase.FAILED, timeout=60)
    events = list(execution.events.order_by("sequence").values_list("type", "data"))
    return execution, events


def tool_outcome(events, kind):
    return next(data for type_, data in events if type_ == kind)


def test_a_sync_orm_tool_runs_on_a_tool_thread_and_closes_its_connection(workers, shop_agent):
    Order.objects.create(number=7, item="teapot")
    agent_tools.observed.clear()

    execution, events = run(shop_agent, 'call refund_order with {"number": 7}')

    assert execution.phase == Phase.COMPLETED, execution.error
    assert Order.objects.get(number=7).refunded
    started = tool_outcome(events, "tool_call_started")
    assert (started["name"], started["args"]) == ("refund_order", {"number": 7})
    assert tool_outcome(events, "tool_call_completed")["result"] == "refunded order 7 (teapot)"
    assert execution.output == "The refund_order tool returned: refunded order 7 (teapot)."
    [seen] = agent_tools.observed
    assert seen["thread"].startswith("stigmer-tool")
    assert seen["connection"].connection is None  # closed after the call, not left open


def test_an_async_tool_reads_its_runs_context(workers, shop_agent):
    owner = get_user_model().objects.create_user("carol")

    execution, events = run(shop_agent, 'call whoami with {"greeting": "hey"}', owner=owner)

    assert execution.phase == Phase.COMPLETED, execution.error
    result = json.loads(tool_outcome(events, "tool_call_completed")["result"])
    assert result == {
        "greeting": "hey", "execution_id": str(execution.pk), "session_id": str(execution.session_id),
        "agent_id": shop_agent.pk, "agent_slug": "shop", "owner_id": owner.pk,
    }


def test_a_tool_past_its_timeout_fails_the_call_not_the_run(workers, shop_agent):
    execution, events = run(shop_agent, 'call slow_async with {"seconds": 30}')

    assert execution.phase == Phase.COMPLETED, execution.error
    failed = tool_outcome(events, "tool_call_failed")
    assert failed["error"] == "ToolTimeout: tool 'slow_async' did not finish within 0.5 s"
    assert failed["duration_ms"] < 5000
    assert execution.output.startswith("The tool failed: ToolTimeout")


def test_a_blocking_sync_tool_does_not_stall_heartbeats(workers, shop_agent, monkeypatch):
    # Blocking the event loop for 3 s would miss a 1 s heartbeat timeout and
    # fail the run as "runner worker lost".
    monkeypatch.setenv("TEMPORAL_HEARTBEAT_TIMEOUT_SECONDS", "1")

    execution, events = run(shop_agent, 'call blocking with {"seconds": 3}')

    assert execution.phase == Phase.COMPLETED, execution.error
    assert tool_outcome(events, "tool_call_completed")["result"] == "blocked 3.0 s"
