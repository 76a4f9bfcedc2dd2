"""The runner's platform in process: the services on the platform's own database.

The embedded default (runner/platform/__init__.py): the same functions the
runner API's views call (executions/api/views/runner.py), reached directly,
off the event loop, writes retried when the connection drops (runner/db.py).
"""
import asyncio
import logging
from weakref import WeakKeyDictionary

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers

from executions.errors import ExecutionNotCancellable
from executions.live import layer_spans_processes, token_publish
from executions.live.reader import follow
from executions.models import AgentExecution, Phase
from executions.selectors import UnknownCredentials, credential_tokens, execution_state
from executions.services import delegation, sessions
from executions.services.events import execution_events_append
from executions.services.executions import execution_cancel
from executions.services.phases import execution_phase_set, execution_run_start
from runner.platform import interface as contract
from runner.db import db, db_write

logger = logging.getLogger(__name__)
# Without a layer reaching other processes, a child's log is read this often.
POLL_SECONDS = 0.5
# With one, the child's record is read this often too, should a push be lost.
CHECK_SECONDS = 5.0


class InProcessPlatform:
    async def run_start(self, execution_id, events):
        return await db_write(execution_run_start)(execution_id=execution_id, following=list(events))

    async def events_append(self, execution_id, events, usage) -> None:
        await db_write(execution_events_append)(execution_id=execution_id, events=list(events), fields=usage)

    async def run_finish(self, execution_id, *, phase, events=(), output=None, error="", usage=None) -> bool:
        return await db_write(execution_phase_set)(
            execution_id=execution_id, phase=phase, preceding=list(events), output=output, error=error,
            usage=usage,
        )

    async def session_thread(self, session_id, agent_id) -> str:
        try:
            return await db(sessions.session_thread_ensure)(session_id=session_id, agent_id=agent_id)
        except sessions.SessionNotFound as exc:
            raise contract.SessionNotFound(str(exc)) from None

    async def credential_tokens(self, names) -> dict[str, str]:
        try:
            # A read, retried like the writes when the connection drops.
            return await db_write(credential_tokens)(names=names)
        except UnknownCredentials as exc:
            raise contract.UnknownCredentials(str(exc)) from None

    async def token_push(self, execution_id, delta) -> None:
        await token_publish(execution_id=execution_id, delta=delta)

    async def delegate(self, parent_id, agent_slug, message, tool) -> str:
        try:
            child = await db(delegation.execution_delegate)(
                parent_id=parent_id, agent_slug=agent_slug, message=message, tool=tool
            )
        except delegation.DelegationRefused as exc:
            raise contract.DelegationRefused(str(exc)) from None
        return str(child.pk)

    async def execution_usage(self, execution_id) -> dict:
        return (await db(execution_state)(execution_id=execution_id))["usage"]

    async def execution_finished(self, execution_id) -> dict:
        """Followed on the live layer (pushed when it reaches other processes), read back
        from the database when a frame says nothing new."""
        layer = _loop_layer() if layer_spans_processes() else None
        idle = CHECK_SECONDS if layer is not None else None
        async for frame in follow(execution_id, layer=layer, idle=idle, poll=POLL_SECONDS):
            if frame is None:
                state = await db(execution_state)(execution_id=execution_id)
                if state["phase"] in Phase.terminal():
                    return state
        return await db(execution_state)(execution_id=execution_id)

    async def cancel(self, execution_id) -> None:
        def cancel() -> None:
            try:
                execution_cancel(execution=AgentExecution.objects.get(pk=execution_id))
            except ExecutionNotCancellable as exc:
                raise contract.NotCancellable(str(exc)) from None

        await db(cancel)()


_layers: "WeakKeyDictionary[asyncio.AbstractEventLoop, object]" = WeakKeyDictionary()


def _loop_layer():
    """A channel layer of this event loop's own: the process-wide one refuses
    to receive from two loops at once (a web server or another worker
    sharing the process, as in run_platform and the tests)."""
    loop = asyncio.get_running_loop()
    if loop not in _layers:
        _layers[loop] = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    return _layers[loop]
