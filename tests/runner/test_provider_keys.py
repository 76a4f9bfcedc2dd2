"""A provider's key: the agent's credential when it names one, else the runner's environment."""
import pytest

from runner.llms.providers import PROVIDER_ENV
from runner.llms.resolve import resolve_chat_model

KEY = "sk-credential-1b2c3d4e"


@pytest.fixture(autouse=True)
def environment_keys(monkeypatch):
    for key_env, url_env in PROVIDER_ENV.values():
        monkeypatch.delenv(key_env, raising=False)
        monkeypatch.delenv(url_env, raising=False)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-from-env")


@pytest.mark.parametrize(
    ("spec", "key_of"),
    [
        ("openai:gpt-4o-mini", lambda model: model.openai_api_key.get_secret_value()),
        ("anthropic:claude-x", lambda model: model.anthropic_api_key.get_secret_value()),
        ("ollama:llama3.2", lambda model: model.client_kwargs["headers"]["Authorization"]),
    ],
)
def test_the_credential_is_the_key_and_wins_over_the_environment(spec, key_of):
    model = resolve_chat_model(spec, api_key=KEY)
    assert key_of(model) in (KEY, f"Bearer {KEY}")


def test_without_a_credential_the_environment_key_is_used():
    model = resolve_chat_model("anthropic:claude-x")
    assert model.anthropic_api_key.get_secret_value() == "sk-from-env"
