"""Credentials are write-only: the value goes in, and no response ever carries it."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from executions.api.serializers.base import InputSerializer, StrictCharField
from executions.credential_refs import is_credential_ref
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


CREDENTIAL_REF_SCHEMA = {
    "type": "object",
    "properties": {"credential": {"type": "string", "description": "A credential's name"}},
    "required": ["credential"],
    "additionalProperties": False,
}


@extend_schema_field({"oneOf": [{"type": "string"}, CREDENTIAL_REF_SCHEMA]})
class StringOrCredentialField(serializers.Field):
    """A value given in clear, or a reference to a credential: {"credential": "<name>"}."""

    default_error_messages = {
        # Formatted with str.format: the reference's braces are doubled.
        "invalid": 'Not a valid string or credential reference ({{"credential": "<name>"}}).',
        "too_long": "At most {max_length} characters.",
        "nul": "Null characters are not allowed.",
    }

    def __init__(self, *, max_length: int, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if is_credential_ref(data):
            return data
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) > self.max_length:
            self.fail("too_long", max_length=self.max_length)
        if "\x00" in data:
            self.fail("nul")
        return data

    def to_representation(self, value):
        return value
