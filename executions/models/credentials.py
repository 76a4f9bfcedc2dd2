"""Credentials: secrets kept encrypted, referred to by name."""
from django.conf import settings
from django.db import models


class Credential(models.Model):
    """A secret (provider API key, header or env value) kept encrypted; referred to by name.

    The value is write-only: surfaces set or rotate it through the services, and only the
    runner decrypts it (runner/credentials.py), at the start of each run.
    """

    name = models.SlugField(
        max_length=100, unique=True, help_text='Referred to as {"credential": "<name>"}'
    )
    description = models.TextField(blank=True)
    # A Fernet token (executions/crypto.py); never the value itself.
    value_encrypted = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    rotated_at = models.DateTimeField(help_text="When the value was last set")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
