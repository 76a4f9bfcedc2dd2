"""Re-encrypt every credential and webhook secret under the first key of STIGMER_CREDENTIALS_KEY."""
from cryptography.fernet import InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from executions.services.credentials import credentials_reencrypt
from executions.services.webhook_endpoints import webhook_secrets_reencrypt


class Command(BaseCommand):
    help = (
        "Re-encrypt every credential and webhook secret under the first key of STIGMER_CREDENTIALS_KEY. "
        "Put the new key first and keep the old ones after it until this has run, then drop them."
    )

    def handle(self, *args, **options):
        try:
            with transaction.atomic():  # all or nothing
                count = credentials_reencrypt()
                secrets = webhook_secrets_reencrypt()
        except InvalidToken:
            raise CommandError(
                "A credential or webhook secret cannot be decrypted with any key of "
                "STIGMER_CREDENTIALS_KEY: keep the key it was encrypted under in the list. Nothing was changed."
            ) from None
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Re-encrypted {count} credential(s) and {secrets} webhook secret(s) under the first key."
        )
