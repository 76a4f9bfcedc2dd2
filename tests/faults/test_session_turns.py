"""One turn at a time per session across processes: turns sent at once from the
API (a web process) and from `run_agent` processes, and a restart of every
worker while turns are queued."""
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from executions.models import AgentExecution, Phase
from executions.services.executions import execution_create
from executions.services.turns import SESSION_WAIT_REASON
from tests.conftest import free_port
from tests.executions.checkpoints import human_turns, session_memory
from tests.executions.test_session_turns import assert_one_at_a_time
from tests.faults.conftest import assert_no_duplicate_steps, model_calls, requires_pg_redis
from tests.processes import ROOT
from tests.waiting import wait_for_phase, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), requires_pg_redis]


@pytest.fixture
def platform(fault_stack):
    fault_stack.manage("orchestration", "run_orchestration_worker").wait_for("polling")
    fault_stack.manage("runner", "run_runner_worker").wait_for("polling")
    port = free_port()
    fault_stack.web(port)
    fault_stack.url = f"http://127.0.0.1:{port}"
    return fault_stack


@pytest.fixture
def alice():
    user = get_user_model().objects.create_user("alice", password="pw")
    user.token = Token.objects.create(user=user).key
    return user


def send_turns(stack, user, session, messages: list[str], strategy: str) -> list:
    """Half the messages through the API, half through run_agent processes, all at once.
    Returns (surface, status or exit code, body or output) per message."""

    def api(message):
        response = httpx.post(
            f"{stack.url}/api/v1/executions/",
            json={"agent": "demo", "message": message, "session": str(session.pk), "multitask_strategy": strategy},
            headers={"Authorization": f"Token {user.token}"}, timeout=30,
        )
        return "api", response.status_code, response.json()

    def command(message):
        done = subprocess.run(
            [sys.executable, "manage.py", "run_agent", "demo", message, "--session", str(session.pk),
             "--user", user.username, "--multitask-strategy", strategy, "--timeout", "120"],
            cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=180,
        )
        return "run_agent", done.returncode, done.stdout + done.stderr

    calls = [api if i % 2 == 0 else command for i in range(len(messages))]
    with ThreadPoolExecutor(len(messages)) as pool:
        return list(pool.map(lambda pair: pair[0](pair[1]), zip(calls, messages)))


def session_turns(session) -> list[AgentExecution]:
    return list(AgentExecution.objects.filter(session=session).order_by("turn"))


def test_enqueue_from_api_and_run_agent_processes(platform, demo_agent, alice):
    # Long enough for the run_agent processes to boot and create their turns behind it.
    first = execution_create(agent=demo_agent, message="please sleep 10", owner=alice)
    messages = [f"What is {i}*3?" for i in range(1, 5)]

    results = send_turns(platform, alice, first.session, messages, "enqueue")

    assert [code for _, code, _ in results] == [201, 0, 201, 0], results
    turns = session_turns(first.session)
    assert [t.turn for t in turns] == [1, 2, 3, 4, 5]
    for turn in turns:
        wait_for_phase(turn, Phase.COMPLETED, Phase.FAILED, Phase.CANCELLED, timeout=60)
        assert turn.phase == Phase.COMPLETED, turn.error
        assert_no_duplicate_steps(turn)
    for turn in turns[1:]:  # created while an earlier turn was unfinished: queued first
        assert turn.events.filter(data__message=SESSION_WAIT_REASON).exists()
    assert_one_at_a_time(turns)
    assert [model_calls(platform, t) for t in turns[1:]] == [2, 2, 2, 2]
    assert human_turns(first.session) == [t.message for t in turns]
    answers = [content for kind, content in session_memory(first.session) if kind == "ai" and content]
    assert answers == [t.output for t in turns]


def test_reject_from_api_and_run_agent_processes(platform, demo_agent, alice):
    first = execution_create(agent=demo_agent, message="sleep 60 then tell me", owner=alice)

    results = send_turns(platform, alice, first.session, ["hi", "hello"], "reject")

    (api, status, body), (command, code, output) = results
    assert status == 409 and "is busy" in body["error"]["message"]
    assert code != 0 and "is busy" in output
    assert session_turns(first.session) == [first]
    first.refresh_from_db()
    assert first.phase in (Phase.PENDING, Phase.IN_PROGRESS)  # it was busy all along
    call_command("cancel_execution", str(first.pk))
    wait_for_phase(first, Phase.CANCELLED)


def test_interrupt_from_api_and_run_agent_processes(platform, demo_agent, alice):
    first = execution_create(agent=demo_agent, message="sleep 30 then tell me", owner=alice)
    wait_until(
        lambda: first.events.filter(type="tool_call_started", data__name="sleep").exists(),
        message="the sleep tool call",
    )

    results = send_turns(platform, alice, first.session, ["What is 6*6?", "What is 7*7?"], "interrupt")

    turns = session_turns(first.session)
    first = wait_for_phase(first, Phase.CANCELLED, Phase.COMPLETED, Phase.FAILED)
    assert first.phase == Phase.CANCELLED
    assert first.events.filter(type="tool_call_started", data__name="sleep").exists()
    # The two new turns interrupt each other in turn order; at least the last completes.
    for turn in turns[1:]:
        wait_for_phase(turn, Phase.COMPLETED, Phase.CANCELLED, Phase.FAILED)
    assert turns[-1].phase == Phase.COMPLETED
    # Whichever was created second interrupted the other: run_agent exits 0 only if its turn completed.
    (_, status, _), (_, code, _) = results
    by_message = {t.message: t for t in turns}
    assert status == 201
    assert code == (0 if by_message["What is 7*7?"].phase == Phase.COMPLETED else 1), results
    assert_one_at_a_time(turns)
    completed = [t.message for t in turns if t.phase == Phase.COMPLETED]
    assert [m for m in human_turns(first.session) if m in completed] == completed


def test_restart_of_every_worker_while_turns_are_queued(fault_stack, demo_agent):
    orchestration = fault_stack.manage("orchestration", "run_orchestration_worker").wait_for("polling")
    runner = fault_stack.manage("runner", "run_runner_worker").wait_for("polling")
    first = execution_create(agent=demo_agent, message="sleep 20 please")
    queued = [
        execution_create(agent=demo_agent, message=f"What is {i}+{i}?", session=first.session)
        for i in range(1, 4)
    ]
    wait_until(
        lambda: first.events.filter(type="tool_call_started", data__name="sleep").exists(),
        message="the sleep tool call",
    )

    orchestration.kill9()
    runner.kill9()
    fault_stack.manage("orchestration-2", "run_orchestration_worker").wait_for("polling")
    fault_stack.manage("runner-2", "run_runner_worker").wait_for("polling")

    first = wait_for_phase(first, Phase.FAILED, Phase.COMPLETED, timeout=60)
    assert first.error == "runner worker lost: ExecuteGraphton stopped heartbeating"
    for turn in queued:
        turn = wait_for_phase(turn, Phase.COMPLETED, Phase.FAILED, timeout=60)
        assert turn.phase == Phase.COMPLETED, turn.error
        assert model_calls(fault_stack, turn) == 2  # ran once
        assert_no_duplicate_steps(turn)
    assert_one_at_a_time([first, *queued])
    assert human_turns(first.session) == [t.message for t in queued]
