"""Wire-format servers for each provider in the README, started per test on
127.0.0.1, with the provider's settings pointed at them."""
from dataclasses import dataclass

import pytest

from runner.llms.providers import PROVIDER_ENV
from tests.providers.servers.anthropic_messages import AnthropicMessagesServer
from tests.providers.servers.base import WireServer
from tests.providers.servers.ollama_chat import OllamaChatServer
from tests.providers.servers.openai_chat import OpenAIChatServer

KEY = "sk-wire-test-3f9a1c"  # tests search every surface for it


@dataclass(frozen=True)
class Provider:
    name: str
    server: type[WireServer]
    model: str
    base_url: str  # the server's URL plus the path the provider's base URL carries

    @property
    def spec(self) -> str:
        return f"{self.name}:{self.model}"


PROVIDERS = {
    p.name: p
    for p in [
        Provider("openai", OpenAIChatServer, "gpt-wire", "{url}/v1"),
        Provider("openai-compatible", OpenAIChatServer, "qwen-wire", "{url}/v1"),
        Provider("anthropic", AnthropicMessagesServer, "claude-wire", "{url}"),
        Provider("ollama", OllamaChatServer, "llama-wire", "{url}"),
    ]
}


@pytest.fixture
def wire(monkeypatch):
    """wire(name) -> a started server that provider `name` now talks to."""
    for key_env, url_env in PROVIDER_ENV.values():
        monkeypatch.delenv(key_env, raising=False)
        monkeypatch.delenv(url_env, raising=False)
    # Fast backoff; tests that need the defaults' shape set their own.
    monkeypatch.setenv("STIGMER_MODEL_BACKOFF_SECONDS", "0.05")
    servers: list[WireServer] = []

    def start(name: str) -> WireServer:
        provider = PROVIDERS[name]
        server = provider.server().start()
        servers.append(server)
        key_env, url_env = PROVIDER_ENV[name]
        monkeypatch.setenv(key_env, KEY)
        monkeypatch.setenv(url_env, provider.base_url.format(url=server.url))
        return server

    yield start
    for server in servers:
        server.stop()
