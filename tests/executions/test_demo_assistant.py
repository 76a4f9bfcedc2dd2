"""`make run`'s assistant agent: a project tool and the repo's MCP server over stdio."""
import pytest

from executions.models import Phase
from executions.services.bootstrap import assistant_agent_ensure, demo_mcp_server_ensure
from executions.services.executions import execution_create
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


def run(agent, message):
    execution = wait_for_phase(execution_create(agent=agent, message=message), Phase.COMPLETED, Phase.FAILED)
    return execution, list(execution.events.order_by("sequence").values_list("type", "data"))


def test_the_assistant_is_seeded_once_with_its_tools_and_server(db):
    agent = assistant_agent_ensure()
    assert agent.tools == ["calculator", "platform_status"]
    assert [s.name for s in agent.mcp_servers.all()] == ["toolbox"]
    assert assistant_agent_ensure().pk == agent.pk
    assert demo_mcp_server_ensure().args[0].endswith("runner/mcp/demo_server.py")


def test_the_assistant_calls_the_demo_mcp_server_over_stdio(workers):
    execution, events = run(
        assistant_agent_ensure(), 'call toolbox__word_count with {"text": "durable agents on Django"}'
    )
    assert execution.phase == Phase.COMPLETED, execution.error
    result = next(data for kind, data in events if kind == "tool_call_completed")["result"]
    assert result == "4 words, 1 line, 24 characters"


def test_the_assistants_project_tool_reads_the_orm_and_its_context(workers):
    execution, events = run(assistant_agent_ensure(), "call platform_status")
    assert execution.phase == Phase.COMPLETED, execution.error
    result = next(data for kind, data in events if kind == "tool_call_completed")["result"]
    assert result == "executions: 1 IN_PROGRESS; this conversation (assistant): 1 turn(s)"
