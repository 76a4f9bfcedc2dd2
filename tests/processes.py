"""Platform parts as separate OS processes, for scale-out and fault tests."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from stigmer.devtools.devserver import port_open

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The test database (pytest-django's), as a URL child processes can use."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return ""


class Process:
    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> "Process":
        self.popen = subprocess.Popen(
            [sys.executable, *self.args], cwd=ROOT, env=self.env,
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def kill9(self) -> None:
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.kill9()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, text: str, timeout: float = 30) -> "Process":
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} never said {text!r}:\n{self.output()[-3000:]}")
            time.sleep(0.1)
        return self


class Stack:
    """Starts web, orchestration and runner processes sharing one environment."""

    def __init__(self, env: dict, log_dir: Path) -> None:
        self.env = {
            **os.environ, **env, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONUNBUFFERED": "1",
        }
        self.log_dir = log_dir
        self.processes: list[Process] = []

    def manage(self, name: str, *args: str) -> Process:
        process = Process(name, ["manage.py", *args], self.env, self.log_dir).start()
        self.processes.append(process)
        return process

    def web(self, port: int, **env: str) -> Process:
        """The ASGI app under uvicorn; `env` adds to the stack's environment."""
        process = Process(
            "web",
            ["-m", "uvicorn", "stigmer.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            {**self.env, **env}, self.log_dir,
        ).start()
        self.processes.append(process)
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", port):
            if process.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"web did not start:\n{process.output()}")
            time.sleep(0.1)
        return process

    def output(self, name: str) -> str:
        return next(process for process in self.processes if process.name == name).output()

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
