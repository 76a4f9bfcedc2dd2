import re
from datetime import timezone as dt_timezone

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

from executions.api.serializers.base import UUID_PATTERN
from executions.models import AgentExecution, Phase


class CanonicalUUIDField(forms.UUIDField):
    def to_python(self, value):
        if value is not None and not UUID_PATTERN.match(str(value)):
            raise forms.ValidationError("Enter a valid UUID.", code="invalid")
        return super().to_python(value)


class CanonicalUUIDFilter(django_filters.UUIDFilter):
    field_class = CanonicalUUIDField


RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


class RFC3339DateTimeField(IsoDateTimeField):
    """A full date-time with offset, as the schema's `format: date-time` says."""

    def to_python(self, value):
        if value is not None and not RFC3339.match(str(value)):
            raise forms.ValidationError("Enter an RFC 3339 date-time.", code="invalid")
        parsed = super().to_python(value)
        if parsed is None:
            return None
        # PostgreSQL refuses offsets beyond ±15:59 (RFC 3339 allows up to
        # ±23:59), so compare in UTC.
        try:
            return parsed.astimezone(dt_timezone.utc)
        except OverflowError:
            raise forms.ValidationError("Date-time out of range.", code="invalid")


class RFC3339Filter(django_filters.IsoDateTimeFilter):
    field_class = RFC3339DateTimeField


class ExecutionFilter(django_filters.FilterSet):
    phase = django_filters.MultipleChoiceFilter(choices=Phase.choices)
    agent = django_filters.CharFilter(field_name="agent__slug", help_text="Agent slug")
    session = CanonicalUUIDFilter(field_name="session_id")
    created_after = RFC3339Filter(field_name="created_at", lookup_expr="gte")
    created_before = RFC3339Filter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AgentExecution
        fields = ["phase", "agent", "session", "created_after", "created_before"]
