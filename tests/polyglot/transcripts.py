"""Event logs compared across runners: what any runner must write the same way
(types, order, contents, usage) without what differs by nature (timestamps,
durations, tool call ids, which only need to pair up)."""
import time

from executions.models import AgentExecution, ExecutionEvent
from executions.services.executions import execution_create
from tests.waiting import wait_for_phase


def transcript(execution: AgentExecution) -> list[tuple[str, dict]]:
    ids: dict[str, str] = {}

    def call_id(value: str) -> str:
        return ids.setdefault(value, f"call-{len(ids) + 1}")

    rows = []
    for event in ExecutionEvent.objects.filter(execution=execution).order_by("sequence"):
        data = dict(event.data)
        data.pop("at", None)
        data.pop("duration_ms", None)
        if event.type in ("tool_call_started", "tool_call_completed", "tool_call_failed"):
            data["id"] = call_id(data["id"])
        if event.type == "message" and data.get("tool_calls"):
            data["tool_calls"] = [{**call, "id": call_id(call["id"])} for call in data["tool_calls"]]
        if event.type == "message" and "tool_call_id" in data:
            data["tool_call_id"] = call_id(data["tool_call_id"])
        rows.append((event.type, data))
    return rows


def run(agent, message: str, *, phase: str = "COMPLETED", timeout: float = 60) -> AgentExecution:
    execution = execution_create(agent=agent, message=message)
    return wait_for_phase(execution, phase, *({"COMPLETED", "FAILED", "CANCELLED"} - {phase}), timeout=timeout)


def summary(execution: AgentExecution) -> dict:
    execution.refresh_from_db()
    return {
        "phase": execution.phase, "output": execution.output, "error": execution.error,
        "usage": (execution.input_tokens, execution.output_tokens, execution.total_tokens),
        "started": execution.started_at is not None, "thread": execution.session.thread_id,
    }


def wait_for_event(execution: AgentExecution, type: str, timeout: float = 30, **data) -> float:
    """The moment the event showed up (monotonic)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = ExecutionEvent.objects.filter(execution=execution, type=type)
        if any(all(event.data.get(k) == v for k, v in data.items()) for event in events):
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"no {type} event {data} in {execution.pk}")
