"""Sub-agents on real workers: each delegation its own execution, linked to its parent."""
import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model

from executions.live import layer_spans_processes
from executions.live.reader import follow
from executions.models import Agent, AgentExecution, EventType, Phase
from executions.selectors import execution_usage_total
from executions.services.executions import execution_cancel, execution_create
from executions.temporal.client import temporal_bridge
from executions.temporal.contract import MEMO_ACTIVITY_QUEUE
from executions.temporal.starter import workflow_handle
from executions.services.status import execution_status_apply
from executions.temporal.contract import ExecutionStatus
from tests.api.conftest import client_for, make_execution
from tests.waiting import wait_for_phase, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def delegate(message: str) -> str:
    return "call delegate_to_demo with " + json.dumps({"message": message})


@pytest.fixture
def boss(demo_agent):
    boss = Agent.objects.create(slug="boss", name="Boss", model="scripted:demo")
    boss.sub_agents.set([demo_agent])
    return boss


def the_child(parent: AgentExecution) -> AgentExecution:
    wait_until(lambda: parent.children.exists(), message="the child execution")
    return parent.children.get()


def test_a_delegation_is_its_own_execution_linked_to_its_parent(workers, boss, demo_agent, admin_client):
    owner = get_user_model().objects.create_user("delegator")
    parent = execution_create(agent=boss, owner=owner, message=delegate("What is 6*7?"))
    child = the_child(parent)
    # The child's own log, read live by the reader every surface uses.
    layer = get_channel_layer() if layer_spans_processes() else None

    async def frames():
        async def read():
            return [f async for f in follow(child.pk, layer=layer, poll=0.1) if f.get("type") != "token"]

        return await asyncio.wait_for(read(), 60)

    child_log = async_to_sync(frames)()
    parent = wait_for_phase(parent, Phase.COMPLETED, Phase.FAILED)
    assert parent.phase == Phase.COMPLETED, parent.error
    child.refresh_from_db()
    assert (child.agent, child.parent, child.depth, child.owner) == (demo_agent, parent, 1, owner)
    assert child.phase == Phase.COMPLETED and child.output == "The result is 42."
    assert child.session_id != parent.session_id
    assert [f["data"].get("phase") for f in child_log if f["type"] == "phase"] == [
        "PENDING", "IN_PROGRESS", "COMPLETED"
    ]
    assert {"role": "human", "content": "What is 6*7?"} in [f["data"] for f in child_log]
    # The parent's transcript names the child; the child's answer is the tool's result.
    events = list(parent.events.values_list("type", "data"))
    assert (EventType.DELEGATION, {
        "tool": "delegate_to_demo", "agent": "demo", "execution": str(child.pk), "depth": 1
    }) in events
    result = next(data for kind, data in events if kind == "tool_call_completed")
    assert (result["name"], result["result"]) == ("delegate_to_demo", "The result is 42.")
    assert parent.output == "The delegate_to_demo tool returned: The result is 42.."
    # The child ran on the next depth's runner queue.
    description = temporal_bridge.run(lambda client: workflow_handle(client, str(child.pk)).describe())
    memo = async_to_sync(description.memo)()
    assert memo[MEMO_ACTIVITY_QUEUE] == f"{workers.config.runner_queue}.d1"
    # Usage: each on its own record, summed on the parent.
    total = execution_usage_total(execution=parent)
    assert child.total_tokens > 0
    assert total["total_tokens"] == parent.total_tokens + child.total_tokens
    # The surfaces: the API's detail lists the children and the sum; the admin links both ways.
    detail = client_for(owner).get(f"/api/v1/executions/{parent.pk}/").json()
    assert detail["children"] == [{"id": str(child.pk), "agent": "demo", "phase": "COMPLETED", "usage": {
        "input_tokens": child.input_tokens, "output_tokens": child.output_tokens, "total_tokens": child.total_tokens
    }}]
    assert detail["usage_total"] == {**total, "cost": f"{total['cost']:.6f}"} and detail["parent"] is None
    assert client_for(owner).get(f"/api/v1/executions/{child.pk}/").json()["parent"] == str(parent.pk)
    parent_page = admin_client.get(f"/admin/executions/agentexecution/{parent.pk}/change/").content.decode()
    assert f'/admin/executions/agentexecution/{child.pk}/change/' in parent_page
    assert f"<strong>{total['total_tokens']}</strong> total tokens" in parent_page
    child_page = admin_client.get(f"/admin/executions/agentexecution/{child.pk}/change/").content.decode()
    assert f'class="stigmer-parent" href="/admin/executions/agentexecution/{parent.pk}/change/"' in child_page


def test_cancelling_the_parent_cancels_its_running_child(workers, boss):
    parent = execution_create(agent=boss, message=delegate('call sleep with {"seconds": 60}'))
    child = the_child(parent)
    wait_until(
        lambda: child.events.filter(type=EventType.TOOL_CALL_STARTED).exists(), message="the child sleeping"
    )
    execution_cancel(execution=parent)
    assert wait_for_phase(parent, Phase.CANCELLED, Phase.FAILED, Phase.COMPLETED).phase == Phase.CANCELLED
    assert wait_for_phase(child, Phase.CANCELLED, Phase.FAILED, Phase.COMPLETED).phase == Phase.CANCELLED


def test_a_failed_child_is_the_parents_tool_error(workers, boss, demo_agent):
    demo_agent.enabled = False
    demo_agent.save()
    parent = wait_for_phase(
        execution_create(agent=boss, message=delegate("hello")), Phase.COMPLETED, Phase.FAILED
    )
    assert parent.phase == Phase.COMPLETED, parent.error
    assert not parent.children.exists()
    failed = parent.events.get(type=EventType.TOOL_CALL_FAILED).data
    assert failed["name"] == "delegate_to_demo"
    assert "sub-agent 'demo' refused the task: agent: Agent 'demo' is disabled." in failed["error"]


SLOTS = 3


@pytest.fixture
def few_slots_workers(temporal_env, transactional_db, monkeypatch):
    """Real workers whose runner has SLOTS activity slots per depth, and a
    short schedule-to-start: a child left without a slot fails in seconds."""
    from executions.temporal.workers import build_orchestration_worker
    from runner.worker import build_runner_workers
    from tests.temporal_harness import WorkerThread

    monkeypatch.setenv("TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES", str(SLOTS))
    monkeypatch.setenv("TEMPORAL_SCHEDULE_TO_START_SECONDS", "10")
    thread = WorkerThread(build_orchestration_worker, build_runner_workers).start()
    yield thread
    thread.stop()


def test_as_many_parents_as_slots_each_waiting_on_a_child_all_complete(few_slots_workers, boss):
    # Each parent holds one of the SLOTS depth-0 slots while its child runs:
    # with one pool the children would never start.
    parents = [
        execution_create(agent=boss, message=delegate('call sleep with {"seconds": 1}')) for _ in range(SLOTS)
    ]
    parents = [wait_for_phase(p, Phase.COMPLETED, Phase.FAILED, timeout=90) for p in parents]
    assert [p.phase for p in parents] == [Phase.COMPLETED] * SLOTS, [p.error for p in parents]
    assert max(p.started_at for p in parents) < min(p.completed_at for p in parents), "all held a slot at once"
    children = AgentExecution.objects.filter(parent__in=parents)
    assert sorted(c.phase for c in children) == [Phase.COMPLETED] * SLOTS


def test_a_parent_the_workflow_marks_failed_cancels_its_running_child(workers, boss, demo_agent):
    # A parent whose runner was lost: the workflow records its end, and
    # nobody is left to wait for the child.
    parent = make_execution(agent=boss, owner=None, phase=Phase.IN_PROGRESS)
    child = execution_create(agent=demo_agent, message='call sleep with {"seconds": 60}', parent=parent)
    wait_until(
        lambda: child.events.filter(type=EventType.TOOL_CALL_STARTED).exists(), message="the child sleeping"
    )
    lost = ExecutionStatus(phase=Phase.FAILED, error="runner worker lost: ExecuteGraphton stopped heartbeating")
    assert execution_status_apply(execution_id=parent.pk, status=lost) is True
    assert wait_for_phase(child, Phase.CANCELLED, Phase.FAILED, Phase.COMPLETED).phase == Phase.CANCELLED
