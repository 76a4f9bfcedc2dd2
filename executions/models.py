"""Agents, MCP servers, sessions, executions and the per-execution event log."""
import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction


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


class McpTransport(models.TextChoices):
    STDIO = "stdio", "stdio (a local process)"
    STREAMABLE_HTTP = "streamable_http", "streamable HTTP"


def _string_list(value, field: str) -> str | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return f"{field} must be a list of strings."
    return None


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _string_map(value, field: str, key: re.Pattern) -> str | None:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return f"{field} must be an object of string values."
    bad = sorted(name for name in value if not key.match(name))
    if bad:
        return f"{field} has invalid names: {', '.join(map(repr, bad))}."
    return None


class McpServer(models.Model):
    """An MCP server whose tools agents may use, namespaced `<name>__<tool>`."""

    name = models.CharField(
        max_length=40,
        unique=True,
        validators=[RegexValidator(
            r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
            "Lower-case letters and digits, single '-' or '_' between them (no '__').",
        )],
        help_text="Prefixes its tools: <name>__<tool>",
    )
    description = models.TextField(blank=True)
    transport = models.CharField(max_length=20, choices=McpTransport.choices, default=McpTransport.STDIO)
    command = models.CharField(max_length=500, blank=True, help_text="stdio: the program to start")
    args = models.JSONField(default=list, blank=True, help_text='stdio: e.g. ["-m", "my_server"]')
    env = models.JSONField(
        default=dict, blank=True, help_text="stdio: environment variables for the process"
    )
    url = models.URLField(max_length=500, blank=True, help_text="streamable HTTP: the endpoint")
    headers = models.JSONField(default=dict, blank=True, help_text="streamable HTTP: request headers")
    enabled_tools = models.JSONField(
        default=list, blank=True,
        help_text="The server's tools agents may use (names without the prefix); empty: all",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "MCP server"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.transport == McpTransport.STDIO and not self.command:
            errors["command"] = "A stdio server needs the command that starts it."
        if self.transport == McpTransport.STREAMABLE_HTTP and not self.url:
            errors["url"] = "A streamable HTTP server needs its URL."
        checks = {
            "args": _string_list(self.args, "args"),
            "enabled_tools": _string_list(self.enabled_tools, "enabled_tools"),
            "env": _string_map(self.env, "env", _ENV_NAME),
            "headers": _string_map(self.headers, "headers", _HEADER_NAME),
        }
        errors.update({name: message for name, message in checks.items() if message})
        if errors:
            raise ValidationError(errors)


class Agent(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    instructions = models.TextField(blank=True)
    model = models.CharField(
        max_length=200,
        default="scripted:demo",
        help_text="provider:model, e.g. openai:gpt-4o-mini or the offline scripted:demo",
    )
    temperature = models.FloatField(null=True, blank=True)
    max_tokens = models.PositiveIntegerField(null=True, blank=True)
    model_options = models.JSONField(
        default=dict, blank=True, help_text='Provider options, e.g. {"token_delay": 0.05}'
    )
    tools = models.JSONField(default=list, blank=True, help_text="Names from the tool registry")
    mcp_servers = models.ManyToManyField(
        McpServer, blank=True, related_name="agents", help_text="Their tools join the agent's"
    )
    execution_timeout_seconds = models.PositiveIntegerField(
        default=600, validators=[MinValueValidator(1)]
    )
    max_tool_calls = models.PositiveIntegerField(
        default=25, help_text="Tool calls allowed per execution; the agent stops at the cap"
    )
    multitask_strategy = models.CharField(
        max_length=20, choices=MultitaskStrategy.choices, default=MultitaskStrategy.ENQUEUE,
        help_text="What a new turn does while an earlier turn of its session is unfinished",
    )
    retention_days = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Days its finished executions, their events and idle sessions' memory are kept; "
        "empty: STIGMER_RETENTION_DAYS; 0: forever",
    )
    enabled = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    def clean(self) -> None:
        from runner.tools import tool_names

        if problem := _string_list(self.tools, "tools"):
            raise ValidationError({"tools": problem})
        known = tool_names()
        unknown = sorted(set(self.tools) - set(known))
        if unknown:
            raise ValidationError({"tools": (
                f"Unknown tools: {', '.join(unknown)}. Registered: {', '.join(known)}."
            )})


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
    workflow_id = models.CharField(max_length=200, blank=True)
    workflow_started_at = models.DateTimeField(null=True, blank=True)
    start_error = models.TextField(blank=True, help_text="Why the workflow has not started yet")
    last_sequence = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("cancel_agentexecution", "Can cancel executions of other users")]
        indexes = [
            models.Index(fields=["phase", "created_at"]),
            models.Index(fields=["agent", "-created_at"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["session", "created_at"]),
            models.Index(fields=["completed_at"]),
            models.Index(fields=["started_at"]),
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

    def clean(self) -> None:
        from executions.pipeline import execution_validate

        from executions.services.turns import session_turn_precheck

        if self._state.adding and self.agent_id is not None:
            execution_validate(self)
            # Forms only: a field error now; the pipeline's locked check
            # (SessionBusy, 409 in the API) is what decides.
            session_turn_precheck(self)

    @property
    def is_terminal(self) -> bool:
        return self.phase in Phase.terminal()

    @property
    def model_spec(self) -> str:
        return self.model or self.agent.model


class EventType(models.TextChoices):
    PHASE = "phase"
    MESSAGE = "message"
    TOOL_CALL_STARTED = "tool_call_started"
    TOOL_CALL_COMPLETED = "tool_call_completed"
    TOOL_CALL_FAILED = "tool_call_failed"
    USAGE = "usage"
    MODEL_RETRY = "model_retry"
    ERROR = "error"
    SYSTEM = "system"


class ExecutionEvent(models.Model):
    execution = models.ForeignKey(
        AgentExecution, on_delete=models.CASCADE, related_name="events"
    )
    sequence = models.PositiveIntegerField()
    type = models.CharField(max_length=40, choices=EventType.choices)
    data = models.JSONField(default=dict)
    # The writer's idempotency key: a retried append (its first try's commit
    # unacknowledged by a dropped connection) finds its event, never doubles it.
    key = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["execution", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["execution", "sequence"], name="unique_event_sequence"
            ),
            models.UniqueConstraint(
                fields=["execution", "key"],
                condition=~models.Q(key=""),
                name="unique_event_key",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.type}"

    def as_dict(self) -> dict:
        return {
            "execution": str(self.execution_id),
            "sequence": self.sequence,
            "type": self.type,
            "data": self.data,
            "created_at": self.created_at.isoformat(),
        }


class PruneRun(models.Model):
    """One pass of the retention job (or of prune_executions): what it deleted.
    /metrics sums these, so the counts are true whichever process pruned."""

    # The scheduled workflow's id: a retried activity adds to its own row.
    run_id = models.CharField(max_length=200, unique=True)
    executions = models.PositiveBigIntegerField(default=0)
    events = models.PositiveBigIntegerField(default=0)
    checkpoints = models.PositiveBigIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.run_id
