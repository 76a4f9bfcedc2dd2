"""The choices the models share: phases, multitask strategies, event types.

Phases and the event types a runner writes are the runner's vocabulary
(stigmer/event_log.py, free of Django): taken from there, never retyped."""
from django.db import models

from stigmer import event_log


class Phase(models.TextChoices):
    PENDING = event_log.PENDING
    IN_PROGRESS = event_log.IN_PROGRESS
    # Paused on tool calls that wait for a person's decision; no worker is held.
    WAITING_APPROVAL = event_log.WAITING_APPROVAL
    COMPLETED = event_log.COMPLETED
    FAILED = event_log.FAILED
    CANCELLED = event_log.CANCELLED

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return event_log.TERMINAL_PHASES

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
    PHASE = event_log.PHASE
    MESSAGE = event_log.MESSAGE
    TOOL_CALL_STARTED = event_log.TOOL_CALL_STARTED
    TOOL_CALL_COMPLETED = event_log.TOOL_CALL_COMPLETED
    TOOL_CALL_FAILED = event_log.TOOL_CALL_FAILED
    USAGE = event_log.USAGE
    MODEL_RETRY = event_log.MODEL_RETRY
    DELEGATION = event_log.DELEGATION
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
