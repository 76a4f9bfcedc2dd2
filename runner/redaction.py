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


def _chain(exc: BaseException | None) -> list[BaseException]:
    chain: list[BaseException] = []
    while exc is not None and all(exc is not seen for seen in chain):
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def quotes_a_value(exc: BaseException, values: Collection[str]) -> bool:
    """True if the exception or anything in its chain mentions a credential value."""
    texts = [f"{e!s} {e!r}" for e in _chain(exc)]
    return any(value and value in text for text in texts for value in values)


def redacted(exc: Exception, values: Collection[str]) -> Exception:
    """`exc` itself, or, if its chain quotes a value, a RedactedError in its place that
    tells the same story (each error of the chain, outermost first) with the values cut."""
    if not values or not quotes_a_value(exc, values):
        return exc
    story = "; caused by ".join(f"{type(e).__name__}: {e}" for e in _chain(exc))
    return RedactedError(redact(story, values))
