from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import NotFound, ValidationError


class UUIDLookupMixin:
    """A malformed id in the URL is a 404 like any unknown id, not a 400."""

    def get_object(self):
        try:
            return super().get_object()
        except (DjangoValidationError, ValueError) as exc:
            raise NotFound() from exc


class SingleValuedQueryMixin:
    """A query parameter given twice is ambiguous: 400, unless it is a list filter."""

    multi_valued_params: frozenset[str] = frozenset({"phase"})

    def initial(self, request, *args, **kwargs):
        repeated = sorted(
            name
            for name in request.query_params
            if name not in self.multi_valued_params and len(request.query_params.getlist(name)) > 1
        )
        if repeated:
            raise ValidationError({name: ["Give this parameter once."] for name in repeated})
        super().initial(request, *args, **kwargs)


def agent_by_slug(slug: str):
    """The agent a request names, or a 400 on the `agent` field."""
    from executions.models import Agent

    agent = Agent.objects.filter(slug=slug).first()
    if agent is None:
        raise ValidationError({"agent": [f"Unknown agent {slug!r}."]})
    return agent
