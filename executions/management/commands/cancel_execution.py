from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from executions.errors import ExecutionError
from executions.models import AgentExecution
from executions.permissions import Act, may
from executions.services.executions import execution_cancel


class Command(BaseCommand):
    help = (
        "Cancel an execution: a PENDING one at once, a running one through Temporal. "
        "With --user, as that user, under the same rules as the admin and the API."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("execution_id")
        parser.add_argument("--user", help="act as this username (the operator otherwise)")

    def handle(self, *args, execution_id: str, user: str | None = None, **options) -> None:
        try:
            execution = AgentExecution.objects.get(pk=execution_id)
        except (AgentExecution.DoesNotExist, ValidationError, ValueError):
            raise CommandError(f"No execution {execution_id}.")
        if user is not None:
            self._check(user, execution)
        try:
            execution = execution_cancel(execution=execution)
        except ExecutionError as exc:
            raise CommandError(str(exc)) from exc
        if execution.phase == "CANCELLED":
            self.stdout.write(f"{execution.pk} CANCELLED")
        else:
            self.stdout.write(f"{execution.pk} cancel requested; the runner will stop the agent")

    def _check(self, username: str, execution: AgentExecution) -> None:
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(f"Unknown user {username!r}.")
        if not may(actor, Act.VIEW, execution):
            raise CommandError(f"No execution {execution.pk}.")  # as the API: others' are unknown
        if not may(actor, Act.CANCEL, execution):
            raise CommandError(f"{username} may not cancel execution {execution.pk}.")
