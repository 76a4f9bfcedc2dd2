"""Credentials are write-only: the value goes in, and no response ever carries it."""
from rest_framework import serializers

from executions.api.serializers.base import InputSerializer, StrictCharField
from executions.models import Credential
from executions.services.credentials import MAX_VALUE_CHARS


class CredentialOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Credential
        fields = ["name", "description", "created_by", "created_at", "updated_at", "rotated_at"]
        read_only_fields = fields


def _value_field(**kwargs) -> StrictCharField:
    return StrictCharField(
        write_only=True,
        max_length=MAX_VALUE_CHARS,
        style={"input_type": "password"},
        help_text="The secret; write-only, never returned",
        **kwargs,
    )


class CredentialCreateSerializer(InputSerializer):
    name = serializers.SlugField(max_length=100, help_text='Referred to as {"credential": "<name>"}')
    value = _value_field()
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)


class CredentialUpdateSerializer(InputSerializer):
    """PUT rotates (a value is required); PATCH changes what it is given. The name is fixed."""

    value = _value_field()
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)
