"""GET /api/v1/tools/: every tool an agent may use, with its schema and source."""
import sys

import pytest

from executions.models import McpServer
from tests.conftest import free_port
from tests.mcp.conftest import SERVER

pytestmark = pytest.mark.django_db

URL = "/api/v1/tools/"


def by_name(body) -> dict:
    return {tool["name"]: tool for tool in body["tools"]}


def test_built_in_and_app_tools_are_listed_with_schema_and_source(api):
    tools = by_name(api.get(URL).json())

    assert tools["calculator"]["source"] == "built-in" and tools["calculator"]["app"] == "runner"
    refund = tools["refund_order"]
    assert (refund["source"], refund["app"], refund["server"]) == ("app", "toolapp", None)
    assert refund["description"] == "Refund one of the shop's orders."
    assert refund["schema"]["properties"]["number"]["type"] == "integer"
    assert "context" not in tools["whoami"]["schema"]["properties"]


def test_an_mcp_servers_tools_are_listed_namespaced_after_its_allowlist(api):
    McpServer.objects.create(
        name="tools", command=sys.executable, args=[str(SERVER)], enabled_tools=["add", "echo"]
    )

    body = api.get(URL).json()

    mcp = {name: tool for name, tool in by_name(body).items() if tool["source"] == "mcp"}
    assert sorted(mcp) == ["tools__add", "tools__echo"]
    assert mcp["tools__add"]["server"] == "tools"
    assert mcp["tools__add"]["description"] == "Add two integers."
    assert set(mcp["tools__add"]["schema"]["properties"]) == {"a", "b"}
    assert body["unreachable"] == []


def test_an_unreachable_server_is_reported_not_fatal(api):
    McpServer.objects.create(
        name="gone", transport="streamable_http", url=f"http://127.0.0.1:{free_port()}/mcp"
    )

    body = api.get(URL).json()

    assert body["unreachable"] == [{
        "server": "gone",
        "error": "MCP server 'gone' cannot be reached: ConnectError: All connection attempts failed",
    }]
    assert "calculator" in by_name(body)


def test_the_tool_list_needs_a_signed_in_user(anon):
    assert anon.get(URL).status_code == 401
