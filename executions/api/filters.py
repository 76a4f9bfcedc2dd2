import django_filters

from executions.models import AgentExecution, Phase


class ExecutionFilter(django_filters.FilterSet):
    phase = django_filters.MultipleChoiceFilter(choices=Phase.choices)
    agent = django_filters.CharFilter(field_name="agent__slug", help_text="Agent slug")
    session = django_filters.UUIDFilter(field_name="session_id")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AgentExecution
        fields = ["phase", "agent", "session", "created_after", "created_before"]
