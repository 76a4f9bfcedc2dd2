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


def test_a_value_quoted_in_part_is_cut_too():
    """pydantic shortens a long input to its head and tail around '...'."""
    value = "sk-proj-" + "0123456789abcdef" * 4
    text = f"input_value={{'X-Token': '{value[:25]}...{value[-24:]}'}}, input_type=dict"
    assert redact(text, [value]) == f"input_value={{'X-Token': '{REDACTED}...{REDACTED}'}}, input_type=dict"
    assert quotes_a_value(ValueError(text), [value])


def test_short_values_are_cut_only_whole():
    assert redact("token abc and ab", ["abc"]) == f"token {REDACTED} and ab"
