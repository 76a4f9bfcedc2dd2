"""A credential on a runner without the database: named in the agent, handed over
encrypted by the runner API, decrypted on the runner with the platform's keys, sent
to the provider, and nowhere else (not in the API's traffic in clear, not in the log)."""
import pytest
from cryptography.fernet import Fernet

from executions.models import Agent
from executions.services.credentials import credential_create
from tests.polyglot import recording
from tests.polyglot.conftest import runner_env
from tests.polyglot.transcripts import run
from tests.providers.servers.base import Stream, Turn
from tests.providers.servers.openai_chat import OpenAIChatServer

pytestmark = pytest.mark.django_db(transaction=True)
SECRET = "sk-remote-credential-7d41"


def test_a_credential_reaches_the_provider_through_the_runner_api(
    orchestration, platform_server, start_process, tmp_path, monkeypatch, settings
):
    # The platform's keys, which the runner is given too (never the database).
    keys = Fernet.generate_key().decode()
    settings.STIGMER_CREDENTIALS_KEYS = [keys]
    monkeypatch.setenv("STIGMER_CREDENTIALS_KEY", keys)
    credential_create(name="openai-prod", value=SECRET)
    server = OpenAIChatServer().start()
    server.script(Stream(Turn(text="Hello from the wire.", input_tokens=5, output_tokens=4)))
    agent = Agent.objects.create(
        slug="wire", name="Wire", model="openai:gpt-wire",
        model_options={"api_key": {"credential": "openai-prod"}},
    )
    env = runner_env(platform_server, tmp_path, OPENAI_BASE_URL=f"{server.url}/v1")
    env.pop("OPENAI_API_KEY", None)
    runner = start_process("runner", ["manage.py", "run_runner_worker"], env)
    runner.wait_for("runner worker polling")
    try:
        execution = run(agent, "hello")
    finally:
        server.stop()

    assert execution.phase == "COMPLETED", execution.error
    assert execution.output == "Hello from the wire."
    (request,) = server.requests
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    traffic = repr(recording.CALLS)
    assert "openai-prod" in traffic and SECRET not in traffic
    assert SECRET not in runner.output()
    assert SECRET not in repr(list(execution.events.values_list("data", flat=True)))
