"""The event log's vocabulary, as runners write it: shared by the platform
(executions/models/choices.py builds its Django choices from it) and the
runner, in process or through the runner API."""
from dataclasses import dataclass, field

# Event types (executions.models.EventType takes these values).
PHASE = "phase"
MESSAGE = "message"
TOOL_CALL_STARTED = "tool_call_started"
TOOL_CALL_COMPLETED = "tool_call_completed"
TOOL_CALL_FAILED = "tool_call_failed"
USAGE = "usage"
MODEL_RETRY = "model_retry"
DELEGATION = "delegation"

# Phases (executions.models.Phase takes these values).
PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
WAITING_APPROVAL = "WAITING_APPROVAL"
COMPLETED = "COMPLETED"
FAILED = "FAILED"
CANCELLED = "CANCELLED"
TERMINAL_PHASES = frozenset({COMPLETED, FAILED, CANCELLED})


@dataclass(frozen=True)
class NewEvent:
    """One event of a batch; `key` makes a retried batch a no-op."""

    type: str
    data: dict = field(default_factory=dict)
    key: str = ""

    def as_json(self) -> dict:
        return {"type": str(self.type), "data": self.data, "key": self.key}
