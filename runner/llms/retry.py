"""Model calls retried inside the run: the one retry layer for providers.

ExecuteGraphton is never retried (an agent step must not run twice) and the
provider clients' own retries are off, so a rate limit or a provider's bad
minute is absorbed here: 429 (after its Retry-After), 5xx, dropped
connections and calls that take longer than the per-call timeout are tried
again with capped exponential backoff, as long as the wait fits in the run's
execution timeout. The activity keeps heartbeating meanwhile (its heartbeat
is a background task) and a cancel interrupts the wait. Errors that will not
heal (a bad key, an unknown model, a malformed request) fail at once, with a
reason a person can read.
"""
import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from runner.llms.providers import provider_api_key
from stigmer.config import env

T = TypeVar("T")

# Monotonic time by which the run must be over (the activity's start-to-close).
_deadline: ContextVar[float | None] = ContextVar("model_call_deadline", default=None)

# By class name: the SDKs ship their own exception classes (and the openai and
# anthropic SDKs their own httpx fork, httpx2), and a worker need not import them all.
_TIMEOUTS = {"APITimeoutError", "TimeoutException"}  # the SDKs', httpx's and httpx2's
_CONNECTION_ERRORS = {"APIConnectionError", "TransportError"}


class ModelProviderError(Exception):
    """A model call that failed for good; its message is the run's readable reason."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    backoff: float
    backoff_cap: float
    call_timeout: float

    def backoff_for(self, attempt: int) -> float:
        """The wait after failed attempt number `attempt` (1, 2, …)."""
        return min(self.backoff_cap, self.backoff * 2 ** (attempt - 1))


def retry_policy() -> RetryPolicy:
    """Read at call time, so operators' and tests' settings apply without a restart of imports."""
    return RetryPolicy(
        attempts=max(1, env("STIGMER_MODEL_ATTEMPTS")),
        backoff=env("STIGMER_MODEL_BACKOFF_SECONDS"),
        backoff_cap=env("STIGMER_MODEL_BACKOFF_CAP_SECONDS"),
        call_timeout=env("STIGMER_MODEL_CALL_TIMEOUT_SECONDS"),
    )


@contextmanager
def model_call_deadline(seconds_left: float | None) -> Iterator[None]:
    """Retries inside this block never wait past `seconds_left` from now."""
    token = _deadline.set(None if seconds_left is None else time.monotonic() + seconds_left)
    try:
        yield
    finally:
        _deadline.reset(token)


@dataclass(frozen=True)
class Transient:
    status: str  # "429", "503", "timeout", "connection error"
    reason: str
    retry_after: float | None = None


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    spec: str,
    on_retry: Callable[[dict], Any] = lambda retry: None,
) -> T:
    """`call()` until it succeeds, fails for good, or the attempts or time run out.

    `spec` ("provider:model") names the provider in messages; `on_retry` hears
    of each retry before its wait, as {"provider", "attempt", "attempts", "status",
    "reason", "wait", "message"}.
    """
    policy = retry_policy()
    provider, _, model = spec.partition(":")
    attempt = 1
    while True:
        try:
            async with asyncio.timeout(policy.call_timeout):
                return await call()
        except Exception as exc:  # noqa: BLE001 - sorted below; the unknown are re-raised
            failure = classify(exc, provider=provider, model=model, timeout=policy.call_timeout)
            if failure is None:
                raise
            if isinstance(failure, ModelProviderError):
                raise failure from exc
            wait = max(policy.backoff_for(attempt), failure.retry_after or 0.0)
            _give_up_if_out_of_budget(failure, provider, attempt, policy, wait, exc)
            on_retry(_retry_event(failure, provider, attempt, policy.attempts, wait))
            await asyncio.sleep(wait)
            attempt += 1


def _retry_event(failure: Transient, provider: str, attempt: int, attempts: int, wait: float) -> dict:
    """The model_retry event's data; `message` is what every surface shows."""
    wait = round(wait, 3)
    return {
        "provider": provider, "attempt": attempt, "attempts": attempts, "status": failure.status,
        "reason": failure.reason, "wait": wait,
        "message": f"model provider {provider} {failure.reason} ({failure.status}): attempt {attempt} "
                   f"of {attempts} failed, trying again in {wait:g} s",
    }  # fmt: skip


def _give_up_if_out_of_budget(failure: Transient, provider, attempt, policy, wait, exc) -> None:
    what = f"model provider {provider} {failure.reason} ({failure.status})"
    tries = f"{attempt} attempt{'s' if attempt > 1 else ''}"
    if attempt >= policy.attempts:
        raise ModelProviderError(f"{what}; gave up after {tries}") from exc
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() + wait >= deadline:
        raise ModelProviderError(
            f"{what}; gave up after {tries}: waiting {wait:g} s more would pass the execution timeout"
        ) from exc


def classify(
    exc: BaseException, *, provider: str, model: str, timeout: float
) -> Transient | ModelProviderError | None:
    """What a provider's failure means; None for errors that are not the provider's."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int) and status >= 400:
        return _by_status(exc, status, provider, model)
    kinds = {cls.__name__ for cls in type(exc).__mro__}
    if isinstance(exc, TimeoutError) or kinds & _TIMEOUTS:
        return Transient("timeout", f"gave no complete answer within {timeout:g} s")
    if isinstance(exc, ConnectionError) or kinds & _CONNECTION_ERRORS:
        return Transient("connection error", "could not be reached or dropped the connection")
    return None


def _by_status(exc, status: int, provider: str, model: str) -> Transient | ModelProviderError:
    if status == 429:
        return Transient("429", "is rate limiting", _retry_after(exc))
    if status in (408, 409) or status >= 500:
        return Transient(str(status), "is unavailable", _retry_after(exc))
    name = f"model provider {provider}"
    detail = _server_message(exc, provider)
    if status == 401:
        return ModelProviderError(f"{name} refused the credentials (401)")
    if status == 403:
        return ModelProviderError(f"{name} denied access (403){detail}")
    if status == 404:
        return ModelProviderError(f"{name} has no model {model!r} (404){detail}")
    return ModelProviderError(f"{name} rejected the request ({status}){detail}")


def _retry_after(exc) -> float | None:
    """Seconds from the response's Retry-After (seconds or HTTP date) or retry-after-ms."""
    # ollama's ResponseError drops the response but keeps httpx's error as its context.
    responses = (getattr(e, "response", None) for e in (exc, exc.__cause__, exc.__context__))
    headers = next((r.headers for r in responses if getattr(r, "headers", None)), {})
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        if value.strip().replace(".", "", 1).isdigit():
            return float(value)
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _server_message(exc, provider: str) -> str:
    """The provider's own explanation, short and without the key, as ": …"."""
    body = getattr(exc, "body", None)
    message = getattr(exc, "error", None)  # ollama's ResponseError
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
    if not isinstance(message, str) or not message.strip():
        return ""
    key = provider_api_key(provider)
    if key:
        message = message.replace(key, "[key]")
    message = " ".join(message.split())
    return f": {message[:200]}"
