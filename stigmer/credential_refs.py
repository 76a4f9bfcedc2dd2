"""Credential references inside JSON configuration: `{"credential": "<name>"}` in place of a value.

An agent's `model_options` (e.g. `{"api_key": {"credential": "openai-prod"}}`, or a header
under `default_headers`) and an MCP server's `env` and `headers` name credentials this way;
the runner swaps each reference for the value at the start of a run (runner/credentials.py).
Pure functions, shared by the platform and the runner (executions/credential_refs.py adds
the validators).
Web surfaces only ever see the name.
"""
from typing import Any

REF_KEY = "credential"
HEADER_OPTIONS = frozenset({"default_headers", "headers"})


def is_credential_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {REF_KEY} and isinstance(value[REF_KEY], str)


def credential_names(value: Any) -> set[str]:
    """Every credential name referred to anywhere inside `value`."""
    if is_credential_ref(value):
        return {value[REF_KEY]}
    if isinstance(value, dict):
        return set().union(*(credential_names(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(credential_names(item) for item in value))
    return set()


def credentials_substitute(value: Any, values: dict[str, str]) -> Any:
    """A copy of `value` with each reference replaced by `values[name]` (KeyError if missing)."""
    if is_credential_ref(value):
        return values[value[REF_KEY]]
    if isinstance(value, dict):
        return {key: credentials_substitute(item, values) for key, item in value.items()}
    if isinstance(value, list):
        return [credentials_substitute(item, values) for item in value]
    return value


def provider_key_split(options: dict, values: dict[str, str]) -> tuple[dict, str | None]:
    """`options` with their references resolved from `values`, less `api_key`; and the
    provider key that `api_key` refers to (None unless it is a credential reference: a key
    stored in clear is never used)."""
    options = dict(options)
    reference = options.pop("api_key", None)
    key = values[reference[REF_KEY]] if is_credential_ref(reference) else None
    return credentials_substitute(options, values), key
