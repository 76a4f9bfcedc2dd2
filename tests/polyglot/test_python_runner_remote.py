"""The Python runner as a runner machine runs it: `run_runner_worker` with the
platform's URL and a runner token, no database reachable. It serves executions
through the runner API exactly as the embedded runner does."""
import json

import pytest

from executions.services.executions import execution_cancel, execution_create
from executions.models import Agent, RunnerToken
from tests.polyglot.conftest import runner_env
from tests.polyglot.transcripts import run, summary, transcript, wait_for_event
from tests.waiting import wait_for_phase, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_runner_without_a_database_serves_executions_like_the_embedded_one(
    orchestration, platform_server, in_process_runner, start_process, demo_agent, tmp_path
):
    # The embedded runner first: the transcript every runner must write.
    embedded = in_process_runner()
    expected = run(demo_agent, "What is 6*7?")
    embedded.stop()

    runner = start_process("runner", ["manage.py", "run_runner_worker"], runner_env(platform_server, tmp_path))
    runner.wait_for("runner worker polling")
    remote = run(demo_agent, "What is 6*7?")

    assert transcript(remote) == transcript(expected)
    assert summary(remote) == {**summary(expected), "thread": f"thread-{remote.session_id}"}
    assert summary(remote)["output"] == "The result is 42."
    # It never reached for a database: no connection error in its log.
    assert "OperationalError" not in runner.output() and "127.0.0.1:9" not in runner.output()

    # Memory across turns of a session lives in the runner's own checkpoints.
    follow_up = execution_create(agent=demo_agent, message="What did I ask before?", session=remote.session)
    assert wait_for_phase(follow_up, "COMPLETED").output == 'You asked before: "What is 6*7?"'

    # A cancel reaches the agent through the heartbeat, as in process.
    sleeping = execution_create(agent=demo_agent, message="sleep 30 then tell me")
    wait_for_event(sleeping, "tool_call_started", name="sleep")
    execution_cancel(execution=sleeping)
    assert wait_for_phase(sleeping, "CANCELLED", timeout=15).phase == "CANCELLED"

    # Sub-agents: created, waited for and cancelled through the API too.
    boss = Agent.objects.create(slug="boss", name="Boss", model="scripted:demo")
    boss.sub_agents.set([demo_agent])
    parent = run(boss, "call delegate_to_demo with " + json.dumps({"message": "What is 6*7?"}))
    child = parent.children.get()
    assert (child.phase, child.output, child.depth) == ("COMPLETED", "The result is 42.", 1)
    assert "The result is 42." in parent.output
    waiting = execution_create(agent=boss, message="call delegate_to_demo with " + json.dumps({"message": "sleep 30"}))
    wait_until(lambda: waiting.children.exists(), message="the child")
    wait_for_event(waiting.children.get(), "tool_call_started", name="sleep")
    execution_cancel(execution=waiting)
    wait_for_phase(waiting, "CANCELLED", timeout=15)
    assert wait_for_phase(waiting.children.get(), "CANCELLED", timeout=15).phase == "CANCELLED"

    # A failing agent is reported as such.
    demo_agent.model = "scripted:fail"
    demo_agent.save()
    failed = run(demo_agent, "hello", phase="FAILED")
    assert "scripted model failure" in failed.error
    runner.stop()
    # Everything went through the runner API, with the runner's token.
    assert RunnerToken.objects.get().last_used_at is not None
    print(runner.output())
