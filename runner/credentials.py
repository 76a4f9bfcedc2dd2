"""The one place a credential's value is read back: decrypted on the runner, per run.

The platform hands over the encrypted values (Fernet tokens: in process from its
database, or through the runner API, so values never cross the network in clear);
they are decrypted here with STIGMER_CREDENTIALS_KEY (stigmer/crypto.py), at the start of
every run, and kept only by that run's model client, so a rotated credential is used from
the next run on, without a restart. They go nowhere else: not into Temporal payloads,
events or logs; an error text that quotes one is redacted (runner/redaction.py).
"""
from cryptography.fernet import InvalidToken

from runner.platform import UnknownCredentials, platform
from stigmer.crypto import credential_keyring


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


def credentials_decrypt(tokens: dict[str, str]) -> dict[str, str]:
    """name → value, from name → Fernet token."""
    return {name: _decrypt(name, token) for name, token in tokens.items()}


async def credential_values(*, names: set[str]) -> dict[str, str]:
    """Each named credential's value; CredentialError if one is unknown or unreadable."""
    if not names:
        return {}
    try:
        tokens = await platform().credential_tokens(set(names))
    except UnknownCredentials as exc:
        raise CredentialError(str(exc)) from None
    return credentials_decrypt(tokens)
