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

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from runner.platform import NotCancellable, platform
from runner.tools.context import context_from
from runner.tools.registry import DELEGATION_PREFIX
from stigmer.event_log import COMPLETED
from stigmer.run_config import SubAgentConfig

logger = logging.getLogger(__name__)


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
        child = await platform().delegate(context.execution_id, sub.slug, message, name)
        try:
            state = await platform().execution_finished(child)
        except asyncio.CancelledError:
            # Shielded: the cancel must reach the child even as this run stops.
            await asyncio.shield(_cancel(child))
            raise
        return _answer(state, child, sub.slug)

    return StructuredTool(name=name, description=description, args_schema=DelegationInput, coroutine=call)


def _answer(state: dict, child_id: str, slug: str) -> str:
    if state["phase"] == COMPLETED:
        return state["output"]
    reason = f": {state['error']}" if state["error"] else ""
    raise SubAgentFailed(f"sub-agent {slug} {state['phase'].lower()} (execution {child_id}){reason}")


async def _cancel(child_id: str) -> None:
    try:
        await platform().cancel(child_id)
    except NotCancellable:
        pass  # it finished meanwhile
    except Exception:  # noqa: BLE001 - the parent's own end must go on
        logger.warning("cancelling sub-agent execution %s failed", child_id, exc_info=True)
