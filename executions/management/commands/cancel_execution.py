from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from executions.errors import ExecutionError
from executions.models import AgentExecution
from executions.services.executions import execution_cancel


class Command(BaseCommand):
    help = "Cancel an execution: a PENDING one at once, a running one through Temporal."

    def add_arguments(self, parser) -> None:
        parser.add_argument("execution_id")

    def handle(self, *args, execution_id: str, **options) -> None:
        try:
            execution = AgentExecution.objects.get(pk=execution_id)
        except (AgentExecution.DoesNotExist, ValidationError, ValueError):
            raise CommandError(f"No execution {execution_id}.")
        try:
            execution = execution_cancel(execution=execution)
        except ExecutionError as exc:
            raise CommandError(str(exc)) from exc
        if execution.phase == "CANCELLED":
            self.stdout.write(f"{execution.pk} CANCELLED")
        else:
            self.stdout.write(f"{execution.pk} cancel requested; the runner will stop the agent")
