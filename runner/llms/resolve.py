"""Turn a `provider:model` string into a chat model; the one place providers are chosen.

Provider packages are imported lazily so a worker only needs the ones it uses. Client retries
are switched off everywhere: model calls are retried in one place, inside the run
(runner/llms/retry.py), and two retry layers multiply.
"""

from typing import Any

from langchain_core.language_models import BaseChatModel

from runner.llms.providers import PROVIDER_ENV, provider_api_key, provider_base_url
from runner.llms.scripted import ScriptedChatModel

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
    api_key: str | None = None,
) -> BaseChatModel:
    """Build the chat model for `spec`; `options` go to the provider's constructor, `api_key`
    (the agent's credential, resolved for this run) overrides the environment's key.

    Building makes no network call, so whatever fails here (missing credentials or provider
    package, a bad option) is configuration and is raised as UnknownModelError, a ValueError
    that callers can treat as not worth retrying.
    """
    provider, model = parse_model_spec(spec)
    kwargs: dict[str, Any] = dict(options or {})
    try:
        return _build(provider, model, temperature, max_tokens, kwargs, api_key)
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
    credential: str | None,
) -> BaseChatModel:
    if provider == "scripted":
        # Sampling settings mean nothing to a script; only its own options apply.
        return ScriptedChatModel(name=model, **kwargs)
    if temperature is not None:
        kwargs["temperature"] = temperature
    api_key, base_url = provider_api_key(provider, credential), provider_base_url(provider)
    if provider == "ollama":
        from langchain_ollama import ChatOllama

        # The ollama client makes one HTTP attempt per call: there is no retry to disable.
        if max_tokens is not None:
            kwargs["num_predict"] = max_tokens
        if base_url:
            kwargs.setdefault("base_url", base_url)
        if api_key:  # hosted Ollama; a local server needs none
            kwargs.setdefault("client_kwargs", {"headers": {"Authorization": f"Bearer {api_key}"}})
        return ChatOllama(model=model, **kwargs)

    if max_tokens is not None:
        kwargs["max_tokens"] = max_tokens
    kwargs["max_retries"] = 0
    if base_url:
        kwargs.setdefault("base_url", base_url)
    if provider == "openai-compatible":
        if not base_url:
            raise UnknownModelError(
                f"'{provider}:{model}' needs {PROVIDER_ENV[provider][1]} set to the server's base URL"
            )
        api_key = api_key or "unused"  # many local servers take no key
    if not api_key:
        raise UnknownModelError(
            f"'{provider}:{model}' needs {PROVIDER_ENV[provider][0]} set or an api_key credential"
        )
    # Only from provider_api_key: a key in model_options would sit in the database and the admin
    # (a credential reference there is resolved by the runner and arrives as `credential`).
    kwargs["api_key"] = api_key
    if provider == "anthropic":
        from runner.llms.anthropic import StreamedUsageChatAnthropic

        return StreamedUsageChatAnthropic(model=model, **kwargs)

    from langchain_openai import ChatOpenAI

    # A streamed response carries usage only when asked for (stream_options.include_usage);
    # langchain asks by default for api.openai.com alone, so every other endpoint recorded 0.
    kwargs.setdefault("stream_usage", True)
    return ChatOpenAI(model=model, **kwargs)
