"""The choices the models share: phases, multitask strategies, event types."""
from django.db import models


class Phase(models.TextChoices):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    # Paused on tool calls that wait for a person's decision; no worker is held.
    WAITING_APPROVAL = "WAITING_APPROVAL"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.COMPLETED, cls.FAILED, cls.CANCELLED})

    @classmethod
    def unfinished(cls) -> frozenset[str]:
        return frozenset({cls.PENDING, cls.IN_PROGRESS, cls.WAITING_APPROVAL})


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
    APPROVAL_REQUESTED = "approval_requested"
    APPROVAL_DECIDED = "approval_decided"
    ERROR = "error"
    SYSTEM = "system"


class ApprovalDeciders(models.TextChoices):
    """Who may decide on an agent's gated tool calls (executions/permissions.py)."""

    OWNER = "owner", "the execution's owner (or holders of executions.approve_agentexecution)"
    APPROVERS = "approvers", "four-eyes: holders of executions.approve_agentexecution, never the owner"


class Decision(models.TextChoices):
    APPROVE = "approve"
    EDIT = "edit"
    REJECT = "reject"


class DecisionSurface(models.TextChoices):
    ADMIN = "admin"
    API = "api"
    COMMAND = "command"
    TIMEOUT = "timeout"
