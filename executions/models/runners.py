"""Runner credentials: what a runner outside the platform's process presents to the runner API."""
from django.db import models


class RunnerToken(models.Model):
    """A runner's credential for /api/v1/runner/: not a user's, and good for nothing else.

    Only a SHA-256 digest of the token is kept (the token itself is shown once, by
    `manage.py issue_runner_token`), so the table leaks nothing a runner could use.
    """

    name = models.SlugField(max_length=100, unique=True, help_text="Which runner (or fleet) holds it")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False, help_text="A revoked token is refused (401)")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
