from decimal import Decimal

from rest_framework import serializers

from executions.api.serializers.base import InputSerializer, StrictCharField
from executions.models import Session


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


class SessionCreateInputSerializer(InputSerializer):
    agent = StrictCharField(max_length=50, help_text="Agent slug")
    subject = StrictCharField(
        required=False, allow_blank=True, max_length=200, trim_whitespace=False
    )


class SessionUpdateInputSerializer(InputSerializer):
    subject = StrictCharField(allow_blank=True, max_length=200, trim_whitespace=False)
