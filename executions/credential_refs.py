"""Credential references in agents' and MCP servers' configuration: the pure
functions live in stigmer/credential_refs.py (the runner uses them too); the
validators, which read the records, here."""
from typing import Any

from django.core.exceptions import ValidationError

from executions.models.credentials import Credential
from stigmer.credential_refs import (  # noqa: F401
    HEADER_OPTIONS,
    REF_KEY,
    credential_names,
    credentials_substitute,
    is_credential_ref,
    provider_key_split,
)


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
