"""Capture workflow histories as replay fixtures (docs/temporal-contract.md, "Versioning").

Not collected by the suite (the file name does not start with test_); run it
explicitly, with a tag naming the workflow's behaviour being captured:

    STIGMER_HISTORY_TAG=v1 .venv/bin/python -m pytest tests/executions/histories/capture.py

Each scenario runs through the real workers on the suite's Temporal dev
server, waits for the workflow to close and writes its history, as
Temporal's JSON, to tests/executions/histories/<tag>-<scenario>.json.
Existing fixtures are never overwritten: the histories of an old behaviour
are kept and replayed forever by tests/executions/test_history_replay.py.
"""
import json
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from executions.models import Agent, Phase
from executions.services.bootstrap import DEMO_TOOLS
from executions.services.executions import execution_create
from executions.temporal.client import temporal_bridge
from tests.waiting import wait_for_phase, wait_until

HISTORIES = Path(__file__).parent
TAG = os.environ.get("STIGMER_HISTORY_TAG", "")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not TAG, reason="set STIGMER_HISTORY_TAG to capture fixtures"),
]


def closed_history_json(workflow_id: str, run_id: str | None = None) -> str:
    async def fetch(client):
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        try:
            await handle.result()  # wait for the closure, whatever its outcome
        except Exception:  # noqa: BLE001 - failed and cancelled runs are captured too
            pass
        return (await handle.fetch_history()).to_json()

    return temporal_bridge.run(fetch, timeout=60)


def save(scenario: str, workflow_id: str, run_id: str | None = None) -> Path:
    path = HISTORIES / f"{TAG}-{scenario}.json"
    if path.exists():
        pytest.fail(f"{path.name} exists: fixtures are kept forever, pick a new STIGMER_HISTORY_TAG")
    history = json.loads(closed_history_json(workflow_id, run_id))
    path.write_text(json.dumps({"workflow_id": workflow_id, "history": history}, indent=1) + "\n")
    return path


def test_capture_completed_with_tool_call(workers, demo_agent):
    execution = wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    assert execution.events.filter(type="tool_call_completed").exists()
    save("completed-tool-call", execution.workflow_id)


def test_capture_failed(workers):
    agent = Agent.objects.create(slug="failing", name="Failing", model="scripted:fail", tools=DEMO_TOOLS)
    execution = wait_for_phase(execution_create(agent=agent, message="hello"), Phase.FAILED)
    save("failed", execution.workflow_id)


def test_capture_cancelled(workers, demo_agent):
    execution = execution_create(agent=demo_agent, message="sleep 30 then tell me")
    wait_until(
        lambda: execution.events.filter(type="tool_call_started", data__name="sleep").exists(),
        message="the sleep tool call",
    )
    call_command("cancel_execution", str(execution.pk))
    wait_for_phase(execution, Phase.CANCELLED, timeout=20)
    save("cancelled", execution.workflow_id)


def test_capture_queued_turn(workers, demo_agent):
    """Since session-turns: a turn that hands its session to a queued one."""
    first = execution_create(agent=demo_agent, message="please sleep 1")
    second = execution_create(agent=demo_agent, message="What is 5*5?", session=first.session)
    wait_for_phase(second, Phase.COMPLETED)
    save("hands-off", first.workflow_id)
    save("queued-turn", second.workflow_id)


def test_capture_waited_for_runner_slot(temporal_env, transactional_db, demo_agent, monkeypatch):
    """Since runner-slots: a run that found its runners busy and continued as new."""
    from executions.temporal.workers import build_orchestration_worker
    from runner.worker import build_runner_workers
    from tests.temporal_harness import WorkerThread

    monkeypatch.setenv("TEMPORAL_SCHEDULE_TO_START_SECONDS", "2")
    monkeypatch.setenv("TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES", "1")
    workers = WorkerThread(build_orchestration_worker, build_runner_workers).start()
    try:
        busy = execution_create(agent=demo_agent, message="sleep 4 then tell me")
        wait_until(lambda: busy.events.filter(type="tool_call_started").exists(), message="a busy runner")
        waiting = execution_create(agent=demo_agent, message="What is 6*7?")
        wait_for_phase(waiting, Phase.COMPLETED)
        first_run = temporal_bridge.run(lambda c: c.get_workflow_handle(waiting.workflow_id).describe())
        first_run_id = first_run.raw_description.workflow_execution_info.first_run_id
    finally:
        workers.stop()
    save("waited-for-slot", waiting.workflow_id, run_id=first_run_id)


def _approval_agent():
    from tests.toolapp.models import Order

    Order.objects.bulk_create([Order(number=n, item=f"item {n}") for n in (1, 2)])
    return Agent.objects.create(
        slug="shop", name="Shop", model="scripted:demo", tools=["refund_order"],
        approval_tools=["refund_order"], approval_timeout_seconds=3,
    )


def _waiting_calls(execution, count: int):
    from executions.models import ToolCallApproval

    wait_for_phase(execution, Phase.WAITING_APPROVAL)
    wait_until(lambda: ToolCallApproval.objects.filter(execution=execution).count() == count, message="the calls")
    return list(ToolCallApproval.objects.filter(execution=execution).order_by("id"))


def test_capture_approval_decided(workers):
    """Since approvals: two gated calls in one turn, one approved, one edited (Updates), then resumed."""
    from executions.services.approvals import tool_call_decide

    message = 'call refund_order with {"number": 1}\ncall refund_order with {"number": 9}'
    execution = execution_create(agent=_approval_agent(), message=message)
    first, second = _waiting_calls(execution, 2)
    tool_call_decide(execution=execution, tool_call_id=first.tool_call_id, decision="approve", surface="command")
    tool_call_decide(
        execution=execution, tool_call_id=second.tool_call_id, decision="edit", args={"number": 2}, surface="command"
    )
    wait_for_phase(execution, Phase.COMPLETED)
    save("approval-decided", execution.workflow_id)


def test_capture_approval_timed_out(workers):
    """Since approvals: nobody decides; rejected at the timeout, then resumed."""
    execution = execution_create(agent=_approval_agent(), message='call refund_order with {"number": 1}')
    _waiting_calls(execution, 1)
    wait_for_phase(execution, Phase.COMPLETED)
    save("approval-timed-out", execution.workflow_id)


def test_capture_approval_cancelled(workers):
    """Since approvals: cancelled while it waits for a decision."""
    execution = execution_create(agent=_approval_agent(), message='call refund_order with {"number": 1}')
    _waiting_calls(execution, 1)
    call_command("cancel_execution", str(execution.pk))
    wait_for_phase(execution, Phase.CANCELLED, timeout=20)
    save("approval-cancelled", execution.workflow_id)
