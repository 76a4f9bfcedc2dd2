"""The platform as real processes on PostgreSQL + Redis, against a Temporal
dev server started here: one dedicated database, web (uvicorn), one
orchestration worker, one runner worker. Also the bench's own Django set-up."""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

from stigmer.devtools.devserver import dev_server_start, dev_server_stop, port_open

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "artifacts" / "bench"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_recreate(name: str) -> str:
    """Drop and create the bench's own database; returns its URL."""
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES}/{name}"


class Process:
    def __init__(self, name: str, args: list[str], env: dict, cwd: Path = ROOT) -> None:
        self.name = name
        self.log = LOG_DIR / f"{name}.log"
        self.log.write_bytes(b"")
        self.popen = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log.read_text(errors="replace"):
            if not self.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} never said {text!r}:\n{self.tail()}")
            time.sleep(0.1)

    def wait_port(self, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not port_open("127.0.0.1", port):
            if not self.alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not listen on {port}:\n{self.tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)


def vm_hwm_mib(pid: int, field: str = "VmHWM") -> float:
    """Peak resident memory of a process (VmHWM), in MiB; `field="VmRSS"`: its current one."""
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} for pid {pid}")


class Environment:
    """Everything the measurements share; stop() ends what start() began."""

    def __init__(self, *, database: str, root: Path = ROOT, name: str = "", redis_url: str = REDIS_URL) -> None:
        """`root`: the checkout whose code the processes run (another commit's, for
        bench/before_after.py), `name` prefixes its process logs."""
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.database = database
        self.root, self.name, self.redis_url = root, name, redis_url
        self.temporal_host_port = f"127.0.0.1:{free_port()}"
        self.web_port = free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        suffix = uuid.uuid4().hex[:8]
        self.env: dict[str, str] = {}
        self.queues = {
            "TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE": f"bench-stigmer-{suffix}",
            "TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE": f"bench-runner-{suffix}",
        }
        self.processes: dict[str, Process] = {}
        self._temporal = None

    def start(self, *, setup_django: bool = True, after_migrate=None) -> "Environment":
        """`setup_django=False` leaves this process's Django as it is;
        `after_migrate` runs before any process starts."""
        database_url = database_recreate(self.database)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "stigmer.settings",
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis_url,
            "TEMPORAL_HOST_PORT": self.temporal_host_port,
            **self.queues,
            # Production settings (DEBUG off), served over plain HTTP on loopback.
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-not-a-secret",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "STIGMER_SERVE_STATIC": "0",
            "LOG_FORMAT": "plain",
            "LOG_LEVEL": "WARNING",
            "STIGMER_CHECKPOINT_PATH": str(LOG_DIR / "unused-checkpoints.sqlite3"),
            # One bench user creates thousands of runs a minute: no quotas.
            "STIGMER_CREATE_RATE_PER_USER": "",
            "STIGMER_CREATE_RATE_PER_AGENT": "",
            "STIGMER_MAX_RUNNING_PER_USER": "0",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--no-input"], cwd=self.root, env=self.env,
            check=True, stdout=subprocess.DEVNULL,
        )
        if after_migrate is not None:
            after_migrate()
        self._temporal = dev_server_start(host_port=self.temporal_host_port)
        python = sys.executable
        self.processes["web"] = self._process(
            "web",
            [python, "-m", "uvicorn", "stigmer.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.web_port), "--log-level", "warning", "--no-access-log"],
            # Django under ASGI runs each request's sync code in a thread of its own:
            # persistent connections (DATABASE_CONN_MAX_AGE, 600 s by default) pile up
            # under concurrent requests until PostgreSQL refuses clients, and a
            # connection per request costs a backend's start-up each time. The web
            # process runs as the README advises for production: one pool.
            {**self.env, "DATABASE_POOL": "1"},
        )
        self.processes["orchestration"] = self._process(
            "orchestration", [python, "manage.py", "run_orchestration_worker"], self.env
        )
        self.processes["runner"] = self._process("runner", [python, "manage.py", "run_runner_worker"], self.env)
        self.processes["web"].wait_port(self.web_port)
        if not setup_django:
            return self
        os.environ.update(self.env)
        import django

        django.setup()
        return self

    def _process(self, name: str, args: list[str], env: dict) -> Process:
        return Process(f"{self.name}-{name}" if self.name else name, args, env, cwd=self.root)

    @property
    def temporal_pid(self) -> int:
        return self._temporal.pid

    def runner_restart(self, args: list[str] | None = None, **env: str) -> "Process":
        """Replace the runner worker (by another command line, other settings);
        its activities are finished or idle when this is called."""
        self.processes["runner"].stop()
        args = args or ["manage.py", "run_runner_worker"]
        runner = self._process("runner", [sys.executable, *args], {**self.env, **env})
        self.processes["runner"] = runner
        runner.wait_for("runner worker polling")
        return runner

    def check_alive(self) -> None:
        for process in self.processes.values():
            if not process.alive():
                raise RuntimeError(f"{process.name} exited:\n{process.tail()}")

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            process.stop()
        if self._temporal is not None:
            dev_server_stop(self._temporal)
