"""Compiled agents, kept per configuration.

Compiling the graph (and, for real providers, building the model's HTTP
client) cost more CPU per run than the scripted agent's whole run: a runner
reuses them across executions of the same agent configuration. A compiled
graph holds no run state (that lives in the checkpointer, per thread), so
concurrent runs may share one. Editing an agent changes its key.
"""
import dataclasses
import json
from collections import OrderedDict

from langgraph.graph.state import CompiledStateGraph

from executions.selectors import RunConfig
from runner.graph import build_agent
from runner.llms.providers import provider_fingerprint
from runner.llms.resolve import parse_model_spec, resolve_chat_model
from runner.tools import get_tools

CACHE_SIZE = 64
_agents: "OrderedDict[tuple[str, int], CompiledStateGraph]" = OrderedDict()


def agent_for(config: RunConfig, checkpointer, mcp_tools=()) -> CompiledStateGraph:
    """The compiled agent for this configuration; ValueError if it is misconfigured.

    An agent with MCP tools is built for its run alone: its tools hold that
    run's server sessions.
    """
    if mcp_tools:
        return _build(config, checkpointer, [*get_tools(config.tools), *mcp_tools])
    shape = dataclasses.asdict(config)
    # Per run, not per agent: the context reaches tools through the run's config.
    shape.pop("phase")
    shape.pop("context")
    # A new key or endpoint for the provider builds a new client.
    shape["provider"] = provider_fingerprint(parse_model_spec(config.model)[0])
    key = (json.dumps(shape, sort_keys=True, default=str), id(checkpointer))
    agent = _agents.get(key)
    if agent is not None:
        _agents.move_to_end(key)
        return agent
    agent = _build(config, checkpointer, get_tools(config.tools))
    _agents[key] = agent
    while len(_agents) > CACHE_SIZE:
        _agents.popitem(last=False)
    return agent


def _build(config: RunConfig, checkpointer, tools) -> CompiledStateGraph:
    model = resolve_chat_model(
        config.model,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        options=config.model_options,
    )
    return build_agent(
        model=model,
        tools=tools,
        instructions=config.instructions,
        checkpointer=checkpointer,
        max_tool_calls=config.max_tool_calls,
        model_spec=config.model,
    )
