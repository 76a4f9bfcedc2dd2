"""Compiled agents are reused per configuration, rebuilt when it changes."""
import dataclasses

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from executions.selectors import RunConfig, RunContext
from runner.agents import agent_for

CONFIG = RunConfig(
    phase="PENDING",
    context=RunContext(execution_id="e", session_id="s", agent_id=1, agent_slug="a", owner_id=None), model="scripted:demo", instructions="Be brief.", tools=["calculator"],
    temperature=None, max_tokens=None, model_options={}, max_tool_calls=5,
)


def test_the_same_configuration_reuses_the_compiled_agent():
    saver = InMemorySaver()
    first = agent_for(CONFIG, saver)
    assert agent_for(dataclasses.replace(CONFIG, phase="IN_PROGRESS"), saver) is first
    another_run = dataclasses.replace(CONFIG.context, execution_id="e2", session_id="s2")
    assert agent_for(dataclasses.replace(CONFIG, context=another_run), saver) is first


@pytest.mark.parametrize("change", [
    {"instructions": "Be verbose."}, {"tools": []}, {"model_options": {"token_delay": 0.1}},
    {"max_tool_calls": 6}, {"model": "scripted:long"},
])
def test_a_changed_configuration_builds_a_new_agent(change):
    saver = InMemorySaver()
    assert agent_for(dataclasses.replace(CONFIG, **change), saver) is not agent_for(CONFIG, saver)


def test_another_checkpointer_gets_its_own_agent():
    assert agent_for(CONFIG, InMemorySaver()) is not agent_for(CONFIG, InMemorySaver())


def test_a_misconfigured_agent_raises_value_error():
    with pytest.raises(ValueError):
        agent_for(dataclasses.replace(CONFIG, model="nosuchprovider:x"), InMemorySaver())
