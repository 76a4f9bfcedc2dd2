"""What each provider accepts in an agent's `model_options`.

Checked when the agent is saved, for the provider of its model and of every
model it allows a run to choose: an unknown key, a wrong type, a URL that is
not http(s) or that points at a link-local or cloud metadata address is a
field error then, not a failed run later (or a request to the machine's
metadata service with the provider's key).
"""
from collections.abc import Callable
from typing import Any

from stigmer.outbound import outbound_url_problem
from runner.llms.resolve import UnknownModelError, parse_model_spec

Check = Callable[[Any], str | None]  # a problem with the value, or None


def _number(value) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    return None if ok else "a non-negative number"


def _integer(value) -> str | None:
    return None if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else "a non-negative integer"


def _boolean(value) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def _text(value) -> str | None:
    return None if isinstance(value, str) else "a string"


def _texts(value) -> str | None:
    ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    return None if ok else "a string or a list of strings"


def _object(value) -> str | None:
    return None if isinstance(value, dict) else "a JSON object"


def _secret(value) -> str | None:
    # Whether it is a credential reference, and names one, is the
    # credential store's rule (executions/credential_refs.py).
    return None if isinstance(value, dict) else 'a credential reference, {"credential": "<name>"}'


# One rule with webhook endpoints (stigmer/outbound.py).
_url = outbound_url_problem


_SAMPLING: dict[str, Check] = {"top_p": _number, "timeout": _number, "stop": _texts}
_HTTP: dict[str, Check] = {"api_key": _secret, "base_url": _url, "default_headers": _object}
_OPENAI: dict[str, Check] = {
    **_SAMPLING, **_HTTP, "frequency_penalty": _number, "presence_penalty": _number, "seed": _integer,
    "stream_usage": _boolean, "organization": _text, "reasoning_effort": _text, "model_kwargs": _object,
}

SCHEMAS: dict[str, dict[str, Check]] = {
    "scripted": {"token_delay": _number, "answer_words": _integer, "tool_calls": _integer},
    "openai": _OPENAI,
    "openai-compatible": _OPENAI,
    "anthropic": {**_SAMPLING, **_HTTP, "top_k": _integer, "stop_sequences": _texts, "model_kwargs": _object},
    "ollama": {
        **_SAMPLING, "base_url": _url, "top_k": _integer, "num_ctx": _integer, "seed": _integer,
        "repeat_penalty": _number, "keep_alive": _texts, "format": _texts, "api_key": _secret,
    },
}


def model_options_problems(options: Any, specs: list[str]) -> list[str]:
    """Messages for `options` under every provider of `specs` (unparseable
    specs are the model field's error, not this one's)."""
    if not isinstance(options, dict):
        return ["Model options are a JSON object."]
    problems: list[str] = []
    for provider in sorted(_providers(specs)):
        schema = SCHEMAS[provider]
        unknown = sorted(set(options) - set(schema))
        if unknown:
            problems.append(f"{provider} has no option {', '.join(unknown)}; it takes {', '.join(sorted(schema))}.")
        for name in sorted(set(options) & set(schema)):
            if (wanted := schema[name](options[name])) is not None:
                problems.append(f"{name} must be {wanted} for {provider}.")
    return list(dict.fromkeys(problems))


def _providers(specs: list[str]) -> set[str]:
    providers = set()
    for spec in specs:
        try:
            providers.add(parse_model_spec(spec)[0])
        except UnknownModelError:
            continue
    return providers & set(SCHEMAS)
