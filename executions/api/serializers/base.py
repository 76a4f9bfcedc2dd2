import re

from rest_framework import serializers

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of coercing them."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """Only the canonical hyphenated form, as the schema's `format: uuid` says."""

    def to_internal_value(self, data):
        if not isinstance(data, str) or not UUID_PATTERN.match(data):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    """A number, not a boolean or a numeric string."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class InputSerializer(serializers.Serializer):
    """Rejects fields it does not declare, so a typo is an error, not a silent no-op."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        help_text="Field name → list of messages (400 only; empty otherwise)"
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(item) for item in value)
    return False


class JSONObjectField(serializers.DictField):
    """A JSON object, refusing NUL characters anywhere inside: PostgreSQL's
    jsonb cannot store them, and a 400 beats a 500."""

    default_error_messages = {"nul": "Null characters are not allowed."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if _has_nul(value):
            self.fail("nul")
        return value
