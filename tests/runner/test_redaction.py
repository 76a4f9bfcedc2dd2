"""Credential values are cut out of error texts, wherever in the chain they appear."""
from runner.redaction import REDACTED, RedactedError, quotes_a_value, redact, redacted

KEY = "sk-redact-0f9e8d7c"


def test_redact_replaces_every_value_longest_first():
    text = redact(f"bad key {KEY} (prefix {KEY[:9]})", [KEY[:9], KEY])
    assert text == f"bad key {REDACTED} (prefix {REDACTED})"


def test_an_error_quoting_a_value_in_its_cause_is_replaced():
    try:
        try:
            raise PermissionError(f"Incorrect API key provided: {KEY}")
        except PermissionError as inner:
            raise RuntimeError("model call failed") from inner
    except RuntimeError as exc:
        error = exc

    safe = redacted(error, [KEY])

    assert quotes_a_value(error, [KEY])
    assert isinstance(safe, RedactedError) and KEY not in str(safe)
    assert str(safe) == (
        f"RuntimeError: model call failed; caused by PermissionError: Incorrect API key provided: {REDACTED}"
    )


def test_an_error_without_values_is_kept_as_it_is():
    error = ValueError("timeout")
    assert redacted(error, [KEY]) is error
    assert redacted(error, []) is error
