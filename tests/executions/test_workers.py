"""Each worker registers only its own part of the contract (real workers)."""
import pytest
from temporalio import activity, workflow

from executions.temporal.client import temporal_bridge
from executions.temporal.config import temporal_config
from executions.temporal.workers import build_orchestration_worker
from runner.worker import build_runner_worker


def _names(worker) -> tuple[list[str], list[str], str]:
    config = worker.config()
    workflows = [workflow._Definition.must_from_class(w).name for w in config.get("workflows", [])]
    activities = [activity._Definition.must_from_callable(a).name for a in config.get("activities", [])]
    return workflows, sorted(activities), config["task_queue"]


def _build(builder):
    """Workers are built inside an event loop, as the commands do."""

    async def build(client):
        return builder(client, temporal_config())

    return temporal_bridge.run(build)


@pytest.fixture
def contract_queues(temporal_env, monkeypatch):
    monkeypatch.setenv("TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE", "agent_execution_stigmer")
    monkeypatch.setenv("TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE", "agent_execution_runner")


def test_orchestration_worker_registers_the_workflows_and_their_activities_only(contract_queues):
    assert _names(_build(build_orchestration_worker)) == (
        ["stigmer/agent-execution/invoke", "stigmer/retention/prune", "stigmer/webhooks/deliver"],
        [
            "AdvanceSessionTurn", "CheckRunnerQueue", "DeliverWebhook", "PruneExecutions",
            "RecordToolCallDecision", "UpdateExecutionStatus", "WebhookDeliveryGiveUp",
        ],
        "agent_execution_stigmer",
    )


def test_runner_worker_registers_the_two_runner_activities_only(contract_queues):
    assert _names(_build(build_runner_worker)) == (
        [],
        ["EnsureThread", "ExecuteGraphton"],
        "agent_execution_runner",
    )


def test_queue_names_come_from_the_environment(temporal_env, monkeypatch):
    monkeypatch.setenv("TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE", "orch-x")
    monkeypatch.setenv("TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE", "run-x")
    assert _names(_build(build_orchestration_worker))[2] == "orch-x"
    assert _names(_build(build_runner_worker))[2] == "run-x"
