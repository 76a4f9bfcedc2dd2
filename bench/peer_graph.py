"""The agent graph LangGraph Server serves: our runner's graph (runner/graph.py
build_agent) with the same offline scripted model and calculator tool. These
runner modules import no Django, so the peer's virtualenv needs only langgraph;
the calculator is the built-in's arithmetic as a plain LangChain tool (the
registry's wrapper, with its thread and database hygiene, needs Django)."""
from langchain_core.tools import tool

from runner.arithmetic import calculate
from runner.graph import build_agent
from runner.llms.scripted import ScriptedChatModel


def make_graph(checkpointer=None):
    return build_agent(
        checkpointer=checkpointer,
        model=ScriptedChatModel(name="demo"),
        tools=[tool("calculator")(calculate)],
        instructions="You are a helpful assistant.",
        max_tool_calls=25,
    )


graph = make_graph()
