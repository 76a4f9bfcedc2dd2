import json

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from executions.models import AgentExecution, Decision, DecisionSurface
from executions.permissions import may_see_approvals
from executions.errors import ExecutionError
from executions.services.approvals import tool_call_decide


class Command(BaseCommand):
    help = (
        "Approve, edit or reject a tool call waiting for approval. With --user, as that user, "
        "under the agent's approval policy; the operator otherwise."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("execution_id")
        parser.add_argument("tool_call_id")
        parser.add_argument("decision", choices=Decision.values)
        # Not dest "args": that name is the command's positional arguments.
        parser.add_argument("--args", dest="call_args", help="edit: the call's new arguments, a JSON object")
        parser.add_argument("--comment", default="", help="for the audit; a rejection's reason, read by the model")
        parser.add_argument("--user", help="decide as this username")

    def handle(self, *args, execution_id: str, tool_call_id: str, decision: str, **options) -> None:
        try:
            execution = AgentExecution.objects.select_related("agent").get(pk=execution_id)
        except (AgentExecution.DoesNotExist, ValidationError, ValueError):
            raise CommandError(f"No execution {execution_id}.")
        user = self._user(options["user"], execution)
        try:
            call_args = json.loads(options["call_args"]) if options["call_args"] is not None else None
        except json.JSONDecodeError as exc:
            raise CommandError(f"--args is not JSON: {exc}")
        try:
            record = tool_call_decide(
                execution=execution, tool_call_id=tool_call_id, decision=decision, args=call_args,
                comment=options["comment"], user=user, surface=DecisionSurface.COMMAND,
            )
        except PermissionDenied:
            raise CommandError(f"{options['user']} may not decide on execution {execution.pk}'s tool calls.")
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        except ExecutionError as exc:  # not waiting, or Temporal did not answer
            raise CommandError(str(exc))
        self.stdout.write(f"{record.approval.tool} ({tool_call_id}): {record.decision} recorded")

    def _user(self, username: str | None, execution: AgentExecution):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user {username!r}.")
        if not may_see_approvals(user, execution):
            raise CommandError(f"No execution {execution.pk}.")  # as the API: others' are unknown
        return user
