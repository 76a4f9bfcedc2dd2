"""The choices the models share: phases, multitask strategies, event types."""
from django.db import models


class Phase(models.TextChoices):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.COMPLETED, cls.FAILED, cls.CANCELLED})


class MultitaskStrategy(models.TextChoices):
    """What a new turn does while another of its session is unfinished
    (LangGraph Server's "double texting" options; see docs/sessions.md)."""

    ENQUEUE = "enqueue", "enqueue: run after the previous turns, in order"
    REJECT = "reject", "reject: refuse the new turn"
    INTERRUPT = "interrupt", "interrupt: cancel the unfinished turns, then run"



class EventType(models.TextChoices):
    PHASE = "phase"
    MESSAGE = "message"
    TOOL_CALL_STARTED = "tool_call_started"
    TOOL_CALL_COMPLETED = "tool_call_completed"
    TOOL_CALL_FAILED = "tool_call_failed"
    USAGE = "usage"
    MODEL_RETRY = "model_retry"
    DELEGATION = "delegation"
    ERROR = "error"
    SYSTEM = "system"
