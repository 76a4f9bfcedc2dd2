"""A run waiting for a decision loses nothing when every worker and the
Temporal dev server itself restart: the wait is in Temporal's history, the
thread in its checkpoint."""
import uuid

import pytest

from executions.models import Phase
from executions.services.approvals import tool_call_decide
from executions.temporal.workers import build_orchestration_worker
from runner.worker import build_runner_workers
from tests.approvals.conftest import events_of, finished, refund, refunded, waiting
from tests.faults.conftest import DevServer
from tests.temporal_harness import WorkerThread

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_server(tmp_path, monkeypatch, settings):
    """A private dev server whose history survives its restart, and queues of this test's own."""
    server = DevServer(tmp_path)
    server.start()
    suffix = uuid.uuid4().hex[:8]
    monkeypatch.setenv("TEMPORAL_HOST_PORT", server.host_port)
    monkeypatch.setenv("TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE", f"stigmer-{suffix}")
    monkeypatch.setenv("TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE", f"runner-{suffix}")
    monkeypatch.setenv("STIGMER_HEARTBEAT_INTERVAL_SECONDS", "0.3")
    settings.STIGMER_CHECKPOINT_PATH = tmp_path / "checkpoints.sqlite3"
    yield server
    server.stop()


def start_workers() -> WorkerThread:
    return WorkerThread(build_orchestration_worker, build_runner_workers).start()


def test_workers_and_the_dev_server_restarted_while_waiting_then_approved(own_server, transactional_db, shop, owner):
    workers = start_workers()
    try:
        execution, [approval] = waiting(shop, refund(7), owner=owner)
    finally:
        workers.stop()
    own_server.stop()
    own_server.start()
    workers = start_workers()
    try:
        tool_call_decide(
            execution=execution, tool_call_id=approval.tool_call_id, decision="approve", user=owner, surface="api"
        )
        execution = finished(execution)
    finally:
        workers.stop()

    assert execution.phase == Phase.COMPLETED, execution.error
    assert refunded(7)
    assert execution.output == "The refund_order tool returned: refunded order 7 (item 7)."
    # The turn ran once: one question, one call, one answer.
    assert len([m for m in events_of(execution, "message") if m["role"] == "human"]) == 1
    assert len(events_of(execution, "tool_call_started")) == 1
