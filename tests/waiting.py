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


def wait_for_workflow_close(workflow_id: str, timeout: float = 60):
    """Its closing status, once the workflow (and every activity it waited for)
    has closed: after that nothing of the run can still happen, so an absence
    checked then is certain, where a sleep only makes it likely."""
    from executions.temporal.client import temporal_bridge

    async def closed(client):
        handle = client.get_workflow_handle(workflow_id)
        try:
            await handle.result()
        except Exception:  # noqa: BLE001 - failed and cancelled runs close too
            pass
        return (await handle.describe()).status

    return temporal_bridge.run(closed, timeout=timeout)
