import asyncio
import re
import time

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, SystemMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver

from runner.graph import build_agent
from runner.llms import (
    ScriptedChatModel,
    resolve_chat_model,
)
from runner.tools import get_tools

ALL_TOOLS = ["calculator", "current_time", "sleep"]


def agent(spec="scripted:demo", tools=ALL_TOOLS, **kwargs):
    kwargs.setdefault("instructions", "You are a helpful assistant.")
    return build_agent(model=resolve_chat_model(spec), tools=get_tools(tools), **kwargs)


def ask(graph, text, thread_id=None):
    config = {"configurable": {"thread_id": thread_id}} if thread_id else None
    return asyncio.run(graph.ainvoke({"messages": [("user", text)]}, config))["messages"]


def test_arithmetic_question_runs_the_calculator_and_answers(scripted_calls):
    messages = ask(agent(), "What is 6*7?")
    [tool_message] = [m for m in messages if isinstance(m, ToolMessage)]
    assert (tool_message.name, tool_message.content, tool_message.status) == (
        "calculator",
        "42",
        "success",
    )
    assert messages[-1].content == "The result is 42."
    assert scripted_calls.count == 2  # one call to pick the tool, one to answer; no reruns


def test_tool_error_becomes_an_error_tool_message_and_the_run_goes_on():
    messages = ask(agent(), "What is 1/0?")
    [tool_message] = [m for m in messages if isinstance(m, ToolMessage)]
    assert tool_message.status == "error"
    assert tool_message.content == "ValueError: division by zero"
    assert messages[-1].content == "The tool failed: ValueError: division by zero"


def test_sleep_tool_runs_through_the_graph():
    messages = ask(agent(tools=["sleep"]), "sleep for 0.05 seconds")
    assert messages[-1].content == "Done: slept 0.05 seconds."


def test_agent_without_tools_answers_directly():
    messages = ask(agent(tools=[]), "What is 6*7?")
    assert [type(m).__name__ for m in messages] == ["HumanMessage", "AIMessage"]
    assert messages[-1].content == "Scripted answer to: What is 6*7?"


def test_streaming_messages_yields_tokens_and_usage():
    async def stream():
        graph = agent(tools=[], checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": "stream"}}
        chunks = [
            chunk
            async for chunk, metadata in graph.astream(
                {"messages": [("user", "tell me a story")]}, config, stream_mode="messages"
            )
            if metadata["langgraph_node"] == "agent"
        ]
        return chunks, (await graph.aget_state(config)).values["messages"][-1]

    chunks, final = asyncio.run(stream())
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert len(chunks) == 7  # one per word
    assert "".join(c.content for c in chunks) == "Scripted answer to: tell me a story"
    assert isinstance(final, AIMessage)
    assert final.content == "Scripted answer to: tell me a story"
    # The system instructions (5 words) count as input but are not stored in the thread.
    assert final.usage_metadata == {"input_tokens": 9, "output_tokens": 7, "total_tokens": 16}


def test_streaming_shows_the_tool_call_and_the_tool_result():
    async def stream():
        graph = agent()
        return [
            (metadata["langgraph_node"], chunk)
            async for chunk, metadata in graph.astream(
                {"messages": [("user", "What is 6*7?")]}, stream_mode="messages"
            )
        ]

    events = asyncio.run(stream())
    nodes = [node for node, _ in events]
    assert nodes[0] == "agent" and events[0][1].tool_call_chunks[0]["name"] == "calculator"
    assert ("tools", "42") in [(node, chunk.content) for node, chunk in events]
    assert "".join(c.content for node, c in events if node == "agent") == "The result is 42."


def test_memory_across_turns_of_the_same_thread():
    graph = agent(checkpointer=InMemorySaver())
    ask(graph, "What is the capital of France?", thread_id="session-1")
    messages = ask(graph, "What did I ask before?", thread_id="session-1")
    assert messages[-1].content == 'You asked before: "What is the capital of France?"'
    other = ask(graph, "What did I ask before?", thread_id="session-2")
    assert other[-1].content == "You have not asked anything before."


def test_instructions_reach_the_model_but_not_the_thread():
    class RecordingModel(ScriptedChatModel):
        seen: list = []

        def _chunks(self, messages, **kwargs):
            self.seen.append(list(messages))
            return super()._chunks(messages, **kwargs)

    model = RecordingModel()
    graph = build_agent(model=model, tools=[], instructions="Answer briefly.")
    messages = asyncio.run(graph.ainvoke({"messages": [("user", "hi")]}))["messages"]
    assert model.seen[0][0] == SystemMessage("Answer briefly.")
    assert not any(isinstance(m, SystemMessage) for m in messages)


def test_failing_model_fails_the_run():
    with pytest.raises(RuntimeError, match=re.escape("requested by scripted:fail")):
        ask(agent("scripted:fail"), "hi")


def test_tool_call_limit_stops_the_turn():
    messages = ask(agent(max_tool_calls=0), "What is 6*7?")
    assert not any(isinstance(m, ToolMessage) for m in messages)
    assert messages[-1].content == "Stopped: this turn reached the limit of 0 tool calls."
    assert messages[-1].tool_calls == []


def test_cancelling_a_run_interrupts_a_sleeping_tool():
    async def cancel_midway():
        graph = agent(tools=["sleep"])
        task = asyncio.create_task(graph.ainvoke({"messages": [("user", "sleep 30")]}))
        await asyncio.sleep(0.2)
        task.cancel()
        await task

    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancel_midway())
    assert time.monotonic() - started < 5


def test_tool_calls_of_an_interrupted_turn_are_closed_in_the_prompt_only():
    from langchain_core.messages import HumanMessage

    from runner.graph import INTERRUPTED_TOOL_RESULT, with_interrupted_tool_calls_closed

    calls = [{"id": "c1", "name": "sleep", "args": {"seconds": 30}}, {"id": "c2", "name": "calculator", "args": {}}]
    interrupted = [HumanMessage("sleep 30"), AIMessage("", tool_calls=calls), ToolMessage("4", tool_call_id="c2")]
    history = [*interrupted, HumanMessage("What is 2+2?")]

    prompt = with_interrupted_tool_calls_closed(history)

    assert [type(m).__name__ for m in prompt] == [
        "HumanMessage", "AIMessage", "ToolMessage", "ToolMessage", "HumanMessage"
    ]
    assert (prompt[2].tool_call_id, prompt[2].content, prompt[2].status) == ("c1", INTERRUPTED_TOOL_RESULT, "error")
    assert with_interrupted_tool_calls_closed(prompt) == prompt  # nothing left to close

    graph = agent(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t-interrupted"}}
    asyncio.run(graph.aupdate_state(config, {"messages": interrupted[:2]}))
    messages = ask(graph, "What is 2+2?", thread_id="t-interrupted")
    assert messages[-1].content == "The result is 4."
    assert not any(m.content == INTERRUPTED_TOOL_RESULT for m in messages)  # the state is untouched
