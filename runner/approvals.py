"""Tool calls that wait for a person: the graph's approval step.

When the model calls a tool of the agent's approval policy, the graph goes
from the model to an `approval` node instead of the tools: it interrupts
(LangGraph's `interrupt`, checkpointed with the thread) with the turn's gated
calls, and the run ends there, holding no worker. The run that resumes the
thread passes the decisions as the interrupt's value (`Command(resume=…)`):
an edited call runs with the new arguments (the thread's AI message is
rewritten, so the model sees what ran), a rejected one does not run and the
model reads the rejection as its result. Every call of the turn, gated or
not, waits for the decisions: none runs twice or before them.
"""
from collections.abc import Collection
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langgraph.graph import END, MessagesState
from langgraph.prebuilt.tool_node import ToolCallRequest
from langgraph.types import interrupt

APPROVAL_NODE = "approval"


class ApprovalState(MessagesState, total=False):
    """The thread's state: its messages, and the decisions on the latest turn's gated calls."""

    approvals: dict[str, dict[str, Any]]


def rejection_text(decision: dict) -> str:
    """What the model reads as the result of a rejected call."""
    comment = (decision.get("comment") or "").strip()
    return f"Rejected by the approver: {comment}" if comment else "Rejected by the approver."


def gated_calls(message: AIMessage, gated: Collection[str]) -> list[dict]:
    return [
        {"id": call["id"], "name": call["name"], "args": call["args"]}
        for call in message.tool_calls
        if call["name"] in gated
    ]


def route_after_model(gated: Collection[str]):
    """The edge after the model: its tool calls go to the approval step when
    any needs approval, to the tools otherwise; an answer ends the run."""

    def route(state: ApprovalState) -> str:
        last = state["messages"][-1]
        if not isinstance(last, AIMessage) or not last.tool_calls:
            return END
        return APPROVAL_NODE if gated_calls(last, gated) else "tools"

    return route


def approval_node(gated: Collection[str]):
    async def approval(state: ApprovalState) -> dict:
        last = state["messages"][-1]
        # Ends the run here the first time; returns the decisions when resumed.
        decisions: dict[str, dict] = interrupt({"tool_calls": gated_calls(last, gated)})
        calls = [
            {**call, "args": decisions[call["id"]]["args"]}
            if decisions.get(call["id"], {}).get("decision") == "edit"
            else call
            for call in last.tool_calls
        ]
        update: dict = {"approvals": decisions}
        if calls != list(last.tool_calls):
            # Same id: the message is replaced in the thread, not appended.
            update["messages"] = [last.model_copy(update={"tool_calls": calls})]
        return update

    return approval


async def skip_rejected(request: ToolCallRequest, execute) -> ToolMessage:
    """ToolNode's wrapper: a rejected call is answered with its rejection, never run."""
    state = request.state if isinstance(request.state, dict) else {}
    decision = (state.get("approvals") or {}).get(request.tool_call["id"])
    if decision and decision.get("decision") == "reject":
        return ToolMessage(
            rejection_text(decision), tool_call_id=request.tool_call["id"],
            name=request.tool_call["name"], status="error",
        )
    return await execute(request)
