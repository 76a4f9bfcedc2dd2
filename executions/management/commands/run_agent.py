import asyncio
import json
import sys
import uuid

from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from executions.errors import ExecutionError, SessionBusy
from executions.live import layer_spans_processes
from executions.live.reader import follow
from executions.models import Agent, AgentExecution, DecisionSurface, MultitaskStrategy, Phase, Session
from executions.services.approvals import tool_call_decide
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
        parser.add_argument(
            "--no-input", action="store_true",
            help="never ask at the terminal for decisions on tool calls waiting for approval",
        )

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
        # A tool call waiting for approval is asked about at a terminal, as the owner.
        self._asks = self._at_terminal() and not options["no_input"]
        self._owner_user = owner
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
            if item["type"] == "approval_requested":
                await self._approval(execution, data)
            if item["type"] == "phase" and data["phase"] in Phase.terminal():
                return data["phase"]

    async def _approval(self, execution: AgentExecution, data: dict) -> None:
        if not self._asks:
            self.stdout.write(
                f"[approval] waiting: decide in the admin, the API or with `manage.py decide_tool_call "
                f"{execution.pk} {data['id']} approve|edit|reject`"
            )
            return
        # input() blocks: on a thread, so the event loop (and its reader) stays responsive.
        await asyncio.to_thread(self._ask, execution, data)

    def _at_terminal(self) -> bool:
        return sys.stdin.isatty()

    def _prompt(self, text: str) -> str:
        return input(text)

    def _ask(self, execution: AgentExecution, data: dict) -> None:
        choices = {"a": "approve", "e": "edit", "r": "reject"}
        while True:
            answer = self._prompt(f"[approval] {data['name']}: approve, edit or reject? [a/e/r] ").strip().lower()
            decision = choices.get(answer[:1])
            if decision is None:
                continue
            args, comment = None, ""
            try:
                if decision == "edit":
                    args = json.loads(self._prompt("[approval] new arguments (JSON object): "))
                comment = self._prompt("[approval] comment (optional): ")
                tool_call_decide(
                    execution=execution, tool_call_id=data["id"], decision=decision, args=args,
                    comment=comment, user=self._owner_user, surface=DecisionSurface.COMMAND,
                )
            except (json.JSONDecodeError, ValidationError) as exc:
                self.stdout.write(f"[approval] {exc}; again")
                continue
            except (ExecutionError, PermissionDenied) as exc:
                self.stdout.write(f"[approval] not recorded: {exc}")
            return

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
