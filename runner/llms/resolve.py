"""Turn a `provider:model` string into a chat model; the one place providers are chosen.

Provider packages are imported lazily so a worker only needs the ones it uses. Client retries
are switched off everywhere: Temporal retries the activity, and two retry layers multiply.
"""

import os
from typing import Any

from langchain_core.language_models import BaseChatModel

from runner.llms.scripted import ScriptedChatModel

COMPATIBLE_BASE_URL_ENV = "STIGMER_OPENAI_COMPATIBLE_BASE_URL"
COMPATIBLE_API_KEY_ENV = "STIGMER_OPENAI_COMPATIBLE_API_KEY"

PROVIDERS = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "ollama": "Ollama, local server",
    "openai-compatible": "OpenAI-compatible endpoint",
    "scripted": "offline scripted model",
}


class UnknownModelError(ValueError):
    """A model spec that cannot become a chat model: malformed, unknown provider, or a
    provider that is not configured (missing credentials, base URL or package)."""


def parse_model_spec(spec: str) -> tuple[str, str]:
    """Split "provider:model" into its parts; the model part may itself contain colons."""
    provider, sep, model = spec.strip().partition(":")
    if not sep or not provider or not model:
        raise UnknownModelError(
            f"malformed model {spec!r}: expected 'provider:model', e.g. 'scripted:demo'"
        )
    if provider not in PROVIDERS:
        raise UnknownModelError(
            f"unknown model provider {provider!r} in {spec!r}; "
            f"known providers: {', '.join(PROVIDERS)}"
        )
    return provider, model


def is_offline(spec: str) -> bool:
    """True when the model needs no network or credentials (the scripted provider)."""
    return parse_model_spec(spec)[0] == "scripted"


def describe_model(spec: str) -> str:
    """A human label, e.g. "scripted:demo (offline scripted model)"."""
    provider, model = parse_model_spec(spec)
    return f"{provider}:{model} ({PROVIDERS[provider]})"


def resolve_chat_model(
    spec: str,
    *,
    temperature: float | None = None,
    max_tokens: int | None = None,
    options: dict[str, Any] | None = None,
) -> BaseChatModel:
    """Build the chat model for `spec`; `options` go to the provider's constructor.

    Building makes no network call, so whatever fails here (missing credentials or provider
    package, a bad option) is configuration and is raised as UnknownModelError, a ValueError
    that callers can treat as not worth retrying.
    """
    provider, model = parse_model_spec(spec)
    kwargs: dict[str, Any] = dict(options or {})
    try:
        return _build(provider, model, temperature, max_tokens, kwargs)
    except UnknownModelError:
        raise
    except Exception as exc:
        raise UnknownModelError(f"cannot set up model {spec!r}: {exc}") from exc


def _build(
    provider: str,
    model: str,
    temperature: float | None,
    max_tokens: int | None,
    kwargs: dict[str, Any],
) -> BaseChatModel:
    if provider == "scripted":
        # Sampling settings mean nothing to a script; only its own options apply.
        return ScriptedChatModel(name=model, **kwargs)
    if temperature is not None:
        kwargs["temperature"] = temperature
    if provider == "ollama":
        from langchain_ollama import ChatOllama

        # The ollama client makes one HTTP attempt per call: there is no retry to disable.
        if max_tokens is not None:
            kwargs["num_predict"] = max_tokens
        return ChatOllama(model=model, **kwargs)

    if max_tokens is not None:
        kwargs["max_tokens"] = max_tokens
    kwargs["max_retries"] = 0
    if provider == "anthropic":
        from langchain_anthropic import ChatAnthropic

        return ChatAnthropic(model=model, **kwargs)

    from langchain_openai import ChatOpenAI

    if provider == "openai-compatible":
        base_url = os.environ.get(COMPATIBLE_BASE_URL_ENV)
        if not base_url:
            raise UnknownModelError(
                f"'{provider}:{model}' needs {COMPATIBLE_BASE_URL_ENV} set to the server's base URL"
            )
        kwargs.setdefault("base_url", base_url)
        kwargs.setdefault("api_key", os.environ.get(COMPATIBLE_API_KEY_ENV) or "unused")
    return ChatOpenAI(model=model, **kwargs)
