"""The admin's agent form offers tools and MCP servers as checkboxes; MCP servers' pages list their tools."""
import sys

import pytest

from executions.models import Agent, McpServer
from tests.mcp.conftest import SERVER

pytestmark = pytest.mark.django_db

ADD = "/admin/executions/agent/add/"
FORM = {"slug": "helper", "name": "Helper", "model": "scripted:demo", "model_options": "{}",
        "execution_timeout_seconds": "600", "max_tool_calls": "25", "multitask_strategy": "enqueue",
        "enabled": "on"}


def test_the_agent_form_offers_tools_and_servers_as_checkboxes(admin_client):
    McpServer.objects.create(name="files", command="x", description="Reads the team's files.")

    page = admin_client.get(ADD).content.decode()

    assert 'type="checkbox" name="tools" value="calculator"' in page
    assert 'calculator — Evaluate an arithmetic expression such as &quot;(2 + 3) * 4&quot;' in page
    assert "refund_order — Refund one of the shop&#x27;s orders. (app: toolapp)" in page
    assert 'type="checkbox" name="mcp_servers"' in page
    assert "files — Reads the team&#x27;s files. (its tools are named files__&lt;tool&gt;)" in page


def test_checked_tools_and_servers_are_saved(admin_client):
    server = McpServer.objects.create(name="files", command="x")

    response = admin_client.post(ADD, {**FORM, "tools": ["calculator", "refund_order"],
                                       "mcp_servers": [server.pk]})

    assert response.status_code == 302, response.context["adminform"].form.errors
    agent = Agent.objects.get(slug="helper")
    assert agent.tools == ["calculator", "refund_order"]
    assert list(agent.mcp_servers.all()) == [server]


def test_a_tool_no_longer_registered_is_a_field_error(admin_client):
    agent = Agent.objects.create(slug="old", name="Old", tools=["retired_tool"])

    response = admin_client.post(f"/admin/executions/agent/{agent.pk}/change/",
                                 {**FORM, "slug": "old", "tools": ["retired_tool"]})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "retired_tool is not one of the available choices" in str(errors["tools"])


def test_the_model_refuses_an_unknown_tool_whatever_saves_it():
    agent = Agent(slug="x", name="X", tools=["calculator", "nope"])
    with pytest.raises(Exception) as caught:
        agent.full_clean()
    assert "Unknown tools: nope." in caught.value.message_dict["tools"][0]


def test_an_mcp_servers_page_lists_the_tools_it_offers(admin_client):
    server = McpServer.objects.create(
        name="tools", command=sys.executable, args=[str(SERVER)], enabled_tools=["add"]
    )

    page = admin_client.get(f"/admin/executions/mcpserver/{server.pk}/change/").content.decode()

    assert "<li><code>add</code> — Add two integers. (enabled)</li>" in page
    assert "<code>secret</code> — A tool the tests leave out of the allowlist. (not enabled)" in page


def test_an_unreachable_servers_page_says_why(admin_client):
    server = McpServer.objects.create(name="broken", command="/nonexistent/server")

    page = admin_client.get(f"/admin/executions/mcpserver/{server.pk}/change/").content.decode()

    assert "MCP server &#x27;broken&#x27; cannot be reached: FileNotFoundError" in page
