"""Reading stored credentials back in tests, as the runner does (runner/credentials.py
decrypts; the platform's selector hands over the tokens)."""
from executions.selectors import UnknownCredentials, credential_tokens
from runner.credentials import CredentialError, credentials_decrypt


def credential_values(*, names: set[str]) -> dict[str, str]:
    try:
        return credentials_decrypt(credential_tokens(names=names))
    except UnknownCredentials as exc:
        raise CredentialError(str(exc)) from None


def credential_value(name: str) -> str:
    return credential_values(names={name})[name]
