import asyncio
import re
import time

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from runner.llms import (
    ScriptedChatModel,
    UnknownModelError,
    describe_model,
    is_offline,
    resolve_chat_model,
)
from runner.graph import build_agent
from runner.llms.scripted import FAILURE_MESSAGE, find_arithmetic
from runner.tools import get_tools

ALL_TOOLS = ["calculator", "current_time", "sleep"]


def with_tools(names=ALL_TOOLS, **fields):
    return ScriptedChatModel(name="demo", **fields).bind_tools(get_tools(names))


async def collect(model, messages):
    return [chunk async for chunk in model.astream(messages)]


@pytest.mark.parametrize(
    ("text", "expression"),
    [
        ("What is 6*7?", "6*7"),
        ("compute (2+3)*4 please", "(2+3)*4"),
        ("(what is 10 / 4)", "10 / 4"),
        ("I have 3 apples and 4 pears", None),
    ],
)
def test_find_arithmetic(text, expression):
    assert find_arithmetic(text) == expression


def test_arithmetic_question_becomes_a_calculator_tool_call():
    reply = with_tools().invoke([HumanMessage("What is 6*7?")])
    assert reply.content == ""
    [call] = reply.tool_calls
    assert (call["name"], call["args"]) == ("calculator", {"expression": "6*7"})
    again = with_tools().invoke([HumanMessage("What is 6*7?")])
    assert again.tool_calls[0]["id"] == call["id"]  # deterministic id


def test_without_tools_the_model_answers_in_text():
    reply = ScriptedChatModel(name="demo").invoke([HumanMessage("What is 6*7?")])
    assert reply.tool_calls == []
    assert reply.content == "Scripted answer to: What is 6*7?"


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("sleep 2 then tell me 6*7", "sleep", {"seconds": 2.0}),
        ("Please sleep for 1.5 seconds", "sleep", {"seconds": 1.5}),
        ("what time is it?", "current_time", {}),
        ("what time is it in Europe/Paris?", "current_time", {"timezone": "Europe/Paris"}),
        ("what time is 6*7?", "calculator", {"expression": "6*7"}),
    ],
)
def test_tool_choice_follows_priority_sleep_calculator_time(text, name, args):
    [call] = with_tools().invoke([HumanMessage(text)]).tool_calls
    assert (call["name"], call["args"]) == (name, args)


def test_only_bound_tools_are_called():
    reply = with_tools(["current_time"]).invoke([HumanMessage("sleep 2 and 6*7")])
    assert reply.tool_calls == []


@pytest.mark.parametrize(
    ("name", "content", "status", "answer"),
    [
        ("calculator", "42", "success", "The result is 42."),
        ("current_time", "2030-01-01T09:00:00", "success", "It is 2030-01-01T09:00:00."),
        ("sleep", "slept 2.0 seconds", "success", "Done: slept 2.0 seconds."),
        ("calculator", "ValueError: bad input", "error", "The tool failed: ValueError: bad input"),
    ],
)
def test_tool_results_are_turned_into_answers(name, content, status, answer):
    result = ToolMessage(content, name=name, tool_call_id="call_1", status=status)
    reply = with_tools().invoke([HumanMessage("question"), result])
    assert reply.content == answer


def test_tool_calls_option_repeats_the_call_until_that_many_results():
    graph_tools = get_tools(["calculator"])
    model = resolve_chat_model("scripted:demo", options={"tool_calls": 3})
    agent = build_agent(model=model, tools=graph_tools, instructions="", max_tool_calls=10)
    messages = asyncio.run(agent.ainvoke({"messages": [HumanMessage("What is 6*7?")]}))["messages"]
    calls = [c for m in messages if isinstance(m, AIMessage) for c in m.tool_calls]
    assert [c["args"] for c in calls] == [{"expression": "6*7"}] * 3
    assert len({c["id"] for c in calls}) == 3  # each call is a call of its own
    assert messages[-1].content == "The result is 42."
    failed = ToolMessage("ValueError: bad", name="calculator", tool_call_id="call_1", status="error")
    call = AIMessage("", tool_calls=[{"name": "calculator", "args": {}, "id": "call_1"}])
    reply = model.bind_tools(graph_tools).invoke([HumanMessage("What is 1/0?"), call, failed])
    assert reply.content == "The tool failed: ValueError: bad"  # an error is not repeated


def test_recall_quotes_the_previous_question():
    history = [
        HumanMessage("What is the capital of France?"),
        AIMessage("Scripted answer to: What is the capital of France?"),
        HumanMessage("What did I ask before?"),
    ]
    reply = ScriptedChatModel().invoke(history)
    assert reply.content == 'You asked before: "What is the capital of France?"'
    first = ScriptedChatModel().invoke([HumanMessage("what was my previous question?")])
    assert first.content == "You have not asked anything before."


def test_stream_yields_one_chunk_per_word_with_usage_on_the_last():
    chunks = asyncio.run(collect(ScriptedChatModel(), [HumanMessage("hello there")]))
    assert [c.content for c in chunks] == ["Scripted ", "answer ", "to: ", "hello ", "there"]
    assert all(c.usage_metadata is None for c in chunks[:-1])
    message = sum(chunks[1:], chunks[0])
    assert message.usage_metadata == {"input_tokens": 2, "output_tokens": 5, "total_tokens": 7}


def test_invoke_and_stream_give_the_same_answer():
    messages = [HumanMessage("hello there")]
    invoked = ScriptedChatModel().invoke(messages)
    streamed = list(ScriptedChatModel().stream(messages))
    assert invoked.content == "".join(c.content for c in streamed)
    assert invoked.usage_metadata["output_tokens"] == len(streamed)


def test_token_delay_paces_the_stream():
    model = ScriptedChatModel(token_delay=0.02)
    started = time.monotonic()
    chunks = asyncio.run(collect(model, [HumanMessage("hello there")]))
    assert time.monotonic() - started >= 0.02 * (len(chunks) - 1)


def test_long_model_streams_many_words():
    chunks = asyncio.run(collect(resolve_chat_model("scripted:long"), [HumanMessage("hi")]))
    assert len(chunks) == 200
    model = resolve_chat_model("scripted:demo", options={"answer_words": 12})
    assert len(model.invoke([HumanMessage("hi")]).content.split()) == 12


def test_fail_model_raises_on_every_path():
    model = resolve_chat_model("scripted:fail")
    with pytest.raises(RuntimeError, match=re.escape(FAILURE_MESSAGE)):
        model.invoke([HumanMessage("hi")])
    with pytest.raises(RuntimeError, match=re.escape(FAILURE_MESSAGE)):
        asyncio.run(collect(model, [HumanMessage("hi")]))


def test_each_invocation_is_one_reply(scripted_calls):
    """The spy the fault tests count with sees each call once, sync or streamed."""
    model = ScriptedChatModel()
    model.invoke([HumanMessage("one")])
    asyncio.run(collect(model, [HumanMessage("two")]))
    assert scripted_calls.count == 2


def test_resolve_scripted_passes_options_through():
    model = resolve_chat_model("scripted:demo", temperature=0.3, options={"token_delay": 0.05})
    assert isinstance(model, ScriptedChatModel)
    assert (model.name, model.token_delay) == ("demo", 0.05)
    with pytest.raises(UnknownModelError, match="token_dely"):
        resolve_chat_model("scripted:demo", options={"token_dely": 0.05})


@pytest.fixture
def fake_credentials(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-real")
    monkeypatch.setenv("STIGMER_OPENAI_COMPATIBLE_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("STIGMER_OPENAI_COMPATIBLE_API_KEY", raising=False)


@pytest.mark.parametrize(
    ("spec", "class_name", "sdk_client"),
    [
        ("openai:gpt-4o-mini", "ChatOpenAI", "root_client"),
        ("anthropic:claude-3-5-haiku-latest", "ChatAnthropic", "_client"),
        ("openai-compatible:qwen2.5", "ChatOpenAI", "root_client"),
    ],
)
def test_resolve_cloud_providers_with_client_retries_off(
    fake_credentials, spec, class_name, sdk_client
):
    model = resolve_chat_model(spec, temperature=0.2, max_tokens=64)
    assert any(cls.__name__ == class_name for cls in type(model).__mro__)
    assert (model.temperature, model.max_tokens) == (0.2, 64)
    # Temporal owns retries: neither the wrapper nor the SDK client it built may retry.
    assert model.max_retries == 0
    assert getattr(model, sdk_client).max_retries == 0
    assert not is_offline(spec)


def test_resolve_openai_compatible_reads_base_url_and_key_from_env(fake_credentials):
    model = resolve_chat_model("openai-compatible:qwen2.5")
    assert model.openai_api_base == "http://127.0.0.1:9/v1"
    assert model.openai_api_key.get_secret_value() == "unused"
    assert describe_model("openai-compatible:qwen2.5").endswith("(OpenAI-compatible endpoint)")


def test_resolve_ollama_maps_max_tokens():
    model = resolve_chat_model("ollama:llama3.2", max_tokens=64)
    assert type(model).__name__ == "ChatOllama"
    assert (model.model, model.num_predict) == ("llama3.2", 64)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("gpt-4o", "malformed"),
        ("scripted:", "malformed"),
        ("bedrock:titan", "unknown model provider 'bedrock'"),
        ("openai-compatible:qwen2.5", "needs STIGMER_OPENAI_COMPATIBLE_BASE_URL"),
        ("openai:gpt-4o-mini", "'openai:gpt-4o-mini' needs OPENAI_API_KEY set"),
        ("anthropic:claude-x", "'anthropic:claude-x' needs ANTHROPIC_API_KEY set"),
    ],
)
def test_resolve_rejects_unusable_specs(monkeypatch, spec, message):
    for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "STIGMER_OPENAI_COMPATIBLE_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UnknownModelError, match=message):
        resolve_chat_model(spec)


def test_scripted_models_are_labelled_offline():
    assert is_offline("scripted:demo")
    assert describe_model("scripted:demo") == "scripted:demo (offline scripted model)"


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ('call shout with {"text": "hi"}', "shout", {"text": "hi"}),
        ('  Call toolbox__word_count with {"text": "a b\\nc"}  ', "toolbox__word_count", {"text": "a b\nc"}),
        ("call current_time", "current_time", {}),
        ('call sleep with {"seconds": 1}', "sleep", {"seconds": 1}),  # before "sleep N"
    ],
)
def test_call_tool_with_json_makes_that_tool_call(text, name, args):
    reply = with_tools(["shout", "current_time"]).invoke([HumanMessage(text)])
    [call] = reply.tool_calls
    assert (call["name"], call["args"]) == (name, args)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("call shout with {text: hi}", "the arguments for shout are not JSON"),
        ("call shout with [1, 2]", "must be a JSON object, got [1, 2]"),
    ],
)
def test_call_with_bad_json_is_answered_not_called(text, reason):
    reply = with_tools(["shout"]).invoke([HumanMessage(text)])
    assert reply.tool_calls == []
    assert reason in reply.content


def test_call_only_counts_as_the_whole_message():
    reply = with_tools(["shout"]).invoke([HumanMessage("please call me later")])
    assert reply.tool_calls == []


def test_call_of_an_unbound_tool_is_refused_by_the_tool_node():
    agent = build_agent(model=resolve_chat_model("scripted:demo"), tools=get_tools(["shout"]),
                        instructions="")
    result = asyncio.run(agent.ainvoke({"messages": [HumanMessage('call secret with {"a": 1}')]}))
    tool_message = result["messages"][2]
    assert tool_message.status == "error"
    assert "secret is not a valid tool" in tool_message.content
    assert result["messages"][-1].content.startswith("The tool failed: Error: secret is not a valid tool")
