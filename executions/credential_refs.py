"""Credential references inside JSON configuration: `{"credential": "<name>"}` in place of a value.

An agent's `model_options` (e.g. `{"api_key": {"credential": "openai-prod"}}`, or a header
under `default_headers`) and an MCP server's `env` and `headers` name credentials this way;
the runner swaps each reference for the value at the start of a run (runner/credentials.py).
Web surfaces only ever see the name.
"""
from typing import Any

from django.core.exceptions import ValidationError

from executions.models.credentials import Credential

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


def is_secret_option(name: str) -> bool:
    """Options whose value is a secret, and so must be a credential reference."""
    return name == "api_key" or name.endswith("_api_key")


def _clear_text_secrets(options: dict) -> list[str]:
    """Paths of secrets written in clear text, e.g. `api_key` or `default_headers.Authorization`."""
    paths = [name for name, value in options.items() if is_secret_option(name) and not is_credential_ref(value)]
    for option in sorted(HEADER_OPTIONS & set(options)):
        headers = options[option]
        if isinstance(headers, dict):
            paths += [f"{option}.{h}" for h, v in headers.items() if not is_credential_ref(v)]
    return paths


def _malformed_refs(value: Any) -> bool:
    if isinstance(value, dict):
        if REF_KEY in value and not is_credential_ref(value):
            return True
        return any(_malformed_refs(item) for item in value.values())
    if isinstance(value, list):
        return any(_malformed_refs(item) for item in value)
    return False


def _problems(value: Any, clear_text: list[str], example: str) -> list[str]:
    """Messages for clear-text secrets (by path, never by value), malformed references and
    references to credentials that do not exist."""

    errors = []
    if clear_text:
        errors.append(
            f"{', '.join(clear_text)}: keep secrets in a credential and refer to it by name, "
            f"e.g. {example}."
        )
    if _malformed_refs(value):
        errors.append('A credential reference is exactly {"credential": "<name>"}.')
    names = credential_names(value)
    known = set(Credential.objects.filter(name__in=names).values_list("name", flat=True))
    if unknown := sorted(names - known):
        errors.append(f"Unknown credentials: {', '.join(unknown)}.")
    return errors


def model_options_validate(options: Any) -> None:
    """Field errors on `model_options`: clear-text secrets, malformed or unknown references."""
    if not isinstance(options, dict):
        raise ValidationError({"model_options": "Expected a JSON object."})
    example = '{"api_key": {"credential": "openai-prod"}}'
    if errors := _problems(options, _clear_text_secrets(options), example):
        raise ValidationError({"model_options": errors})


def references_validate(value: Any, *, field: str) -> None:
    """Field errors for malformed references or unknown credentials in `value` (an MCP
    server's env or headers, whose plain strings are taken as they are)."""
    if errors := _problems(value, [], ""):
        raise ValidationError({field: errors})
