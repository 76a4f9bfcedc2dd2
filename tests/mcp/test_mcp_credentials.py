"""MCP servers' env values and headers may refer to credentials: resolved on the runner, per
run, sent to the real server, and found nowhere else."""
import hashlib
import sys

import pytest
from django.core.exceptions import ValidationError

from executions.errors import CredentialInUse
from executions.models import McpServer, Phase
from executions.services.credentials import credential_create, credential_delete, credential_rotate
from executions.services.executions import execution_create
from tests.api.conftest import _user, client_for, with_perms
from tests.leaks import assert_nowhere, distinctive, history_bytes, log_texts, logs, stored_texts  # noqa: F401
from tests.mcp.conftest import SERVER, agent_with, serving_http
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


def run(agent, message):
    execution = execution_create(agent=agent, message=message)
    return wait_for_phase(execution, Phase.COMPLETED, Phase.FAILED, timeout=60)


def result_of(execution) -> str:
    return next(d["result"] for t, d in execution.events.values_list("type", "data") if t == "tool_call_completed")


def test_a_stdio_servers_env_credential_reaches_it_and_nothing_else(workers, logs):
    secret = distinctive("mcp-env")
    credential_create(name="mcp-env-token", value=secret)
    server = McpServer(
        name="tools", transport="stdio", command=sys.executable, args=[str(SERVER), "stdio"],
        env={"TOKEN": {"credential": "mcp-env-token"}}, enabled_tools=["token_digest"],
    )
    server.full_clean()
    server.save()

    execution = run(agent_with(server), "call tools__token_digest with {}")

    assert execution.phase == Phase.COMPLETED, execution.error
    assert result_of(execution) == hashlib.sha256(secret.encode()).hexdigest()[:16]
    history = history_bytes(execution.workflow_id)
    assert_nowhere(secret, history=history, texts=stored_texts(execution) + log_texts(logs))


def test_an_http_servers_header_credential_is_sent_and_its_rotation_applies(workers, logs):
    token = distinctive("mcp-header")
    credential = credential_create(name="mcp-header", value=f"Bearer {token}")
    with serving_http({"REQUIRED_TOKEN": token}) as (_, url):
        server = McpServer(
            name="web", transport="streamable_http", url=url,
            headers={"Authorization": {"credential": "mcp-header"}}, enabled_tools=["add"],
        )
        server.full_clean()
        server.save()
        agent = agent_with(server)

        accepted = run(agent, 'call web__add with {"a": 2, "b": 3}')
        credential_rotate(credential=credential, value="Bearer not-the-token")
        refused = run(agent, 'call web__add with {"a": 2, "b": 3}')

    assert accepted.phase == Phase.COMPLETED, accepted.error
    assert result_of(accepted) == "5"
    assert refused.phase == Phase.FAILED
    assert refused.error.startswith("MCP server 'web' cannot be reached")
    for execution in (accepted, refused):
        history = history_bytes(execution.workflow_id)
        assert_nowhere(token, history=history, texts=stored_texts(execution) + log_texts(logs))


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("headers", {"Authorization": {"credential": "ghost"}}, "Unknown credentials: ghost."),
        ("env", {"TOKEN": {"credential": 5}}, "credential references"),
        ("env", {"TOKEN": {"credential": "x", "extra": 1}}, "credential references"),
    ],
)
def test_unknown_or_malformed_references_are_refused(field, value, message):
    server = McpServer(name="web", transport="streamable_http", url="http://mcp.example/mcp")
    setattr(server, field, value)
    with pytest.raises(ValidationError) as error:
        server.full_clean()
    assert any(message in text for text in error.value.message_dict[field])


def test_plain_values_and_references_to_existing_credentials_are_accepted():
    credential_create(name="mcp-header", value="Bearer x")
    server = McpServer(
        name="web", transport="streamable_http", url="http://mcp.example/mcp",
        headers={"Authorization": {"credential": "mcp-header"}, "X-Team": "a"},
    )
    server.full_clean()


def test_a_credential_an_mcp_server_uses_cannot_be_deleted():
    credential = credential_create(name="mcp-header", value="Bearer x")
    McpServer.objects.create(
        name="web", transport="streamable_http", url="http://mcp.example/mcp",
        headers={"Authorization": {"credential": "mcp-header"}},
    )
    with pytest.raises(CredentialInUse, match="MCP server web"):
        credential_delete(credential=credential)


def test_the_api_takes_references_and_the_tool_list_does_not_connect_with_them(db):
    ops = with_perms(
        _user("ops", is_staff=True), "view_mcpserver", "add_mcpserver", "add_credential", "view_credential"
    )
    api = client_for(ops)
    assert api.post("/api/v1/credentials/", {"name": "mcp-header", "value": "Bearer x"}, format="json").status_code == 201
    server = {"name": "web", "transport": "streamable_http", "url": "http://127.0.0.1:9/mcp",
              "headers": {"Authorization": {"credential": "mcp-header"}}}

    created = api.post("/api/v1/mcp-servers/", server, format="json")
    unknown = api.post(
        "/api/v1/mcp-servers/", {**server, "name": "other", "headers": {"A": {"credential": "ghost"}}}, format="json"
    )
    malformed = api.post(
        "/api/v1/mcp-servers/", {**server, "name": "third", "headers": {"A": {"credential": 5}}}, format="json"
    )
    listing = api.get("/api/v1/tools/").json()

    assert created.status_code == 201, created.json()
    assert created.json()["headers"] == {"Authorization": {"credential": "mcp-header"}}
    assert unknown.status_code == 400 and "ghost" in str(unknown.json()["error"]["fields"]["headers"])
    assert malformed.status_code == 400 and "credential reference" in str(malformed.json()["error"]["fields"])
    (reported,) = listing["unreachable"]
    assert reported["server"] == "web" and "only the runner reads" in reported["error"]
