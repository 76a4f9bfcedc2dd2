"""Webhook endpoints: create, change, delete. The secret goes in encrypted and never comes back."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from executions.crypto import credential_encrypt, credential_reencrypt
from executions.models import WebhookEndpoint

MIN_SECRET_CHARS = 16
MAX_SECRET_CHARS = 512


def _secret_validate(secret) -> None:
    if not isinstance(secret, str) or len(secret) < MIN_SECRET_CHARS:
        raise ValidationError({"secret": f"At least {MIN_SECRET_CHARS} characters."})
    if len(secret) > MAX_SECRET_CHARS:
        raise ValidationError({"secret": f"At most {MAX_SECRET_CHARS} characters."})


def webhook_endpoint_set(*, endpoint: WebhookEndpoint, secret: str | None = None) -> WebhookEndpoint:
    """Validate (stigmer/outbound.py's URL rule, known events) and save,
    encrypting `secret` as the new secret when one is given."""
    if secret is not None:
        _secret_validate(secret)
        endpoint.secret_encrypted = credential_encrypt(secret)
        endpoint.secret_set_at = timezone.now()
    elif not endpoint.secret_encrypted:
        raise ValidationError({"secret": "An endpoint needs a secret to sign with."})
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def webhook_endpoint_create(
    *, url: str, events: list[str], secret: str, description: str = "", is_active: bool = True, created_by=None
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=url, events=events, description=description, is_active=is_active, created_by=created_by
    )
    return webhook_endpoint_set(endpoint=endpoint, secret=secret)


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, secret: str | None = None, **changes) -> WebhookEndpoint:
    """Change what is given (url, events, description, is_active); a secret
    rotates it, used from the next attempt on."""
    for name, value in changes.items():
        setattr(endpoint, name, value)
    return webhook_endpoint_set(endpoint=endpoint, secret=secret)


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Its deliveries go with it; their workflows find no row and stop."""
    endpoint.delete()


def webhook_secrets_reencrypt() -> int:
    """Re-encrypt every endpoint's secret under the first STIGMER_CREDENTIALS_KEY; the count."""
    count = 0
    with transaction.atomic():
        for endpoint in WebhookEndpoint.objects.select_for_update().only("pk", "secret_encrypted"):
            endpoint.secret_encrypted = credential_reencrypt(endpoint.secret_encrypted)
            endpoint.save(update_fields=["secret_encrypted"])
            count += 1
    return count
