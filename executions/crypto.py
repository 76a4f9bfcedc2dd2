"""Re-exported from stigmer/crypto.py, where the runner reads it too (a runner
without the platform's database decrypts with the same keys)."""
from stigmer.crypto import (  # noqa: F401
    DERIVED_KEY_ENTRY,
    HKDF_INFO,
    credential_encrypt,
    credential_keyring,
    credential_reencrypt,
    credentials_key_check,
    derived_key,
)
