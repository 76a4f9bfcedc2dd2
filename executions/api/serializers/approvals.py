from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from executions.api.serializers.base import InputSerializer, StrictCharField
from executions.models import Decision, DecisionSurface, ToolCallApproval


class DecisionOutputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    args = serializers.JSONField(source="approved_args", allow_null=True, help_text="What the call ran with; null when rejected")
    decided_by = serializers.CharField(source="decided_by_name", help_text="Username; empty for the timeout and the operator's shell")
    surface = serializers.ChoiceField(choices=DecisionSurface.choices)
    comment = serializers.CharField()
    decided_at = serializers.DateTimeField()


class ApprovalOutputSerializer(serializers.ModelSerializer):
    """A gated tool call: as requested, and its decision once taken (null while it waits)."""

    status = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()

    class Meta:
        model = ToolCallApproval
        fields = ["tool_call_id", "tool", "args", "status", "requested_at", "expires_at", "decision"]
        read_only_fields = fields

    def get_status(self, approval) -> str:
        return "decided" if approval.decided else "waiting"

    @extend_schema_field(DecisionOutputSerializer(allow_null=True))
    def get_decision(self, approval):
        return DecisionOutputSerializer(approval.decision).data if approval.decided else None


class DecisionInputSerializer(InputSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    args = serializers.JSONField(required=False, help_text="edit only: the arguments to run the call with")
    comment = StrictCharField(required=False, allow_blank=True, default="", max_length=2000,
                              help_text="Shown in the audit; for a rejection, the model reads it as the result")

    def validate_args(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("A JSON object of the call's arguments.")
        return value
