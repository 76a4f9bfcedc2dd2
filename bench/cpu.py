"""CPU seconds spent by each part of the stack over a window, from /proc.

The throughput target is a question of CPU on a 2-core machine: when a run
misses it, this is the profile that says which process spent the time.
Exited children (PostgreSQL backends of closed connections) are counted by
their parent's cutime/cstime, so nothing spent in the window is lost."""
import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2:].split()


def _process_seconds(pid: int) -> float:
    """utime + stime + cutime + cstime of one process."""
    try:
        fields = _stat(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK


def _pids_named(name: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _tree(pid: int, stop: set[int]) -> list[int]:
    """pid and its live descendants (uvicorn or manage.py may fork), not
    descending into `stop` (the bench's own children measured as parts)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                continue
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(child for child in children.get(current, []) if child not in stop)
    return out


def machine_busy_seconds() -> float:
    """All CPUs' non-idle time since boot, in seconds."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


class CpuMeter:
    """`parts` maps a label to pids (each with its descendants); PostgreSQL
    and Redis are found by name. Call start(), run the load, then stop()."""

    NAMED = {"postgresql": "postgres", "redis": "redis-server"}

    def __init__(self, parts: dict[str, list[int]]) -> None:
        self.parts = parts
        self._before: dict[str, float] = {}

    def _sample(self) -> dict[str, float]:
        roots = {pid for pids in self.parts.values() for pid in pids}
        # A parent's cutime would count a part that exits inside the window
        # twice; parts are long-lived processes, so only live children count.
        sample = {label: sum(_process_seconds(p) for pid in pids for p in _tree(pid, roots))
                  for label, pids in self.parts.items()}
        # Every server process by name, each once: backends come and go.
        for label, name in self.NAMED.items():
            sample[label] = sum(_process_seconds(pid) for pid in _pids_named(name))
        sample["machine"] = machine_busy_seconds()
        return sample

    def start(self) -> None:
        self._before = self._sample()

    def stop(self, *, executions: int) -> dict:
        """CPU milliseconds per execution by part, plus 'other' (the rest of the machine)."""
        after = self._sample()
        spent = {label: after[label] - self._before.get(label, 0.0) for label in after}
        machine = spent.pop("machine")
        spent["other"] = max(0.0, machine - sum(spent.values()))
        return {
            "per_execution_ms": {label: 1000 * s / executions for label, s in spent.items()},
            "machine_ms": 1000 * machine / executions,
        }
