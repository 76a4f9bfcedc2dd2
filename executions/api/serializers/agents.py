from rest_framework import serializers

from executions.api.serializers.base import (
    InputSerializer,
    JSONObjectField,
    StrictBooleanField,
    StrictCharField,
    StrictFloatField,
    StrictIntegerField,
)
from executions.budgets import spent_this_month
from executions.models import Agent, ApprovalDeciders, MultitaskStrategy
from executions.permissions import may_edit_agents
from runner.llms.resolve import describe_model, is_offline


class AgentOutputSerializer(serializers.ModelSerializer):
    model_description = serializers.SerializerMethodField(
        help_text='The model as people read it, e.g. "scripted:demo (offline scripted model)"'
    )
    offline = serializers.SerializerMethodField(help_text="True for the offline scripted model")
    mcp_servers = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True, help_text="Names of its MCP servers"
    )
    sub_agents = serializers.SlugRelatedField(
        slug_field="slug", many=True, read_only=True,
        help_text="Slugs of the agents it may delegate to (its tools delegate_to_<slug>)",
    )
    spent_this_month = serializers.SerializerMethodField(
        help_text="USD its executions created this month (UTC) cost, against monthly_budget; editors only"
    )

    class Meta:
        model = Agent
        fields = [
            "slug", "name", "description", "instructions", "model", "model_description",
            "offline", "allowed_models", "temperature", "max_tokens", "model_options", "tools", "mcp_servers",
            "sub_agents", "execution_timeout_seconds", "max_tool_calls", "multitask_strategy", "retention_days",
            "approval_tools", "approval_deciders", "approval_timeout_seconds",
            "enabled", "monthly_budget", "spent_this_month", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, agent: Agent) -> dict:
        data = super().to_representation(agent)
        request = self.context.get("request")
        if request is None or not may_edit_agents(request.user):
            # For the agent's editors only; the spending sums everyone's runs.
            data.pop("model_options")
            data.pop("spent_this_month")
        return data

    def get_spent_this_month(self, agent: Agent) -> str:
        request = self.context.get("request")
        if request is None or not may_edit_agents(request.user):
            return ""  # not shown (to_representation drops it): no query
        return f"{spent_this_month(agent_id=agent.pk):.6f}"

    def get_model_description(self, agent: Agent) -> str:
        return describe_model(agent.model)

    def get_offline(self, agent: Agent) -> bool:
        return is_offline(agent.model)


class AgentInputSerializer(InputSerializer):
    slug = serializers.SlugField(max_length=50)
    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    instructions = StrictCharField(required=False, allow_blank=True, max_length=50_000)
    model = StrictCharField(required=False, max_length=200)
    temperature = StrictFloatField(
        required=False, allow_null=True, min_value=0.0, max_value=2.0
    )
    max_tokens = StrictIntegerField(
        required=False, allow_null=True, min_value=1, max_value=1_000_000
    )
    model_options = JSONObjectField(
        required=False,
        help_text='Provider options; secrets only by credential name, e.g. '
        '{"api_key": {"credential": "openai-prod"}}',
    )
    allowed_models = serializers.ListField(
        child=StrictCharField(max_length=200), required=False, max_length=50,
        help_text="Other provider:model specs a run may choose (executions.choose_model: any)",
    )
    tools = serializers.ListField(child=StrictCharField(), required=False, max_length=50)
    mcp_servers = serializers.ListField(
        child=StrictCharField(max_length=40), required=False, max_length=50,
        help_text="Names of MCP servers whose tools the agent uses",
    )
    sub_agents = serializers.ListField(
        child=StrictCharField(max_length=50), required=False, max_length=50,
        help_text="Slugs of agents it may delegate to; a cycle or a chain deeper than the limit is refused",
    )
    execution_timeout_seconds = StrictIntegerField(
        required=False, min_value=1, max_value=7 * 24 * 3600
    )
    max_tool_calls = StrictIntegerField(required=False, min_value=1, max_value=1000)
    multitask_strategy = serializers.ChoiceField(choices=MultitaskStrategy.choices, required=False)
    retention_days = StrictIntegerField(
        required=False, allow_null=True, min_value=0, max_value=100_000,
        help_text="Days finished executions and idle sessions' memory are kept; null: the global default; 0: forever",
    )
    approval_tools = serializers.ListField(
        child=StrictCharField(), required=False, max_length=50,
        help_text="Tools whose calls wait for a person's decision before they run",
    )
    approval_deciders = serializers.ChoiceField(choices=ApprovalDeciders.choices, required=False)
    approval_timeout_seconds = StrictIntegerField(
        required=False, min_value=1, max_value=30 * 24 * 3600,
        help_text="A waiting call with no decision after this long is rejected automatically",
    )
    enabled = StrictBooleanField(required=False)
    monthly_budget = serializers.DecimalField(
        required=False, allow_null=True, max_digits=14, decimal_places=6, min_value=0,
        help_text="USD per calendar month (UTC); null: no limit",
    )
