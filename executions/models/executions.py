"""Sessions and their executions."""
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Value

from executions.models.agents import Agent
from executions.models.choices import MultitaskStrategy, Phase
from executions.models.costs import MONEY, PRICE


class Session(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="sessions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    subject = models.CharField(max_length=200, blank=True)
    thread_id = models.CharField(max_length=200, blank=True)
    # The last turn number handed out; incrementing it is the session's lock
    # in the create pipeline (services/turns.py).
    last_turn = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.subject or str(self.id)


class AgentExecution(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="executions")
    # Null only between the insert and the create pipeline's defaults step,
    # which runs inside the same transaction (see save()).
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="executions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    # A delegation's child: created by the parent's run, owned by its owner.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(default=0, help_text="0 for a user's execution")
    message = models.TextField()
    model = models.CharField(max_length=200, blank=True, help_text="Overrides the agent's model")
    # Its place in the session's conversation (1, 2, 3…), given under the
    # session's lock; null for executions created before turns existed.
    turn = models.PositiveIntegerField(null=True, blank=True, editable=False)
    multitask_strategy = models.CharField(
        max_length=20, choices=MultitaskStrategy.choices, blank=True,
        help_text="Overrides the agent's strategy for this turn",
    )
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.PENDING)
    output = models.TextField(blank=True)
    error = models.TextField(blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    total_tokens = models.PositiveIntegerField(default=0)
    # The model's prices when the execution was created (the create pipeline
    # sets them): a later price change does not rewrite what was spent.
    input_price = models.DecimalField(**PRICE, default=0, db_default=0, help_text="USD per million input tokens")
    output_price = models.DecimalField(**PRICE, default=0, db_default=0, help_text="USD per million output tokens")
    # Computed by the database from the usage, wherever the usage is written.
    cost = models.GeneratedField(
        expression=ExpressionWrapper(
            # Times a millionth, not divided by a million: SQLite divides
            # integers (whole-dollar prices) as integers.
            (F("input_tokens") * F("input_price") + F("output_tokens") * F("output_price"))
            * Value(Decimal("0.000001")),
            output_field=models.DecimalField(**MONEY),
        ),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
        help_text="USD, from the usage and the prices above",
    )
    workflow_id = models.CharField(max_length=200, blank=True)
    # The W3C traceparent of its create span when tracing is on (stigmer/tracing.py):
    # every later step of the run, in any process, joins that trace.
    traceparent = models.CharField(max_length=55, blank=True)
    workflow_started_at = models.DateTimeField(null=True, blank=True)
    start_error = models.TextField(blank=True, help_text="Why the workflow has not started yet")
    last_sequence = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("cancel_agentexecution", "Can cancel executions of other users"),
            ("choose_model", "Can run any agent on a model of their choosing"),
            ("approve_agentexecution", "Can decide on tool calls waiting for approval"),
        ]
        indexes = [
            models.Index(fields=["phase", "created_at"]),
            models.Index(fields=["agent", "-created_at"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["session", "created_at"]),
            models.Index(fields=["completed_at"]),
            models.Index(fields=["started_at"]),
            models.Index(fields=["parent", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "turn"], name="unique_session_turn"),
        ]

    def __str__(self) -> str:
        return self.message[:60]

    def save(self, *args, **kwargs) -> None:
        # Atomic so the create pipeline (a post_save receiver) can veto the
        # insert: bad input raises and nothing is left behind.
        if self._state.adding and "\x00" in (self.message or ""):
            # PostgreSQL refuses the insert itself, before the pipeline runs.
            raise ValidationError({"message": "The message contains null characters."})
        with transaction.atomic():
            super().save(*args, **kwargs)

    @property
    def is_terminal(self) -> bool:
        return self.phase in Phase.terminal()

    @property
    def model_spec(self) -> str:
        return self.model or self.agent.model

    @property
    def trace_id(self) -> str:
        parts = self.traceparent.split("-")
        return parts[1] if len(parts) == 4 else ""
