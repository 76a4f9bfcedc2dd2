"""Domain errors that surfaces (admin, API, commands) turn into clear messages."""
from django.core.exceptions import ValidationError


class ExecutionError(Exception):
    """Base for errors a user can act on."""


class ExecutionNotCancellable(ExecutionError):
    """The execution already reached a terminal phase."""


class SessionBusy(ExecutionError):
    """A turn sent with the `reject` strategy while its session has an unfinished turn."""


class RunningLimitReached(ValidationError):
    """The owner already has as many unfinished executions as allowed. A
    ValidationError, so forms show it; the API answers it with 429."""
