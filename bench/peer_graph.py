"""The agent graph LangGraph Server serves: our runner's graph (runner/graph.py
build_agent) with the same offline scripted model and calculator tool. These
runner modules import no Django, so the peer's virtualenv needs only langgraph;
the calculator is the built-in's arithmetic as a plain LangChain tool (the
registry's wrapper, with its thread and database hygiene, needs Django)."""
import os

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
# The runs-in-flight section's agent (bench/in_flight.py): a long answer
# streamed token by token, no tool; its length and pace from the bench.
in_flight_graph = build_agent(
    checkpointer=None,
    model=ScriptedChatModel(
        name="demo",
        answer_words=int(os.environ.get("BENCH_IN_FLIGHT_WORDS", "200")),
        token_delay=float(os.environ.get("BENCH_IN_FLIGHT_DELAY", "0.05")),
    ),
    tools=[],
    instructions="You are a helpful assistant.",
    max_tool_calls=25,
)
