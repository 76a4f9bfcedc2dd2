"""Domain errors that surfaces (admin, API, commands) turn into clear messages."""
from django.core.exceptions import ValidationError


class ExecutionError(Exception):
    """Base for errors a user can act on."""


class ExecutionNotCancellable(ExecutionError):
    """The execution already reached a terminal phase."""


class SessionBusy(ExecutionError):
    """A turn sent with the `reject` strategy while its session has an unfinished turn."""


class CredentialInUse(ExecutionError):
    """A credential that agents still refer to cannot be deleted."""


class RunningLimitReached(ValidationError):
    """The owner already has as many unfinished executions as allowed. A
    ValidationError, so forms show it; the API answers it with 429."""


class BudgetSpent(ValidationError):
    """The agent's or the owner's monthly budget is spent. A ValidationError,
    so forms show it; the API answers it with 402."""


class WebhookNotRedeliverable(ExecutionError):
    """A delivery still being attempted, or one whose endpoint is inactive, is not redelivered."""
