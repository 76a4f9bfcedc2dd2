"""Runners outside the platform's process, reaching it through the runner API only:
the platform (the real ASGI app) and the orchestration worker run in the test process,
each runner in a process of its own, with no database it could reach."""
import os
from pathlib import Path

import pytest

from executions.services.runner_tokens import runner_token_issue
from executions.temporal.workers import build_orchestration_worker
from runner.worker import build_runner_workers
from tests.asgi_server import AsgiTestServer
from tests.processes import ROOT, Process
from tests.temporal_harness import WorkerThread

# Nothing listens there: any database access by a runner fails at once.
UNREACHABLE_DATABASE = "postgres://stigmer:wrong@127.0.0.1:9/nowhere"


@pytest.fixture
def platform_server(transactional_db):
    """The real app, recording the runner API's traffic (checked against docs/schemas/ after;
    tests/settings.py installs the recorder)."""
    from tests.polyglot import recording
    from tests.schemas import validate

    recording.CALLS.clear()
    recording.ACTIVE["on"] = True
    server = AsgiTestServer().start()
    try:
        yield server
    finally:
        server.stop()
        recording.ACTIVE["on"] = False
    assert recording.CALLS, "no runner API call was made"
    print(f"{len(recording.CALLS)} runner API calls checked against docs/schemas/")
    for method, path, body, answer, status in recording.CALLS:
        assert status < 500, (method, path, body, answer)
        request_schema, response_schema = recording.schemas_for(path)
        if body is not None and request_schema:
            validate(request_schema, body)
        if status < 300 and answer is not None and response_schema:
            validate(response_schema, answer)


@pytest.fixture
def orchestration(temporal_env, transactional_db):
    thread = WorkerThread(build_orchestration_worker).start()
    yield thread
    thread.stop()


@pytest.fixture
def in_process_runner(temporal_env, transactional_db):
    """Starts the Python runner in this process (the embedded default), for comparison."""
    threads = []

    def start() -> WorkerThread:
        threads.append(WorkerThread(build_runner_workers).start())
        return threads[-1]

    yield start
    for thread in threads:
        thread.stop()


def runner_env(platform_server, tmp_path: Path, **extra: str) -> dict:
    """A runner's environment: the platform's URL and a runner token; the database
    unreachable; Temporal and the queues of this test (temporal_env)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="stigmer.settings",
        PYTHONUNBUFFERED="1",
        DATABASE_URL=UNREACHABLE_DATABASE,
        STIGMER_PLATFORM_URL=platform_server.url,
        STIGMER_RUNNER_TOKEN=runner_token_issue(name=f"runner-{len(os.listdir(tmp_path))}"),
        STIGMER_CHECKPOINT_PATH=str(tmp_path / "runner-checkpoints.sqlite3"),
        **extra,
    )
    return env


@pytest.fixture
def start_process(tmp_path):
    processes: list[Process] = []

    def start(name: str, args: list[str], env: dict, executable: str | None = None) -> Process:
        process = Process(name, args, env, tmp_path)
        if executable is not None:
            import subprocess

            process.popen = subprocess.Popen(
                [executable, *args], cwd=ROOT, env=env, stdout=process.log.open("ab"),
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        else:
            process.start()
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.stop()
