import asyncio
import sys
import uuid

from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from executions.errors import SessionBusy
from executions.live import layer_spans_processes
from executions.live.reader import follow
from executions.models import Agent, AgentExecution, MultitaskStrategy, Phase, Session
from executions.services.executions import execution_create
from executions.cli.terminal import event_line
from runner.llms.resolve import describe_model
from stigmer.tracing import tracing_setup


class Command(BaseCommand):
    help = "Send a message to an agent and follow the execution live; exit 0 on COMPLETED."

    def add_arguments(self, parser) -> None:
        parser.add_argument("agent", help="the agent's slug")
        parser.add_argument("message")
        parser.add_argument("--session", help="continue this session (its id)")
        parser.add_argument("--user", help="run as this username (owner of the execution)")
        parser.add_argument(
            "--multitask-strategy", choices=MultitaskStrategy.values, default="",
            help="while an earlier turn of the session is unfinished: wait for it (enqueue), "
            "refuse (reject) or cancel it (interrupt); default: the agent's",
        )
        parser.add_argument("--timeout", type=float, default=900, help="seconds to follow")

    def handle(self, *args, agent: str, message: str, **options) -> None:
        tracing_setup("stigmer-cli")
        agent_obj = Agent.objects.filter(slug=agent).first()
        if agent_obj is None:
            raise CommandError(f"Unknown agent {agent!r}.")
        owner = self._owner(options["user"])
        session = self._session(options["session"])
        try:
            execution = execution_create(
                agent=agent_obj, message=message, owner=owner, session=session,
                multitask_strategy=options["multitask_strategy"],
            )
        except SessionBusy as exc:
            raise CommandError(str(exc))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # not a field's: e.g. the running limit
                raise CommandError("; ".join(exc.messages))
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        self.stdout.write(
            f"execution {execution.pk} (session {execution.session_id}) on "
            f"{describe_model(execution.model_spec)}"
        )
        phase = self._follow(execution, options["timeout"])
        if phase != Phase.COMPLETED:
            sys.exit(1)

    def _follow(self, execution: AgentExecution, timeout: float) -> str:
        try:
            return asyncio.run(asyncio.wait_for(self._print_events(execution), timeout))
        except asyncio.TimeoutError:
            raise CommandError(f"Execution {execution.pk} did not finish within {timeout:g}s.")

    async def _print_events(self, execution: AgentExecution) -> str:
        streaming = False
        # The log is pushed when the layer reaches the workers (Redis, or one
        # process); else read every 0.2 s, with no token-by-token answer.
        layer = get_channel_layer() if layer_spans_processes() else None
        async for item in follow(execution.pk, layer=layer, poll=0.2):
            if item["type"] == "token":
                if not streaming:
                    self.stdout.write("[ai] ", ending="")
                    streaming = True
                self.stdout.write(item["delta"], ending="")
                self.stdout.flush()
                continue
            data = item["data"]
            if streaming:
                streaming = False
                self.stdout.write("")
                if item["type"] == "message" and data.get("role") == "ai":
                    continue  # the answer was shown as it streamed
            line = event_line(item["type"], data)
            if line:
                self.stdout.write(line)
            if item["type"] == "phase" and data["phase"] in Phase.terminal():
                return data["phase"]

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
