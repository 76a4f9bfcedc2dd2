from rest_framework import serializers

from executions.api.serializers.base import InputSerializer, StrictCharField, StrictUUIDField
from executions.models import AgentExecution, MultitaskStrategy, Phase
from executions.selectors import execution_children, execution_usage_total


class UsageSerializer(serializers.Serializer):
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    total_tokens = serializers.IntegerField()


class TimingsSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    duration_ms = serializers.FloatField(allow_null=True, help_text="started → completed")


class ExecutionOutputSerializer(serializers.ModelSerializer):
    """The list representation: the record without its transcript."""

    agent = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    session = StrictUUIDField(source="session_id", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    phase = serializers.ChoiceField(choices=Phase.choices, read_only=True)
    usage = serializers.SerializerMethodField()
    cost = serializers.DecimalField(
        max_digits=14, decimal_places=6, read_only=True,
        help_text="USD, from the usage and the model's prices when the execution was created",
    )
    timings = serializers.SerializerMethodField()
    parent = StrictUUIDField(
        source="parent_id", read_only=True, allow_null=True,
        help_text="The execution that delegated this one to its agent; null for a user's",
    )
    trace_id = serializers.CharField(
        read_only=True, help_text="OpenTelemetry trace id of the run, empty when tracing was off at create"
    )

    class Meta:
        model = AgentExecution
        fields = [
            "id", "agent", "session", "owner", "parent", "depth", "message", "model", "phase", "output",
            "error", "start_error", "turn", "multitask_strategy", "usage", "cost", "timings",
            "workflow_id", "trace_id", "last_sequence",
            "created_at", "updated_at",
        ]
        read_only_fields = fields

    def get_usage(self, execution) -> UsageSerializer:
        return UsageSerializer(execution).data

    def get_timings(self, execution) -> TimingsSerializer:
        duration = None
        if execution.started_at and execution.completed_at:
            duration = (execution.completed_at - execution.started_at).total_seconds() * 1000
        return TimingsSerializer(
            {
                "created_at": execution.created_at,
                "started_at": execution.started_at,
                "completed_at": execution.completed_at,
                "duration_ms": duration,
            }
        ).data


class MessageSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    role = serializers.CharField(help_text="human, ai, tool or system")
    content = serializers.CharField(allow_blank=True)
    tool_calls = serializers.ListField(child=serializers.DictField())
    tool_call_id = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class ToolCallSerializer(serializers.Serializer):
    id = serializers.CharField(allow_blank=True)
    name = serializers.CharField(allow_blank=True)
    args = serializers.DictField()
    status = serializers.ChoiceField(choices=["running", "completed", "failed"])
    result = serializers.CharField(allow_null=True, allow_blank=True)
    error = serializers.CharField(allow_null=True, allow_blank=True)
    duration_ms = serializers.FloatField(allow_null=True)
    started_sequence = serializers.IntegerField(allow_null=True)


class UsageTotalSerializer(UsageSerializer):
    cost = serializers.DecimalField(max_digits=14, decimal_places=6, help_text="USD")


class ChildSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    agent = serializers.CharField(source="agent.slug")
    phase = serializers.ChoiceField(choices=Phase.choices)
    usage = UsageSerializer(source="*")


class ExecutionDetailOutputSerializer(ExecutionOutputSerializer):
    messages = MessageSerializer(many=True, source="transcript_messages")
    tool_calls = ToolCallSerializer(many=True, source="transcript_tool_calls")
    children = serializers.SerializerMethodField(help_text="The executions it delegated to, oldest first")
    usage_total = serializers.SerializerMethodField(
        help_text="Its usage and cost plus all its sub-agents' executions'"
    )

    class Meta(ExecutionOutputSerializer.Meta):
        fields = ExecutionOutputSerializer.Meta.fields + ["messages", "tool_calls", "children", "usage_total"]
        read_only_fields = fields

    # context["created"]: the 201 of a create, which has delegated nothing yet,
    # so neither is read back.
    def get_children(self, execution) -> ChildSerializer(many=True):
        if self.context.get("created"):
            return []
        return ChildSerializer(execution_children(execution=execution), many=True).data

    def get_usage_total(self, execution) -> UsageTotalSerializer:
        descendants = not self.context.get("created")
        return UsageTotalSerializer(execution_usage_total(execution=execution, descendants=descendants)).data


class ExecutionCreateInputSerializer(InputSerializer):
    agent = StrictCharField(max_length=50, help_text="Agent slug")
    message = StrictCharField(trim_whitespace=False, help_text="The user's message")
    session = StrictUUIDField(
        required=False, allow_null=True, help_text="Continue this session (same agent, yours)"
    )
    model = StrictCharField(
        required=False, allow_blank=True, max_length=200,
        help_text="Override the agent's model, e.g. scripted:demo",
    )
    multitask_strategy = serializers.ChoiceField(
        choices=MultitaskStrategy.choices, required=False,
        help_text="While an earlier turn of the session is unfinished: enqueue behind it, "
        "reject (409) or interrupt it (default: the agent's)",
    )
