"""Where a provider's key and endpoint come from: the only place they are looked up.

A key is the agent's credential when it names one (`model_options: {"api_key": {"credential":
"…"}}`, its value read by the runner for the run), else the runner's environment variable;
endpoints come from the environment. Nothing else reads a key. Keys stay on the runner: they
are never part of a payload, an event or an error message.
"""
import hashlib
from stigmer.config import env

# provider -> (API key variable, base URL variable)
PROVIDER_ENV = {
    "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL"),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"),
    "ollama": ("OLLAMA_API_KEY", "OLLAMA_HOST"),
    "openai-compatible": (
        "STIGMER_OPENAI_COMPATIBLE_API_KEY",
        "STIGMER_OPENAI_COMPATIBLE_BASE_URL",
    ),
}


def provider_api_key(provider: str, credential: str | None = None) -> str | None:
    """The API key the runner uses for `provider`: `credential` (the value of the agent's
    credential, when it names one), else the environment's; None when neither is set."""
    if credential:
        return credential
    name = PROVIDER_ENV.get(provider, (None, None))[0]
    return (env(name) or None) if name else None


def provider_base_url(provider: str) -> str | None:
    """The endpoint to call instead of the provider's public one, if any."""
    name = PROVIDER_ENV.get(provider, (None, None))[1]
    return (env(name) or None) if name else None


def provider_fingerprint(provider: str) -> str:
    """Changes when the key or endpoint does, so a runner never reuses a client
    built with old ones; a digest, so the key itself is held nowhere new."""
    material = f"{provider_api_key(provider)}\0{provider_base_url(provider)}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]
