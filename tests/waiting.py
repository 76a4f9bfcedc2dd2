import time

from executions.models import AgentExecution


def wait_for_phase(execution: AgentExecution, *phases: str, timeout: float = 60) -> AgentExecution:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution.refresh_from_db()
        if execution.phase in phases:
            return execution
        time.sleep(0.1)
    raise AssertionError(f"{execution.pk} stayed {execution.phase}, expected {phases}")


def wait_until(predicate, timeout: float = 30, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {message}")
