"""Domain errors that surfaces (admin, API, commands) turn into clear messages."""


class ExecutionError(Exception):
    """Base for errors a user can act on."""


class ExecutionNotCancellable(ExecutionError):
    """The execution already reached a terminal phase."""


class SessionBusy(ExecutionError):
    """A turn sent with the `reject` strategy while its session has an unfinished turn."""
