"""The one place a credential's value is read back: decrypted on the runner, per run.

Values are read at the start of every run and kept only by that run's model client, so a
rotated credential is used from the next run on, without a restart. They go nowhere else:
not into Temporal payloads, events or logs; an error text that quotes one is redacted
(runner/redaction.py).
"""
from cryptography.fernet import InvalidToken

from executions.crypto import credential_keyring
from executions.models import Credential


class CredentialError(ValueError):
    """A referenced credential is missing or cannot be decrypted: configuration, not retried."""


def _decrypt(name: str, token: str) -> str:
    try:
        return credential_keyring().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialError(
            f"credential {name!r} cannot be decrypted with STIGMER_CREDENTIALS_KEY "
            "(encrypted under a key that is no longer configured?)"
        ) from None


def credential_values(*, names: set[str]) -> dict[str, str]:
    """Each named credential's value, in one query; CredentialError if one is unknown."""
    if not names:
        return {}
    tokens = dict(Credential.objects.filter(name__in=names).values_list("name", "value_encrypted"))
    missing = sorted(set(names) - set(tokens))
    if missing:
        raise CredentialError(f"unknown credentials: {', '.join(missing)}")
    return {name: _decrypt(name, token) for name, token in tokens.items()}


def credential_value(name: str) -> str:
    return credential_values(names={name})[name]
