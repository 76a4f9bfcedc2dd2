"""Credentials on the real wire: the runner sends the key, and it appears nowhere else.

An agent on the `openai` provider points at a local server speaking OpenAI's chat-completions
format (tests/providers/servers), which records the Authorization header of every request and
answers as scripted, or refuses with the key quoted, as a careless server might. No provider
key is in the environment: the credential is the only source. Runs go through real Temporal
and real workers; then the secret is searched for in the workflow
history (every event's bytes, so payloads too), the API's responses, the admin's pages, the
event log and every log record captured meanwhile.
"""
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from executions.models import Agent, AgentExecution, Credential, Phase
from runner.redaction import REDACTED
from tests.api.conftest import client_for
from tests.leaks import (  # noqa: F401  (logs is a fixture)
    assert_nowhere,
    checkpoint_bytes,
    distinctive,
    history_bytes,
    log_texts,
    logs,
    stored_texts,
)
from runner.llms.providers import PROVIDER_ENV
from tests.providers.servers.base import Error, Stream, Turn
from tests.providers.servers.openai_chat import OpenAIChatServer
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def root(transactional_db):
    return get_user_model().objects.create_superuser("root", "", "pw")


@pytest.fixture
def api(root):
    return client_for(root)


@pytest.fixture
def admin(root):
    client = Client()
    client.force_login(root)
    return client


ANSWER = "Hello from the wire."


@pytest.fixture
def wire(monkeypatch):
    for key_env, url_env in PROVIDER_ENV.values():
        monkeypatch.delenv(key_env, raising=False)
        monkeypatch.delenv(url_env, raising=False)
    server = OpenAIChatServer().start()
    yield server
    server.stop()


def answering(server: OpenAIChatServer) -> OpenAIChatServer:
    return server.script(Stream(Turn(text=ANSWER, input_tokens=5, output_tokens=4)))


def keys_sent(server: OpenAIChatServer) -> list[str]:
    return [request.headers.get("authorization") for request in server.requests]


def setup_agent(api, wire, secret: str) -> None:
    created = api.post("/api/v1/credentials/", {"name": "openai-wire", "value": secret}, format="json")
    assert created.status_code == 201, created.json()
    options = {"base_url": f"{wire.url}/v1", "api_key": {"credential": "openai-wire"}}
    agent = {"slug": "wired", "name": "Wired", "model": "openai:gpt-wire", "model_options": options}
    response = api.post("/api/v1/agents/", agent, format="json")
    assert response.status_code == 201, response.json()


def run(api, message: str, *phases) -> AgentExecution:
    created = api.post("/api/v1/executions/", {"agent": "wired", "message": message}, format="json")
    assert created.status_code == 201, created.json()
    execution = AgentExecution.objects.get(pk=created.json()["id"])
    return wait_for_phase(execution, *phases)


def api_texts(api, execution: AgentExecution) -> list[str]:
    paths = [
        "/api/v1/agents/", "/api/v1/agents/wired/", "/api/v1/credentials/",
        "/api/v1/credentials/openai-wire/", f"/api/v1/executions/{execution.pk}/",
        f"/api/v1/executions/{execution.pk}/events/", f"/api/v1/executions/{execution.pk}/stream/",
        f"/api/v1/sessions/{execution.session_id}/executions/",
    ]
    responses = [api.get(path) for path in paths]
    assert [r.status_code for r in responses] == [200] * len(paths)
    return [body(r).decode() for r in responses]


def body(response) -> bytes:
    if not response.streaming:
        return response.content

    async def collect(chunks):  # the SSE stream is an async iterator; it ends after the phase
        return b"".join([chunk async for chunk in chunks])

    return async_to_sync(collect)(response.streaming_content)


def admin_texts(admin, execution: AgentExecution) -> list[str]:
    agent = Agent.objects.get(slug="wired")
    credential = Credential.objects.get(name="openai-wire")
    urls = [
        reverse("admin:executions_agent_change", args=[agent.pk]),
        reverse("admin:executions_agent_changelist"),
        reverse("admin:executions_credential_change", args=[credential.pk]),
        reverse("admin:executions_credential_changelist"),
        reverse("admin:executions_agentexecution_change", args=[execution.pk]),
        reverse("admin:executions_credential_history", args=[credential.pk]),
        reverse("admin:index"),
    ]
    responses = [admin.get(url) for url in urls]
    assert [r.status_code for r in responses] == [200] * len(urls)
    return [r.content.decode() for r in responses]


def test_the_key_reaches_the_provider_and_nothing_else(workers, api, admin, wire, logs, settings):
    secret = distinctive("leak")
    answering(wire)
    setup_agent(api, wire, secret)
    marker = uuid.uuid4().hex

    execution = run(api, f"Say hello ({marker})", Phase.COMPLETED, Phase.FAILED)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert execution.output == ANSWER
    assert keys_sent(wire) == [f"Bearer {secret}"]
    history = history_bytes(execution.workflow_id)
    assert marker.encode() in history  # the search does see the payloads
    checkpoints = checkpoint_bytes(settings)
    assert marker.encode() in checkpoints  # and the stored conversation
    texts = api_texts(api, execution) + admin_texts(admin, execution)
    texts += stored_texts(execution) + log_texts(logs)
    assert_nowhere(secret, history=history, texts=texts, stored=checkpoints)
    assert Credential.objects.get(name="openai-wire").value_encrypted.find(secret) == -1


def test_rotation_is_used_by_the_next_run_without_a_restart(workers, api, wire, logs):
    first, second = distinctive("first"), distinctive("second")
    answering(answering(wire))
    setup_agent(api, wire, first)
    assert run(api, "one", Phase.COMPLETED, Phase.FAILED).phase == Phase.COMPLETED

    rotated = api.patch("/api/v1/credentials/openai-wire/", {"value": second}, format="json")
    assert rotated.status_code == 200 and second not in rotated.content.decode()
    execution = run(api, "two", Phase.COMPLETED, Phase.FAILED)

    assert execution.phase == Phase.COMPLETED, execution.error
    assert keys_sent(wire) == [f"Bearer {first}", f"Bearer {second}"]
    history = history_bytes(execution.workflow_id)
    assert_nowhere(second, history=history, texts=stored_texts(execution) + log_texts(logs))


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_echoed_by_the_provider_is_redacted(workers, api, admin, wire, logs, settings, status):
    secret = distinctive("refused")
    wire.script(Error(status, f"Incorrect API key provided: {secret}."))
    setup_agent(api, wire, secret)

    execution = run(api, "hello", Phase.FAILED, Phase.COMPLETED)

    assert execution.phase == Phase.FAILED
    assert keys_sent(wire) == [f"Bearer {secret}"]  # the server saw it, and echoed it
    assert str(status) in execution.error
    if status == 403:  # the provider's own message is kept, the key cut out of it
        assert f"Incorrect API key provided: {REDACTED}" in execution.error
    history = history_bytes(execution.workflow_id)
    texts = api_texts(api, execution) + admin_texts(admin, execution)
    texts += stored_texts(execution) + log_texts(logs)
    assert_nowhere(secret, history=history, texts=texts, stored=checkpoint_bytes(settings))


def test_a_value_quoted_by_a_model_that_refuses_its_options_is_redacted(workers, api, logs):
    """Pydantic quotes the input it refuses: the scripted model takes no default_headers."""
    secret = distinctive("misfit")
    api.post("/api/v1/credentials/", {"name": "misfit", "value": secret}, format="json")
    agent = {"slug": "wired", "name": "Wired", "model": "scripted:demo",
             "model_options": {"default_headers": {"X-Token": {"credential": "misfit"}}}}
    assert api.post("/api/v1/agents/", agent, format="json").status_code == 201

    execution = run(api, "hello", Phase.FAILED, Phase.COMPLETED)

    assert execution.phase == Phase.FAILED
    assert execution.error.startswith("agent misconfigured:") and REDACTED in execution.error
    history = history_bytes(execution.workflow_id)
    assert_nowhere(secret, history=history, texts=stored_texts(execution) + log_texts(logs))
