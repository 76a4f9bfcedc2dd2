"""The agent graph LangGraph Server serves: our runner's graph (runner/graph.py
build_agent) with the same offline scripted model and calculator tool. These
runner modules import no Django, so the peer's virtualenv needs only langgraph."""
from runner.graph import build_agent
from runner.llms.scripted import ScriptedChatModel
from runner.tools import get_tools


def make_graph(checkpointer=None):
    return build_agent(
        checkpointer=checkpointer,
        model=ScriptedChatModel(name="demo"),
        tools=get_tools(["calculator"]),
        instructions="You are a helpful assistant.",
        max_tool_calls=25,
    )


graph = make_graph()
