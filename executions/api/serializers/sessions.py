from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from executions.api.serializers.base import InputSerializer, StrictCharField
from executions.models import AgentExecution, Phase, Session
from executions.selectors import execution_is_queued, session_turns


class SessionOutputSerializer(serializers.ModelSerializer):
    agent = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    cost = serializers.DecimalField(
        max_digits=14, decimal_places=6, read_only=True, default=Decimal(0),
        help_text="USD: the sum of its executions' costs",
    )

    class Meta:
        model = Session
        fields = ["id", "agent", "owner", "subject", "thread_id", "cost", "created_at", "updated_at"]
        read_only_fields = fields


class TurnSerializer(serializers.ModelSerializer):
    phase = serializers.ChoiceField(choices=Phase.choices, read_only=True)
    queued = serializers.SerializerMethodField(
        help_text="Waiting for an earlier turn of the session to end"
    )

    class Meta:
        model = AgentExecution
        fields = [
            "id", "turn", "message", "phase", "queued", "output", "error", "multitask_strategy",
            "created_at", "started_at", "completed_at",
        ]
        read_only_fields = fields

    def get_queued(self, execution) -> bool:
        return execution_is_queued(execution)


class SessionDetailOutputSerializer(SessionOutputSerializer):
    """The session as a conversation: its turns in order, and the queue."""

    turns = serializers.SerializerMethodField()
    queue = serializers.SerializerMethodField(
        help_text="Ids of the turns waiting for an earlier one, in the order they will run"
    )

    class Meta(SessionOutputSerializer.Meta):
        fields = SessionOutputSerializer.Meta.fields + ["last_turn", "turns", "queue"]
        read_only_fields = fields

    def _turns(self, session) -> list:
        if not hasattr(self, "_loaded"):
            self._loaded = list(session_turns(session_id=session.pk))
        return self._loaded

    @extend_schema_field(TurnSerializer(many=True))
    def get_turns(self, session) -> list:
        return TurnSerializer(self._turns(session), many=True).data

    def get_queue(self, session) -> list[str]:
        return [str(t.pk) for t in self._turns(session) if execution_is_queued(t)]


class SessionCreateInputSerializer(InputSerializer):
    agent = StrictCharField(max_length=50, help_text="Agent slug")
    subject = StrictCharField(
        required=False, allow_blank=True, max_length=200, trim_whitespace=False
    )


class SessionUpdateInputSerializer(InputSerializer):
    subject = StrictCharField(allow_blank=True, max_length=200, trim_whitespace=False)
