"""Encryption of credentials at rest: Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`.

Keys come from STIGMER_CREDENTIALS_KEY, read at call time: a comma-separated list of Fernet
keys, newest first. The first encrypts; every one decrypts (MultiFernet), so a new key can be
put in front, `manage.py rotate_credentials_key` re-encrypts every credential under it, and the
old key is dropped afterwards. The entry `secret_key` (and the default, when the variable is
unset) is a key derived from SECRET_KEY with HKDF-SHA256 (no salt, info
b"stigmer-credentials-v1"): the embedded set-up works with no configuration, but changing
SECRET_KEY then makes the stored credentials unreadable, so production sets its own key.

Web surfaces only encrypt. Decrypting belongs to the runner (runner/credentials.py), the one
place a credential's value is read back, and, for webhook endpoints' signing secrets, to the
delivery activity (executions/webhooks/signing.py).
"""
import base64

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

DERIVED_KEY_ENTRY = "secret_key"
HKDF_INFO = b"stigmer-credentials-v1"


def derived_key(secret_key: str) -> bytes:
    """The Fernet key derived from SECRET_KEY: urlsafe base64 of HKDF-SHA256(SECRET_KEY)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def _fernet(entry: str, position: int) -> Fernet:
    if entry == DERIVED_KEY_ENTRY:
        return Fernet(derived_key(settings.SECRET_KEY))
    try:
        return Fernet(entry.encode())
    except ValueError:
        # The entry itself is key material: never echo it.
        raise ImproperlyConfigured(
            f"STIGMER_CREDENTIALS_KEY entry {position} is not a Fernet key (32 url-safe "
            "base64-encoded bytes, e.g. from cryptography.fernet.Fernet.generate_key())."
        ) from None


def credential_keyring() -> MultiFernet:
    """Every configured key, the first one encrypting."""
    entries = settings.STIGMER_CREDENTIALS_KEYS or [DERIVED_KEY_ENTRY]
    return MultiFernet([_fernet(entry, i) for i, entry in enumerate(entries, start=1)])


def credential_encrypt(value: str) -> str:
    """A Fernet token (ASCII) for `value`, under the first key."""
    return credential_keyring().encrypt(value.encode()).decode()


def credential_reencrypt(token: str) -> str:
    """The same value under the first key, never handing the plaintext to the caller."""
    return credential_keyring().rotate(token.encode()).decode()


@checks.register(checks.Tags.security)
def credentials_key_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """A malformed STIGMER_CREDENTIALS_KEY stops `check` (and every command) at start-up,
    not at the first credential saved or run started."""
    try:
        credential_keyring()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="stigmer.E001")]
    return []
