"""The model-call retry's rules, without a server (the wire tests in
tests/providers/ run them against one)."""
import time
from email.utils import formatdate

import httpx
import pytest

from executions.cli.terminal import event_line
from runner.llms.retry import ModelProviderError, RetryPolicy, Transient, classify


class StatusError(Exception):
    """Shaped like the SDKs' status errors: status_code, response, body."""

    def __init__(self, status: int, headers: dict | None = None, body: dict | None = None) -> None:
        super().__init__(f"Error code: {status} - {body!r}")  # the repr nobody should read
        self.status_code = status
        self.response = httpx.Response(status, headers=headers or {})
        self.body = body


def sorted_out(exc: BaseException):
    return classify(exc, provider="openai", model="gpt-x", timeout=5)


def test_backoff_doubles_up_to_the_cap():
    policy = RetryPolicy(attempts=8, backoff=1, backoff_cap=30, call_timeout=300)
    assert [policy.backoff_for(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "1500"}, 1.5), ({}, None), ({"retry-after": "soon"}, None)],
)
def test_retry_after_in_seconds_or_milliseconds(headers, seconds):
    assert sorted_out(StatusError(429, headers)) == Transient("429", "is rate limiting", seconds)


def test_retry_after_as_an_http_date():
    failure = sorted_out(StatusError(503, {"retry-after": formatdate(time.time() + 20, usegmt=True)}))
    assert failure.status == "503" and 17 < failure.retry_after <= 20


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.RemoteProtocolError("peer closed"), ConnectionResetError()],
)
def test_dropped_connections_are_transient(exc):
    assert sorted_out(exc).status == "connection error"


def test_timeouts_are_transient():
    assert sorted_out(httpx.ReadTimeout("slow")).status == "timeout"
    assert sorted_out(TimeoutError()).reason == "gave no complete answer within 5 s"


def test_errors_that_are_not_the_providers_are_left_alone():
    assert sorted_out(RuntimeError("a bug")) is None
    assert sorted_out(StatusError(302)) is None  # not an error status


def test_a_refusal_reads_without_the_sdks_repr_or_the_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-123")
    body = {"message": "Bad  input\n near sk-secret-123", "type": "invalid_request_error"}
    failure = sorted_out(StatusError(422, body=body))
    assert isinstance(failure, ModelProviderError)
    assert str(failure) == "model provider openai rejected the request (422): Bad input near [key]"


def test_a_retry_reads_on_the_terminal():
    data = {"message": "model provider openai is rate limiting (429): attempt 1 of 5 failed, trying again in 1 s"}
    assert event_line("model_retry", data) == f"[retry] {data['message']}"
