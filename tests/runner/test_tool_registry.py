"""The registry: tools from apps' agent_tools.py, their schemas, context, threads and timeouts."""
import asyncio
import time

import pytest
from langchain_core.tools import tool

from executions.selectors import RunContext
from runner.tools import (
    MissingToolContext,
    ToolRegistrationError,
    ToolTimeout,
    agent_tool,
    get_tools,
    registered_tools,
)
from runner.tools.context import context_config

CONTEXT = RunContext(
    execution_id="e-1", session_id="s-1", agent_id=3, agent_slug="shop", owner_id=9
)


def run_config(context=CONTEXT) -> dict:
    return {"configurable": context_config(context)}


def schema_of(name: str) -> dict:
    return get_tools([name])[0].tool_call_schema.model_json_schema()


def test_an_apps_agent_tools_module_is_discovered():
    entries = {entry.name: entry for entry in registered_tools()}
    assert (entries["refund_order"].app, entries["refund_order"].source) == ("toolapp", "app")
    assert entries["shout"].app == "toolapp"  # a LangChain tool, registered as-is


def test_the_schema_comes_from_type_hints_and_docstring():
    schema = schema_of("refund_order")
    assert schema["description"] == "Refund one of the shop's orders."
    assert schema["properties"]["number"] == {
        "description": "The order's number.", "title": "Number", "type": "integer",
    }
    assert schema["required"] == ["number"]


def test_the_context_parameter_is_not_in_the_models_schema():
    schema = schema_of("whoami")
    assert set(schema["properties"]) == {"greeting"}
    assert "required" not in schema


def test_an_async_tool_reads_its_runs_context():
    whoami = get_tools(["whoami"])[0]
    result = asyncio.run(whoami.ainvoke({"greeting": "hi"}, run_config()))
    assert result == {"greeting": "hi", **vars(CONTEXT)}


def test_a_context_tool_outside_a_run_says_so():
    whoami = get_tools(["whoami"])[0]
    with pytest.raises(MissingToolContext, match="only an execution provides"):
        asyncio.run(whoami.ainvoke({}))


def test_a_tool_past_its_timeout_fails_with_a_readable_error():
    slow = get_tools(["slow_async"])[0]
    started = time.monotonic()
    with pytest.raises(ToolTimeout, match="'slow_async' did not finish within 0.5 s"):
        asyncio.run(slow.ainvoke({"seconds": 30}))
    assert time.monotonic() - started < 5


def test_the_default_timeout_is_read_from_the_environment(monkeypatch):
    def napping(seconds: float) -> str:
        """Nap."""
        time.sleep(seconds)
        return "rested"

    monkeypatch.setenv("STIGMER_TOOL_TIMEOUT_SECONDS", "0.2")
    from runner.tools.wrapping import tool_from

    with pytest.raises(ToolTimeout, match="within 0.2 s"):
        asyncio.run(tool_from(napping).ainvoke({"seconds": 2}))


def test_a_sync_tool_runs_on_a_tool_thread_and_leaves_the_loop_free():
    blocking = get_tools(["blocking"])[0]
    ticks = []

    async def main():
        async def tick():
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.05)

        ticker = asyncio.create_task(tick())
        result = await blocking.ainvoke({"seconds": 0.5})
        ticker.cancel()
        return result

    assert asyncio.run(main()) == "blocked 0.5 s"
    assert len(ticks) >= 5  # the loop kept running while the tool blocked its thread


def test_a_langchain_tool_is_accepted():
    shout = get_tools(["shout"])[0]
    assert asyncio.run(shout.ainvoke({"text": "hi"})) == "HI"
    assert shout.description == "Repeat the text in capitals."


@pytest.mark.parametrize("name", ["two__parts", "has space", "x" * 65])
def test_a_bad_tool_name_is_refused(name):
    def f() -> str:
        """Do nothing."""
        return ""

    with pytest.raises(ToolRegistrationError, match="must be 1-64 letters"):
        agent_tool(f, name=name)


def test_a_name_taken_by_another_module_is_refused():
    @tool
    def calculator(expression: str) -> str:
        """Not the built-in."""
        return expression

    with pytest.raises(ToolRegistrationError, match="'calculator' .* already registered by runner"):
        agent_tool(calculator)


def test_a_tool_without_docstring_is_refused():
    def undocumented(x: int) -> int:
        return x

    with pytest.raises(TypeError, match="needs a docstring"):
        agent_tool(undocumented)


def test_the_decorator_returns_the_function_unchanged():
    from tests.toolapp.agent_tools import blocking

    assert blocking(0) == "blocked 0 s"
