"""Agents: instructions, model, tools and the models a run may choose."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from executions.credential_refs import model_options_validate
from executions.models.choices import ApprovalDeciders, MultitaskStrategy
from executions.models.costs import MONEY
from executions.models.mcp_servers import McpServer, string_list_problem


def _allowed_models_problem(specs) -> str:
    from runner.llms.resolve import UnknownModelError, parse_model_spec

    if problem := string_list_problem(specs, "allowed_models"):
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
    # The approval policy (runner/approvals.py): calls of these tools wait for a person.
    approval_tools = models.JSONField(
        default=list, blank=True,
        help_text="Tools whose calls wait for a person's decision before they run",
    )
    approval_deciders = models.CharField(
        max_length=20, choices=ApprovalDeciders.choices, default=ApprovalDeciders.OWNER,
        help_text="Who may approve, edit or reject a waiting call",
    )
    approval_timeout_seconds = models.PositiveIntegerField(
        default=86400, validators=[MinValueValidator(1)],
        help_text="A call with no decision after this long is rejected automatically",
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
        from runner.llms.options import model_options_problems
        from runner.tools import tool_names

        errors: dict = {}
        if problem := _allowed_models_problem(self.allowed_models):
            errors["allowed_models"] = problem
        known = tool_names()
        if problem := string_list_problem(self.tools, "tools"):
            errors["tools"] = problem
        elif unknown := sorted(set(self.tools) - set(known)):
            errors["tools"] = f"Unknown tools: {', '.join(unknown)}. Registered: {', '.join(known)}."
        # Any tool name: MCP servers' and delegation tools may be gated too.
        if problem := string_list_problem(self.approval_tools, "approval_tools"):
            errors["approval_tools"] = problem
        try:
            model_options_validate(self.model_options)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        specs = [self.model] if "allowed_models" in errors else [self.model, *self.allowed_models]
        if "model_options" not in errors and (problems := model_options_problems(self.model_options, specs)):
            errors["model_options"] = " ".join(problems)
        if errors:
            raise ValidationError(errors)
