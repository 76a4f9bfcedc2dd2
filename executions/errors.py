"""Domain errors that surfaces (admin, API, commands) turn into clear messages."""


class ExecutionError(Exception):
    """Base for errors a user can act on."""


class ExecutionNotCancellable(ExecutionError):
    """The execution already reached a terminal phase."""


class CredentialInUse(ExecutionError):
    """A credential that agents still refer to cannot be deleted."""
