"""The LangGraph agent: a model node and a tool node in a loop, built from a model and tools."""

from collections.abc import Collection, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.config import get_stream_writer
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode, tools_condition

from runner.approvals import APPROVAL_NODE, ApprovalState, approval_node, route_after_model, skip_rejected
from runner.llms.retry import ModelProviderError, call_with_retries
from runner.mcp.errors import McpServerError
from runner.redaction import redact, redacted


def tool_error_content(error: Exception) -> str:
    """What the model reads when a tool raises.

    ToolNode's default re-raises errors from inside a tool, which would fail the whole run;
    handing the error back as a ToolMessage(status="error") lets the model react to it.
    The annotation matters: ToolNode catches the exception types this handler declares.
    An MCP server that stops answering is not the tool's error but the run's: raised
    again, it fails the run with a reason that names the server.
    """
    if isinstance(error, McpServerError):
        raise error
    return f"{type(error).__name__}: {error}"


def tool_calls_this_turn(messages: Sequence[BaseMessage]) -> int:
    """Tool calls the model made since the latest human message."""
    count = 0
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage):
            count += len(message.tool_calls)
    return count


INTERRUPTED_TOOL_RESULT = "cancelled: the turn was interrupted before this tool call finished"


def with_interrupted_tool_calls_closed(messages: Sequence[BaseMessage]) -> list[BaseMessage]:
    """A turn cancelled mid-tool (a cancel, or a session's `interrupt`) leaves in
    the thread an AI message whose tool calls have no results, and providers
    refuse such a history (OpenAI: "tool_calls must be followed by tool
    messages"). The prompt, never the thread's state, gets a result saying so
    right after each such call."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    prompt: list[BaseMessage] = []
    for message in messages:
        prompt.append(message)
        if isinstance(message, AIMessage):
            prompt.extend(
                ToolMessage(INTERRUPTED_TOOL_RESULT, tool_call_id=call["id"], name=call["name"], status="error")
                for call in message.tool_calls
                if call["id"] not in answered
            )
    return prompt


def build_agent(
    *,
    model: BaseChatModel,
    tools: list[BaseTool],
    instructions: str,
    checkpointer: Any = None,
    max_tool_calls: int | None = None,
    model_spec: str = "",
    secrets: Collection[str] = (),
    gated_tools: Collection[str] = (),
) -> CompiledStateGraph:
    """Compile the agent graph; state is the message list (MessagesState).

    `model_spec` ("provider:model") names the provider in retry events and errors. `secrets`
    are the credential values the model was built with: an error that quotes one is redacted
    before LangGraph records it in the checkpoint. Calls of `gated_tools` wait for a
    person's decision (runner/approvals.py).
    """
    spec = model_spec or f"{model._llm_type}:model"
    runnable = model.bind_tools(tools) if tools else model

    async def agent(state: ApprovalState, config: RunnableConfig) -> dict:
        history = with_interrupted_tool_calls_closed(state["messages"])
        # The instructions go to the model on every call but never into the thread's
        # state, so editing an agent's instructions applies to existing sessions too.
        prompt = [SystemMessage(instructions), *history] if instructions else history
        # Retries reach the run's stream as custom chunks ({"model_retry": …}), in
        # order with the tokens of the attempt that failed.
        writer = get_stream_writer()
        # ainvoke (not invoke) so stream_mode="messages" sees the model's token chunks.
        try:
            response = await call_with_retries(
                lambda: runnable.ainvoke(prompt, config),
                spec=spec,
                on_retry=lambda retry: writer({"model_retry": retry}),
            )
        except Exception as exc:
            if (safe := redacted(exc, secrets)) is not exc:
                if isinstance(exc, ModelProviderError):  # keep the readable reason, values cut
                    safe = ModelProviderError(redact(str(exc), secrets))
                raise safe from None
            raise
        if max_tool_calls is not None and getattr(response, "tool_calls", None):
            if tool_calls_this_turn([*history, response]) > max_tool_calls:
                response = AIMessage(
                    content=f"Stopped: this turn reached the limit of {max_tool_calls} "
                    "tool calls."
                )
        return {"messages": [response]}

    gated = frozenset(gated_tools)
    graph = StateGraph(ApprovalState if gated else MessagesState)
    graph.add_node("agent", agent)
    graph.add_edge(START, "agent")
    if tools and gated:
        graph.add_node(
            "tools", ToolNode(tools, handle_tool_errors=tool_error_content, awrap_tool_call=skip_rejected)
        )
        graph.add_node(APPROVAL_NODE, approval_node(gated))
        graph.add_conditional_edges("agent", route_after_model(gated), [APPROVAL_NODE, "tools", END])
        graph.add_edge(APPROVAL_NODE, "tools")
        graph.add_edge("tools", "agent")
    elif tools:
        graph.add_node("tools", ToolNode(tools, handle_tool_errors=tool_error_content))
        graph.add_conditional_edges("agent", tools_condition, ["tools", END])
        graph.add_edge("tools", "agent")
    else:
        graph.add_edge("agent", END)
    return graph.compile(checkpointer=checkpointer)
