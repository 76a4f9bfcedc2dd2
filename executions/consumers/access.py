"""Who may watch what, and the close codes for refusals."""
from executions.models import AgentExecution

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404

VIEW_PERMISSION = "executions.view_agentexecution"


def user_may_view_all(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(VIEW_PERMISSION))


def execution_access(*, user, execution_id) -> int | None:
    """None when `user` may watch the execution, else the close code to use."""
    if user is None or not user.is_authenticated:
        return CLOSE_UNAUTHENTICATED
    owner_id = (
        AgentExecution.objects.filter(pk=execution_id).values_list("owner_id", flat=True).first()
    )
    if owner_id is None and not AgentExecution.objects.filter(pk=execution_id).exists():
        return CLOSE_NOT_FOUND
    if owner_id == user.pk or user_may_view_all(user):
        return None
    return CLOSE_FORBIDDEN
