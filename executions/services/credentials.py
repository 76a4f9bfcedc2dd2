"""Credentials: set, rotate, describe, delete. The value goes in encrypted and never comes back.

Rotation needs no restart: the runner reads a credential at the start of every run.
"""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from executions.crypto import credential_encrypt, credential_reencrypt
from executions.errors import CredentialInUse
from executions.models import Credential
from executions.selectors import credential_users

MAX_VALUE_CHARS = 16_384


def _value_validate(value: str) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError({"value": "A credential needs a value."})
    if len(value) > MAX_VALUE_CHARS:
        raise ValidationError({"value": f"At most {MAX_VALUE_CHARS} characters."})


def credential_set(*, credential: Credential, value: str | None = None) -> Credential:
    """Save the credential, encrypting `value` as its new value when one is given."""
    if value is not None:
        _value_validate(value)
        credential.value_encrypted = credential_encrypt(value)
        credential.rotated_at = timezone.now()
    elif not credential.value_encrypted:
        raise ValidationError({"value": "A credential needs a value."})
    credential.full_clean()
    try:
        with transaction.atomic():
            credential.save()
    except IntegrityError:  # a concurrent create of the same name won the race
        raise ValidationError({"name": f"A credential named {credential.name!r} already exists."}) from None
    return credential


def credential_create(*, name: str, value: str, description: str = "", created_by=None) -> Credential:
    credential = Credential(name=name, description=description, created_by=created_by)
    return credential_set(credential=credential, value=value)


def credential_rotate(*, credential: Credential, value: str) -> Credential:
    """A new value, used from the next run on."""
    return credential_set(credential=credential, value=value)


def credential_update(
    *, credential: Credential, value: str | None = None, description: str | None = None
) -> Credential:
    """Change what is given: a value rotates the credential; the name never changes
    (agents refer to it)."""
    if description is not None:
        credential.description = description
    return credential_set(credential=credential, value=value)


def credential_delete(*, credential: Credential) -> None:
    """Refused (CredentialInUse) while an agent refers to it."""
    if users := credential_users(name=credential.name):
        raise CredentialInUse(
            f"Credential {credential.name!r} is still referred to by {', '.join(users)}."
        )
    credential.delete()


def credentials_reencrypt() -> int:
    """Re-encrypt every credential under the first STIGMER_CREDENTIALS_KEY; returns the count."""
    count = 0
    with transaction.atomic():
        for credential in Credential.objects.select_for_update().only("pk", "value_encrypted"):
            credential.value_encrypted = credential_reencrypt(credential.value_encrypted)
            credential.save(update_fields=["value_encrypted"])
            count += 1
    return count
