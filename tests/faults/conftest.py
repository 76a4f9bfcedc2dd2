"""Fault tests: real processes (Temporal dev server, orchestration and runner
workers, web) on PostgreSQL and Redis, with faults injected from outside."""
import os
import shutil
import subprocess
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from stigmer.devtools.devserver import dev_server_start, dev_server_stop, port_open
from executions.models import ExecutionEvent
from tests.conftest import free_port
from stigmer.channel_layers import redis_channel_layer
from tests.processes import Stack, database_url

requires_pg_redis = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
    reason="fault tests run on PostgreSQL and Redis (CI's second pass)",
)


class DevServer:
    """A private Temporal dev server whose history survives a restart."""

    def __init__(self, tmp_path: Path) -> None:
        self.host_port = f"127.0.0.1:{free_port()}"
        self.db_file = tmp_path / "temporal.sqlite3"
        self.process = None

    def start(self) -> None:
        self.process = dev_server_start(host_port=self.host_port, db_file=self.db_file)

    def stop(self) -> None:
        if self.process:
            dev_server_stop(self.process)
            self.process = None


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", self.port):
            assert time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@pytest.fixture
def temporal(tmp_path, monkeypatch):
    server = DevServer(tmp_path)
    server.start()
    monkeypatch.setenv("TEMPORAL_HOST_PORT", server.host_port)
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "1")
    yield server
    server.stop()


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fault_stack(temporal, redis_server, transactional_db, demo_agent, tmp_path, monkeypatch, settings):
    suffix = uuid.uuid4().hex[:8]
    env = {
        "DATABASE_URL": database_url() + "?application_name=stigmer-worker",
        "REDIS_URL": redis_server.url,
        "TEMPORAL_HOST_PORT": temporal.host_port,
        "TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE": f"stigmer-{suffix}",
        "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE": f"runner-{suffix}",
        "TEMPORAL_HEARTBEAT_TIMEOUT_SECONDS": "3",
        "STIGMER_HEARTBEAT_INTERVAL_SECONDS": "0.5",
        "STIGMER_RECONCILE_INTERVAL_SECONDS": "1",
        "STIGMER_REPAIR_GRACE_SECONDS": "2",
        "STIGMER_SCRIPTED_CALL_LOG": str(tmp_path / "model-calls.log"),
        "STIGMER_CHECKPOINT_PATH": str(tmp_path / "unused.sqlite3"),
    }
    # The test process starts workflows too: it must agree on queues and timeouts.
    for key, value in env.items():
        if key.startswith(("TEMPORAL_", "STIGMER_")):
            monkeypatch.setenv(key, value)
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(redis_server.url)}
    stack = Stack(env, tmp_path)
    stack.calls_log = Path(env["STIGMER_SCRIPTED_CALL_LOG"])
    yield stack
    stack.stop()


def model_calls(stack, execution) -> int:
    if not stack.calls_log.exists():
        return 0
    return Counter(stack.calls_log.read_text().split())[str(execution.pk)]


def assert_no_duplicate_steps(execution) -> None:
    """Every message and tool call is recorded once, and sequences have no gaps."""
    events = list(ExecutionEvent.objects.filter(execution=execution).order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    steps = [(e.type, repr(sorted(e.data.items()))) for e in events if e.type != "phase"]
    assert len(steps) == len(set(steps)), steps
    phases = [e.data["phase"] for e in events if e.type == "phase"]
    assert len(phases) == len(set(phases)), phases
