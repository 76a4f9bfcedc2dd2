"""Who may watch what, and the close codes for refusals."""
from executions.models import AgentExecution
from executions.permissions import Act, may, may_for_everyone, signed_in

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404


def user_may_view_all(user) -> bool:
    return may_for_everyone(user, AgentExecution, Act.VIEW)


def execution_access(*, user, execution_id) -> int | None:
    """None when `user` may watch the execution, else the close code to use."""
    if not signed_in(user):
        return CLOSE_UNAUTHENTICATED
    execution = AgentExecution.objects.filter(pk=execution_id).only("owner_id").first()
    if execution is None:
        return CLOSE_NOT_FOUND
    return None if may(user, Act.VIEW, execution) else CLOSE_FORBIDDEN
