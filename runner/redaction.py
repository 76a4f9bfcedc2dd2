"""Keeping credential values out of error texts: a provider may echo the key it refused.

Applied where an error leaves the model call (runner/graph.py), before LangGraph records it
in the checkpoint, and again where the run's failure is reported (runner/execution.py).
"""
from collections.abc import Collection

REDACTED = "[credential]"
# Errors may quote a value in part: pydantic, for one, shortens a long input to its head and
# tail around "...". Any run of this many characters of a value counts as the value.
MIN_RUN = 8


class RedactedError(Exception):
    """An error whose text quoted a credential value, raised again with the value replaced."""


def _spans(text: str, value: str) -> list[tuple[int, int]]:
    """Where `text` quotes `value`, whole or in runs of at least MIN_RUN characters."""
    size = min(len(value), MIN_RUN)
    spans = []
    for i in range(len(value) - size + 1):
        piece, start = value[i : i + size], 0
        while (start := text.find(piece, start)) != -1:
            spans.append((start, start + size))
            start += 1
    return spans


def redact(text: str, values: Collection[str]) -> str:
    """`text` with every credential value in it, or run of one, replaced by a marker."""
    spans = sorted(span for value in values if value for span in _spans(text, value))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + REDACTED + text[end:]
    return text


def _chain(exc: BaseException | None) -> list[BaseException]:
    chain: list[BaseException] = []
    while exc is not None and all(exc is not seen for seen in chain):
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    return chain


def quotes_a_value(exc: BaseException, values: Collection[str]) -> bool:
    """True if the exception or anything in its chain quotes a credential value (in part)."""
    texts = [f"{e!s} {e!r}" for e in _chain(exc)]
    return any(redact(text, values) != text for text in texts)


def redacted(exc: Exception, values: Collection[str]) -> Exception:
    """`exc` itself, or, if its chain quotes a value, a RedactedError in its place that
    tells the same story (each error of the chain, outermost first) with the values cut."""
    if not values or not quotes_a_value(exc, values):
        return exc
    story = "; caused by ".join(f"{type(e).__name__}: {e}" for e in _chain(exc))
    return RedactedError(redact(story, values))
