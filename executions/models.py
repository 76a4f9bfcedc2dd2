"""Agents, MCP servers, sessions, executions and the per-execution event log;
model prices and monthly budgets."""
import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import ExpressionWrapper, F, Value

# Money is in US dollars: prices per million tokens, costs and budgets.
PRICE = {"max_digits": 12, "decimal_places": 4}
MONEY = {"max_digits": 14, "decimal_places": 6}


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


class Credential(models.Model):
    """A secret (provider API key, header or env value) kept encrypted; referred to by name.

    The value is write-only: surfaces set or rotate it through the services, and only the
    runner decrypts it (runner/credentials.py), at the start of each run.
    """

    name = models.SlugField(
        max_length=100, unique=True, help_text='Referred to as {"credential": "<name>"}'
    )
    description = models.TextField(blank=True)
    # A Fernet token (executions/crypto.py); never the value itself.
    value_encrypted = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rotated_at = models.DateTimeField(help_text="When the value was last set")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    from executions.credential_refs import is_credential_ref

    if not isinstance(value, dict) or not all(
        isinstance(v, str) or is_credential_ref(v) for v in value.values()
    ):
        return f'{field} must be an object of strings or credential references ({{"credential": "<name>"}}).'
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
        default=dict,
        blank=True,
        help_text='stdio: environment variables for the process; a secret as a credential '
        'reference, e.g. {"API_TOKEN": {"credential": "mcp-token"}}',
    )
    url = models.URLField(max_length=500, blank=True, help_text="streamable HTTP: the endpoint")
    headers = models.JSONField(
        default=dict,
        blank=True,
        help_text='streamable HTTP: request headers; a secret as a credential reference, '
        'e.g. {"Authorization": {"credential": "mcp-token"}}',
    )
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
        from executions.credential_refs import references_validate

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
        for field in ("env", "headers"):
            if field not in errors:
                try:
                    references_validate(getattr(self, field), field=field)
                except ValidationError as exc:
                    errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


def _allowed_models_problem(specs) -> str:
    from runner.llms.resolve import UnknownModelError, parse_model_spec

    if problem := _string_list(specs, "allowed_models"):
        return problem
    for spec in specs:
        try:
            parse_model_spec(spec)
        except UnknownModelError as exc:
            return str(exc)
    return ""


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
    allowed_models = models.JSONField(
        default=list, blank=True,
        help_text="Other provider:model specs a run may choose instead of the agent's model; "
        "users holding executions.choose_model may choose any",
    )
    temperature = models.FloatField(null=True, blank=True)
    max_tokens = models.PositiveIntegerField(null=True, blank=True)
    model_options = models.JSONField(
        default=dict,
        blank=True,
        help_text='Provider options, e.g. {"token_delay": 0.05}; secrets by credential name, '
        'e.g. {"api_key": {"credential": "openai-prod"}}',
    )
    tools = models.JSONField(default=list, blank=True, help_text="Names from the tool registry")
    mcp_servers = models.ManyToManyField(
        McpServer, blank=True, related_name="agents", help_text="Their tools join the agent's"
    )
    sub_agents = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="delegators",
        help_text="Agents it may delegate to; the model sees each as the tool delegate_to_<slug>",
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
    monthly_budget = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="US dollars this agent may spend per calendar month (UTC); empty: no limit",
    )
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
        from executions.credential_refs import model_options_validate
        from runner.llms.options import model_options_problems
        from runner.tools import tool_names

        errors: dict = {}
        if problem := _allowed_models_problem(self.allowed_models):
            errors["allowed_models"] = problem
        known = tool_names()
        if problem := _string_list(self.tools, "tools"):
            errors["tools"] = problem
        elif unknown := sorted(set(self.tools) - set(known)):
            errors["tools"] = f"Unknown tools: {', '.join(unknown)}. Registered: {', '.join(known)}."
        try:
            model_options_validate(self.model_options)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        specs = [self.model] if "allowed_models" in errors else [self.model, *self.allowed_models]
        if "model_options" not in errors and (problems := model_options_problems(self.model_options, specs)):
            errors["model_options"] = " ".join(problems)
        if errors:
            raise ValidationError(errors)


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

    @property
    def trace_id(self) -> str:
        parts = self.traceparent.split("-")
        return parts[1] if len(parts) == 4 else ""


class ModelPrice(models.Model):
    """What a model costs. `model` is a `provider:model` spec, or `provider:*`
    for every model of a provider without a row of its own."""

    model = models.CharField(max_length=200, unique=True, help_text="e.g. openai:gpt-4o-mini, or ollama:*")
    input_per_million = models.DecimalField(**PRICE, validators=[MinValueValidator(0)], help_text="USD")
    output_per_million = models.DecimalField(**PRICE, validators=[MinValueValidator(0)], help_text="USD")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        return self.model


class UserBudget(models.Model):
    """A user's monthly spending limit; users without one get
    STIGMER_USER_MONTHLY_BUDGET (unset: no limit)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget")
    monthly_budget = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="US dollars per calendar month (UTC); empty: no limit, whatever the default",
    )

    def __str__(self) -> str:
        return f"{self.user}: {self.monthly_budget if self.monthly_budget is not None else 'no limit'}"


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
