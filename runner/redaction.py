"""Keeping credential values out of error texts: a provider may echo the key it refused.

Applied where an error leaves the model call (runner/graph.py), before LangGraph records it
in the checkpoint, and again where the run's failure is reported (runner/execution.py).
"""
from collections.abc import Collection

REDACTED = "[credential]"


class RedactedError(Exception):
    """An error whose text quoted a credential value, raised again with the value replaced."""


def redact(text: str, values: Collection[str]) -> str:
    """`text` with every credential value in it replaced by a marker."""
    for value in sorted(values, key=len, reverse=True):
        if value:
            text = text.replace(value, REDACTED)
    return text


def quotes_a_value(exc: BaseException, values: Collection[str]) -> bool:
    """True if the exception or anything in its chain mentions a credential value."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        text = f"{exc!s} {exc!r}"
        if any(value and value in text for value in values):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def redacted(exc: Exception, values: Collection[str]) -> Exception:
    """`exc` itself, or a RedactedError in its place if its chain quotes a value."""
    if not values or not quotes_a_value(exc, values):
        return exc
    return RedactedError(redact(f"{type(exc).__name__}: {exc}", values))
