"""A runner in TypeScript (tests/polyglot/ts_runner, written from docs/temporal-contract.md
with @temporalio/worker from npm) against the real orchestration worker and the runner API:
its executions read exactly like the Python runner's."""
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from executions.models import AgentExecution
from executions.services.executions import execution_cancel, execution_create
from executions.temporal.client import temporal_bridge
from tests.polyglot.conftest import runner_env
from tests.polyglot.transcripts import summary, transcript, wait_for_event
from tests.schemas import history_payloads, validate
from tests.waiting import wait_for_phase

TS_RUNNER = Path(__file__).resolve().parent / "ts_runner"
# CI installs the packages (.ci/run: npm ci) and sets this, so the test cannot skip there.
REQUIRED = os.environ.get("STIGMER_REQUIRE_POLYGLOT") == "1"


def _missing() -> str:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are not installed"
    if not (TS_RUNNER / "node_modules" / "@temporalio" / "worker").exists():
        return f"the TypeScript runner's packages are not installed (cd {TS_RUNNER} && npm ci)"
    return ""


if _missing() and REQUIRED:
    raise RuntimeError(_missing())
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(bool(_missing()), reason=_missing() or "ready"),
]

SCENARIOS = {
    "tool call": ("What is 6*7?", "COMPLETED"),
    "plain answer": ("Tell me a story", "COMPLETED"),
    "failure": ("hello", "FAILED"),  # on scripted:fail
}


@pytest.fixture(scope="module")
def ts_build():
    subprocess.run(["npx", "tsc", "-p", "."], cwd=TS_RUNNER, check=True, timeout=300)
    return TS_RUNNER / "dist" / "runner.js"


def scenarios(agent) -> dict[str, AgentExecution]:
    """Each scenario once, in turn; then a run cancelled mid-tool, with how long the
    cancel took to end it."""
    done = {}
    for name, (message, phase) in SCENARIOS.items():
        agent.model = "scripted:fail" if name == "failure" else "scripted:demo"
        agent.save()
        done[name] = wait_for_phase(execution_create(agent=agent, message=message), phase, timeout=60)
    agent.model = "scripted:demo"
    agent.save()
    sleeping = execution_create(agent=agent, message="sleep 30 then tell me")
    wait_for_event(sleeping, "tool_call_started", name="sleep")
    asked = time.monotonic()
    execution_cancel(execution=sleeping)
    done["cancel"] = wait_for_phase(sleeping, "CANCELLED", timeout=15)
    done["cancel"].took = time.monotonic() - asked
    return done


def test_the_typescript_runner_writes_what_the_python_runner_writes(
    orchestration, platform_server, in_process_runner, start_process, demo_agent, tmp_path, ts_build, admin_client
):
    python = in_process_runner()
    expected = scenarios(demo_agent)
    python.stop()

    runner = start_process("ts-runner", [str(ts_build)], runner_env(platform_server, tmp_path), executable="node")
    runner.wait_for("ts runner polling", timeout=60)
    actual = scenarios(demo_agent)

    for name in [*SCENARIOS, "cancel"]:
        assert transcript(actual[name]) == transcript(expected[name]), name
        # Phase, output, error, usage totals, started_at, the session's thread.
        assert summary(actual[name]) == {
            **summary(expected[name]), "thread": f"thread-{actual[name].session_id}"
        }, name
    # Written by the TypeScript runner (its idempotency keys), not by a Python one.
    keys = set(actual["tool call"].events.exclude(key="").values_list("key", flat=True))
    assert keys and all(key.startswith("ts:") for key in keys), keys
    assert summary(actual["tool call"])["output"] == "The result is 42."
    assert summary(actual["tool call"])["usage"] == (17, 5, 22)
    assert "scripted model failure" in actual["failure"].error
    # A cancel ends the run within one heartbeat (the 1 s throttle plus the beat's 0.3 s).
    assert actual["cancel"].took < 3.0, actual["cancel"].took
    # The admin's execution page reads the same.
    for name in ("tool call", "cancel"):
        pages = [admin_client.get(f"/admin/executions/agentexecution/{run[name].pk}/change/") for run in (expected, actual)]
        assert [page.status_code for page in pages] == [200, 200]
    page = pages[1].content.decode()
    assert "CANCELLED" in page and "sleep" in page
    tool_page = admin_client.get(f"/admin/executions/agentexecution/{actual['tool call'].pk}/change/").content.decode()
    assert "The result is 42." in tool_page
    session = actual["tool call"].session_id
    assert f"thread-{session}" in admin_client.get(f"/admin/executions/session/{session}/change/").content.decode()
    # The histories this runner's results went into fit the published schemas.
    for execution in actual.values():
        history = temporal_bridge.run(lambda c: c.get_workflow_handle(execution.workflow_id).fetch_history())
        for name, value, where in history_payloads(history.to_json_dict()):
            validate(name, value)
    print(f"cancel took {actual['cancel'].took:.2f} s (python: {expected['cancel'].took:.2f} s)")
