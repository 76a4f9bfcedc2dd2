"""Compiled agents, kept per configuration.

Compiling the graph (and, for real providers, building the model's HTTP
client) cost more CPU per run than the scripted agent's whole run: a runner
reuses them across executions of the same agent configuration. A compiled
graph holds no run state (that lives in the checkpointer, per thread), so
concurrent runs may share one. Editing an agent, or rotating a credential it
uses, changes its key.
"""
import dataclasses
import hashlib
import json
from collections import OrderedDict

from langgraph.graph.state import CompiledStateGraph

from stigmer.credential_refs import provider_key_split
from stigmer.run_config import RunConfig
from runner.delegation import delegation_tools
from runner.graph import build_agent
from runner.llms.providers import provider_fingerprint
from runner.llms.resolve import parse_model_spec, resolve_chat_model
from runner.tools import get_tools

CACHE_SIZE = 64
_agents: "OrderedDict[tuple, CompiledStateGraph]" = OrderedDict()


def agent_for(
    config: RunConfig, checkpointer, mcp_tools=(), credentials: dict[str, str] | None = None,
    *, gated_tools=(),
) -> CompiledStateGraph:
    """The compiled agent for this configuration, its credential references replaced by
    `credentials` (name → value, read for this run); ValueError if it is misconfigured.

    An agent with MCP tools is built for its run alone: its tools hold that
    run's server sessions.
    """
    credentials = credentials or {}
    gated = tuple(sorted(gated_tools))
    if mcp_tools:
        return _build(config, checkpointer, [*_tools(config), *mcp_tools], credentials, gated)
    shape = dataclasses.asdict(config)
    # Per run, not per agent: the context reaches tools through the run's config.
    shape.pop("phase")
    shape.pop("context")
    # A new key or endpoint for the provider builds a new client.
    shape["provider"] = provider_fingerprint(parse_model_spec(config.model)[0])
    # A digest, so the cache's keys do not hold the values themselves.
    values = hashlib.sha256(json.dumps(credentials, sort_keys=True).encode()).hexdigest()
    key = (json.dumps(shape, sort_keys=True, default=str), values, id(checkpointer), gated)
    agent = _agents.get(key)
    if agent is not None:
        _agents.move_to_end(key)
        return agent
    agent = _build(config, checkpointer, _tools(config), credentials, gated)
    _agents[key] = agent
    while len(_agents) > CACHE_SIZE:
        _agents.popitem(last=False)
    return agent


def _tools(config: RunConfig) -> list:
    """Its project tools, then a delegate_to_<slug> tool per sub-agent."""
    return [*get_tools(config.tools), *delegation_tools(config.sub_agents)]


def _build(
    config: RunConfig, checkpointer, tools, credentials: dict[str, str], gated_tools=()
) -> CompiledStateGraph:
    options, api_key = provider_key_split(config.model_options, credentials)
    model = resolve_chat_model(
        config.model,
        temperature=config.temperature,
        max_tokens=config.max_tokens,
        options=options,
        api_key=api_key,
    )
    return build_agent(
        model=model,
        tools=tools,
        instructions=config.instructions,
        checkpointer=checkpointer,
        max_tool_calls=config.max_tool_calls,
        model_spec=config.model,
        secrets=tuple(credentials.values()),
        gated_tools=gated_tools,
    )
