from rest_framework import serializers

from executions.models import EventType, ExecutionEvent

EVENT_DATA_DOC = """Payload by event type:
- `phase`: {"phase": PENDING|IN_PROGRESS|WAITING_APPROVAL|COMPLETED|FAILED|CANCELLED, "at"?, "error"?}
- `message`: {"role": human|ai|tool|system, "content", "tool_calls"?: [{"id","name","args"}], "tool_call_id"?, "name"?}
- `tool_call_started`: {"id", "name", "args"}
- `tool_call_completed`: {"id", "name", "result", "duration_ms"}
- `tool_call_failed`: {"id", "name", "error", "duration_ms"}
- `usage`: {"input_tokens", "output_tokens", "total_tokens"}
- `approval_requested`: {"id", "name", "args", "expires_at"}
- `approval_decided`: {"id", "name", "decision": approve|edit|reject, "requested_args", "args", "by", "surface", "comment", "at"}
- `error`: {"message"}
- `system`: {"message"}"""


class EventOutputSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=EventType.choices)
    data = serializers.JSONField(help_text=EVENT_DATA_DOC)

    class Meta:
        model = ExecutionEvent
        fields = ["sequence", "type", "data", "created_at"]
        read_only_fields = fields


class EventPageSerializer(serializers.Serializer):
    results = EventOutputSerializer(many=True)
    next_after = serializers.IntegerField(
        help_text="Pass as ?after= to get the following page (the last sequence returned)"
    )
    has_more = serializers.BooleanField()
    terminal = serializers.BooleanField(help_text="The execution reached a terminal phase")


class EventQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(required=False, default=0, min_value=0, max_value=2**31 - 1)
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=500)
