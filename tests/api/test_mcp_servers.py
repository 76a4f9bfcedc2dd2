"""/api/v1/mcp-servers/ (the mcpserver permissions) and agents naming their servers."""
import pytest

from executions.models import Agent, McpServer
from tests.api.conftest import _user, client_for, with_perms

pytestmark = pytest.mark.django_db

URL = "/api/v1/mcp-servers/"
STDIO = {"name": "files", "transport": "stdio", "command": "/usr/bin/mcp-files",
         "args": ["--root", "/srv"], "env": {"LEVEL": "1"}, "enabled_tools": ["read"]}


@pytest.fixture
def root(db):
    """Manages MCP servers and agents."""
    user = with_perms(_user("ops", is_staff=True), *(
        f"{act}_{model}" for act in ("view", "add", "change", "delete") for model in ("mcpserver", "agent")
    ))
    return client_for(user)


def test_staff_create_read_update_and_delete_a_server(root):
    created = root.post(URL, STDIO, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["enabled_tools"] == ["read"] and created.json()["agents"] == []
    assert [s["name"] for s in root.get(URL).json()["results"]] == ["files"]
    patched = root.patch(f"{URL}files/", {"enabled_tools": []}, format="json")
    assert patched.json()["enabled_tools"] == []
    http = {"name": "files", "transport": "streamable_http", "url": "https://mcp.example.com/mcp",
            "headers": {"X-Team": "a"}}
    assert root.put(f"{URL}files/", http, format="json").json()["url"] == http["url"]
    assert root.delete(f"{URL}files/").status_code == 204
    assert not McpServer.objects.exists()


def test_without_the_permissions_even_staff_are_refused(api, staff):
    McpServer.objects.create(name="files", command="x")
    for client in (api, client_for(staff)):
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}files/").status_code == 403
        assert client.post(URL, STDIO, format="json").status_code == 403


def test_the_view_permission_reads_but_does_not_write(db):
    reader = client_for(with_perms(_user("reader"), "view_mcpserver"))
    McpServer.objects.create(name="files", command="x")
    assert reader.get(f"{URL}files/").status_code == 200
    assert reader.patch(f"{URL}files/", {"command": "y"}, format="json").status_code == 403


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"command": ""}, "command", "needs the command"),
    ({"transport": "streamable_http", "url": ""}, "url", "needs its URL"),
    ({"name": "two__parts"}, "name", "no '__'"),
    ({"name": "Upper"}, "name", "Lower-case"),
    ({"env": {"A": 1}}, "env", "Not a valid string"),
    ({"transport": "sse"}, "transport", "not a valid choice"),
    ({"surprise": 1}, "surprise", "Unknown field"),
])
def test_bad_input_is_a_400_on_the_field(root, change, field, message):
    response = root.post(URL, {**STDIO, **change}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert message in str(fields[field]), fields
    assert not McpServer.objects.exists()


def test_an_agent_names_its_servers_and_unknown_ones_are_refused(root):
    McpServer.objects.create(name="files", command="x")
    agent = {"slug": "helper", "name": "Helper", "mcp_servers": ["files"]}
    created = root.post("/api/v1/agents/", agent, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["mcp_servers"] == ["files"]
    assert root.get(f"{URL}files/").json()["agents"] == ["helper"]

    refused = root.patch("/api/v1/agents/helper/", {"mcp_servers": ["files", "nope"]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["mcp_servers"] == ["Unknown MCP servers: nope."]
    assert list(Agent.objects.get(slug="helper").mcp_servers.values_list("name", flat=True)) == ["files"]


def test_an_agent_naming_an_unknown_tool_is_refused_with_a_field_error(root):
    response = root.post("/api/v1/agents/", {"slug": "x", "name": "X", "tools": ["calculator", "rm_rf"]},
                         format="json")
    assert response.status_code == 400
    [message] = response.json()["error"]["fields"]["tools"]
    assert message.startswith("Unknown tools: rm_rf. Registered: blocking, calculator,")


@pytest.mark.parametrize(("field", "value"), [
    ("env", {"": "x"}), ("env", {"A=B": "x"}), ("headers", {"Bad Header": "x"}),
])
def test_invalid_env_and_header_names_are_refused(root, field, value):
    response = root.post(URL, {**STDIO, field: value}, format="json")
    assert response.status_code == 400
    assert "invalid names" in str(response.json()["error"]["fields"][field])
