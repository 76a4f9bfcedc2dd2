"""Sub-agents as tools: `delegate_to_<slug>` creates the child execution and
waits for its final answer.

The child is an execution of its own (record, workflow, transcript, live
page), created through the create pipeline, one delegation level deeper: it
runs on that depth's runner queue, whose slots no parent at this depth holds
(docs/temporal-contract.md). The parent's run keeps heartbeating while it
waits (the activity's background beat); when the parent is cancelled, or its
run stops any other way while waiting, the child is cancelled too.
"""
import asyncio
import logging
from weakref import WeakKeyDictionary

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from executions.live import layer_spans_processes
from executions.live.reader import follow
from executions.models import AgentExecution, Phase
from executions.selectors import SubAgentConfig
from executions.services.delegation import execution_delegate
from executions.services.executions import execution_cancel
from executions.errors import ExecutionNotCancellable
from runner.tools.context import context_from
from runner.tools.registry import DELEGATION_PREFIX
from runner.tools.wrapping import in_thread

logger = logging.getLogger(__name__)
# Without a layer reaching other processes, the child's log is read this often.
POLL_SECONDS = 0.5
# With one, the child's record is read this often too, should a push be lost.
CHECK_SECONDS = 5.0


class SubAgentFailed(Exception):
    """The child ended without an answer; the parent's model reads why."""


class DelegationInput(BaseModel):
    message: str = Field(description="The task, complete and self-contained: the agent sees nothing else.")


def delegation_tool_name(slug: str) -> str:
    return f"{DELEGATION_PREFIX}{slug}"


def delegation_tools(sub_agents: tuple[SubAgentConfig, ...]) -> list[BaseTool]:
    return [_tool(sub) for sub in sub_agents]


def _tool(sub: SubAgentConfig) -> BaseTool:
    name = delegation_tool_name(sub.slug)
    about = f": {sub.description.strip().rstrip('.')}." if sub.description.strip() else "."
    description = (
        f"Delegate a task to the agent {sub.name!r} ({sub.slug}){about} "
        "Its final answer comes back as this tool's result."
    )

    async def call(config: RunnableConfig, message: str) -> str:
        context = context_from(config, name)
        child = await in_thread(execution_delegate)(
            parent_id=context.execution_id, agent_slug=sub.slug, message=message, tool=name
        )
        try:
            await _finished(str(child.pk))
        except asyncio.CancelledError:
            # Shielded: the cancel must reach the child even as this run stops.
            await asyncio.shield(in_thread(_cancel)(child.pk))
            raise
        return await in_thread(_answer)(child.pk, sub.slug)

    return StructuredTool(name=name, description=description, args_schema=DelegationInput, coroutine=call)


_layers: "WeakKeyDictionary[asyncio.AbstractEventLoop, object]" = WeakKeyDictionary()


def _loop_layer():
    """A channel layer of this event loop's own: the process-wide one refuses
    to receive from two loops at once (a web server or another worker
    sharing the process, as in run_platform and the tests)."""
    loop = asyncio.get_running_loop()
    if loop not in _layers:
        _layers[loop] = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER)
    return _layers[loop]


async def _finished(child_id: str) -> None:
    """Return once the child's log has its terminal phase."""
    layer = _loop_layer() if layer_spans_processes() else None
    idle = CHECK_SECONDS if layer is not None else None
    async for frame in follow(child_id, layer=layer, idle=idle, poll=POLL_SECONDS):
        if frame is None and await in_thread(_is_terminal)(child_id):
            return


def _is_terminal(child_id) -> bool:
    return AgentExecution.objects.filter(pk=child_id, phase__in=Phase.terminal()).exists()


def _answer(child_id, slug: str) -> str:
    child = AgentExecution.objects.get(pk=child_id)
    if child.phase == Phase.COMPLETED:
        return child.output
    reason = f": {child.error}" if child.error else ""
    raise SubAgentFailed(f"sub-agent {slug} {child.phase.lower()} (execution {child.pk}){reason}")


def _cancel(child_id) -> None:
    try:
        execution_cancel(execution=AgentExecution.objects.get(pk=child_id))
    except ExecutionNotCancellable:
        pass  # it finished meanwhile
    except Exception:  # noqa: BLE001 - the parent's own end must go on
        logger.warning("cancelling sub-agent execution %s failed", child_id, exc_info=True)
