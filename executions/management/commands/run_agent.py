import sys
import time
import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from executions.models import Agent, AgentExecution, Phase, Session
from executions.selectors import execution_events_after
from executions.services.executions import execution_create
from executions.terminal import event_line
from runner.llms.resolve import describe_model


class Command(BaseCommand):
    help = "Send a message to an agent and follow the execution live; exit 0 on COMPLETED."

    def add_arguments(self, parser) -> None:
        parser.add_argument("agent", help="the agent's slug")
        parser.add_argument("message")
        parser.add_argument("--session", help="continue this session (its id)")
        parser.add_argument("--user", help="run as this username (owner of the execution)")
        parser.add_argument("--timeout", type=float, default=900, help="seconds to follow")

    def handle(self, *args, agent: str, message: str, **options) -> None:
        agent_obj = Agent.objects.filter(slug=agent).first()
        if agent_obj is None:
            raise CommandError(f"Unknown agent {agent!r}.")
        owner = self._owner(options["user"])
        session = self._session(options["session"])
        try:
            execution = execution_create(
                agent=agent_obj, message=message, owner=owner, session=session
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        self.stdout.write(
            f"execution {execution.pk} (session {execution.session_id}) on "
            f"{describe_model(execution.model_spec)}"
        )
        phase = self._follow(execution, options["timeout"])
        if phase != Phase.COMPLETED:
            sys.exit(1)

    def _follow(self, execution: AgentExecution, timeout: float) -> str:
        after, deadline = 0, time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in execution_events_after(execution_id=execution.pk, after=after):
                after = event.sequence
                line = event_line(event.type, event.data)
                if line:
                    self.stdout.write(line)
                if event.type == "phase" and event.data["phase"] in Phase.terminal():
                    return event.data["phase"]
            time.sleep(0.1)
        raise CommandError(f"Execution {execution.pk} did not finish within {timeout:g}s.")

    def _owner(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user {username!r}.")
        return user

    def _session(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        try:
            return Session.objects.get(pk=uuid.UUID(session_id))
        except (ValueError, Session.DoesNotExist):
            raise CommandError(f"Unknown session {session_id!r}.")
