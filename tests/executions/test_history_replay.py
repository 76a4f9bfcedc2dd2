"""Every captured workflow history replays against today's workflow code.

The fixtures in tests/executions/histories/ were recorded from real runs
(capture.py); a change to the workflow that would break an in-flight run of
an older version fails here (docs/temporal-contract.md, "Versioning").
"""
import asyncio
import json
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from executions.temporal.contract import WORKFLOW_TYPE
from executions.temporal.workers import workflow_runner
from executions.temporal.workflows import InvokeAgentExecutionWorkflow

HISTORIES = Path(__file__).parent / "histories"
FIXTURES = sorted(HISTORIES.glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    fixture = json.loads(path.read_text())
    return WorkflowHistory.from_json(fixture["workflow_id"], fixture["history"])


def replay(history: WorkflowHistory, workflow_class=InvokeAgentExecutionWorkflow):
    replayer = Replayer(workflows=[workflow_class], workflow_runner=workflow_runner())
    return asyncio.run(replayer.replay_workflow(history))


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_fixture_replays_against_the_current_workflow(path):
    result = replay(load(path))

    assert result.replay_failure is None


def test_fixtures_cover_completed_failed_and_cancelled_runs():
    closings = {
        EventType.Name(event.event_type)
        for path in FIXTURES
        for event in load(path).events
    }
    assert {
        "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED",
        "EVENT_TYPE_WORKFLOW_EXECUTION_FAILED",
        "EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED",
    } <= closings


def test_fixtures_cover_decisions_sent_as_updates():
    """Since approvals: a run that waited for decisions, sent as Updates."""
    events = {EventType.Name(event.event_type) for path in FIXTURES for event in load(path).events}
    assert "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED" in events


@workflow.defn(name=WORKFLOW_TYPE)
class UnpatchedChange:
    """The workflow with a change not behind workflow.patched: a timer first."""

    @workflow.run
    async def run(self, execution) -> None:
        await workflow.sleep(1)


def test_an_unpatched_change_fails_the_replay():
    path = HISTORIES / "v1-completed-tool-call.json"

    with pytest.raises(workflow.NondeterminismError):
        replay(load(path), UnpatchedChange)
