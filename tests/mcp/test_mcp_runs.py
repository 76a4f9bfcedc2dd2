"""MCP servers' tools in real runs (real workers, real servers on the official SDK)."""
import sys

import pytest

from executions.models import McpServer, Phase
from executions.services.executions import execution_create
from tests.mcp.conftest import agent_with
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


def run(agent, message):
    execution = execution_create(agent=agent, message=message)
    execution = wait_for_phase(execution, Phase.COMPLETED, Phase.FAILED, timeout=60)
    return execution, list(execution.events.order_by("sequence").values_list("type", "data"))


def first(events, kind):
    return next(data for type_, data in events if type_ == kind)


def test_a_stdio_servers_tool_is_called_and_recorded(workers, stdio_server):
    agent = agent_with(stdio_server, tools=["calculator"])

    execution, events = run(agent, 'call tools__echo with {"text": "hi"}')

    assert execution.phase == Phase.COMPLETED, execution.error
    started = first(events, "tool_call_started")
    assert (started["name"], started["args"]) == ("tools__echo", {"text": "hi"})
    assert first(events, "tool_call_completed")["result"] == "echo: hi (from env)"
    assert execution.output == "The tools__echo tool returned: echo: hi (from env)."


def test_a_tool_error_from_the_server_fails_the_call_not_the_run(workers, stdio_server):
    execution, events = run(agent_with(stdio_server), 'call tools__fail with {"reason": "out of stock"}')

    assert execution.phase == Phase.COMPLETED, execution.error
    assert "out of stock" in first(events, "tool_call_failed")["error"]


def test_a_tool_left_out_of_enabled_tools_is_not_offered(workers, stdio_server):
    execution, events = run(agent_with(stdio_server), "call tools__secret")

    assert execution.phase == Phase.COMPLETED, execution.error
    error = first(events, "tool_call_failed")["error"]
    assert error.startswith("Error: tools__secret is not a valid tool")
    assert "tools__echo" in error and "the secret tool ran" not in str(events)


def test_a_stdio_server_that_dies_mid_run_fails_it_naming_the_server(workers, stdio_server):
    execution, _ = run(agent_with(stdio_server), "call tools__die")

    assert execution.phase == Phase.FAILED
    assert execution.error == (
        "agent failed: McpServerError: MCP server 'tools' closed the connection during tools__die"
    )


def test_a_stdio_server_that_cannot_start_fails_the_run_naming_it(workers, db):
    broken = McpServer.objects.create(name="broken", command="/nonexistent/mcp-server")

    execution, _ = run(agent_with(broken), "hello")

    assert execution.phase == Phase.FAILED
    assert execution.error.startswith("MCP server 'broken' cannot be reached: FileNotFoundError")


def test_a_streamable_http_servers_tool_is_called(workers, http_server):
    execution, events = run(agent_with(http_server), 'call web__add with {"a": 2, "b": 40}')

    assert execution.phase == Phase.COMPLETED, execution.error
    assert first(events, "tool_call_completed")["result"] == "42"


def test_streamable_http_enabled_tools_are_enforced(workers, http_server):
    execution, events = run(agent_with(http_server), 'call web__echo with {"text": "x"}')

    assert first(events, "tool_call_failed")["error"].startswith("Error: web__echo is not a valid tool")


def test_a_streamable_http_server_that_dies_mid_run_fails_it(workers, http_server, monkeypatch):
    monkeypatch.setenv("STIGMER_MCP_PING_SECONDS", "0.5")

    execution, _ = run(agent_with(http_server), "call web__die")

    assert execution.phase == Phase.FAILED
    assert execution.error.startswith(
        "agent failed: McpServerError: MCP server 'web' stopped during web__die:"
    )


def test_a_busy_server_that_answers_pings_late_is_not_taken_for_dead(workers, http_server, monkeypatch):
    monkeypatch.setenv("STIGMER_MCP_PING_SECONDS", "0.3")

    execution, events = run(agent_with(http_server), 'call web__busy with {"seconds": 2}')

    assert execution.phase == Phase.COMPLETED, execution.error
    assert first(events, "tool_call_completed")["result"] == "busy for 2.0 s"


def test_an_unreachable_streamable_http_server_fails_the_run_naming_it(workers, db):
    from tests.conftest import free_port

    gone = McpServer.objects.create(
        name="gone", transport="streamable_http", url=f"http://127.0.0.1:{free_port()}/mcp"
    )

    execution, _ = run(agent_with(gone), "hello")

    assert execution.phase == Phase.FAILED
    assert execution.error == "MCP server 'gone' cannot be reached: ConnectError: All connection attempts failed"


def silent_server(name="silent"):
    """A process that starts but never speaks MCP."""
    return McpServer.objects.create(
        name=name, command=sys.executable, args=["-c", "import time; time.sleep(120)"]
    )


def test_a_server_that_never_answers_fails_the_run_after_the_connect_timeout(workers, monkeypatch):
    monkeypatch.setenv("STIGMER_MCP_CONNECT_TIMEOUT_SECONDS", "1")

    execution, _ = run(agent_with(silent_server()), "hello")

    assert execution.phase == Phase.FAILED
    assert execution.error == "MCP server 'silent' cannot be reached: no answer within 1 s"


def test_a_run_cancelled_while_its_server_starts_ends_cancelled(workers):
    from executions.services.executions import execution_cancel

    execution = execution_create(agent=agent_with(silent_server()), message="hello")
    wait_for_phase(execution, Phase.IN_PROGRESS)
    execution_cancel(execution=execution)

    execution = wait_for_phase(execution, Phase.CANCELLED, Phase.FAILED, timeout=30)
    assert execution.phase == Phase.CANCELLED
