"""The API's side of executions/permissions.py: querysets are scoped to what
the user may see (others' records are 404), and acting on a visible record
the user may not act on is 403."""
from rest_framework.permissions import BasePermission, DjangoModelPermissions

from executions.permissions import Act, may, may_redeliver_webhooks

ACTS = {
    "retrieve": Act.VIEW, "events": Act.VIEW, "executions": Act.VIEW, "stream": Act.VIEW,
    "update": Act.CHANGE, "partial_update": Act.CHANGE,
    "destroy": Act.DELETE, "cancel": Act.CANCEL,
}


class OwnerOrModelPermission(BasePermission):
    """Owners act on their own; others need the model permission for the act."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, record) -> bool:
        return may(request.user, ACTS.get(getattr(view, "action", None), Act.VIEW), record)


class AgentPermission(DjangoModelPermissions):
    """Every signed-in user reads agents; writing needs add / change / delete_agent."""


class ReadingTooPermissions(DjangoModelPermissions):
    """Every act needs its model permission, reading included (view / add / change / delete)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class CredentialPermission(ReadingTooPermissions):
    """Credentials: view / add / change / delete_credential; values are never readable at all."""


class McpServerPermission(ReadingTooPermissions):
    """MCP servers, reading included (their env and headers as credential references), need
    the mcpserver permissions: view / add / change / delete."""


class IsRunner(BasePermission):
    """The runner API: a runner's token only; a signed-in user, whoever, is refused (403)."""

    message = "The runner API takes a runner token (Authorization: Runner <token>), not a user's."

    def has_permission(self, request, view) -> bool:
        from executions.models import RunnerToken

        return isinstance(request.auth, RunnerToken)


class WebhookPermission(ReadingTooPermissions):
    """Webhook endpoints and their deliveries, reading included, need the webhookendpoint
    permissions; redelivering one needs change_webhookendpoint (executions/permissions.py)."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) == "redeliver":
            return may_redeliver_webhooks(request.user)
        return super().has_permission(request, view)
