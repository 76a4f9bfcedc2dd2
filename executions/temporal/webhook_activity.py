"""The webhook delivery activities, on the orchestration worker: one signed
POST per attempt (Temporal retries it with backoff), and the give-up."""
import asyncio
import logging
from typing import NoReturn
from urllib.parse import urlsplit

import httpx
from channels.db import database_sync_to_async
from cryptography.fernet import InvalidToken
from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from stigmer.outbound import address_problem
from executions.services.webhook_deliveries import (
    webhook_delivery_attempt_begin,
    webhook_delivery_attempt_record,
    webhook_delivery_give_up,
)
from executions.temporal.contract import DELIVER_WEBHOOK, WEBHOOK_DELIVERY_GIVE_UP, WebhookDeliveryInput
from executions.webhooks.signing import endpoint_secret, signed_headers

logger = logging.getLogger(__name__)


async def _resolved_problem(url: str) -> str | None:
    """The URL's rule again, on the addresses its name resolves to now: a
    name pointed at the metadata service after the endpoint was saved is
    refused too."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port)
    for info in infos:
        if problem := address_problem(info[4][0]):
            return f"{parts.hostname} resolves to {info[4][0]}: the URL must be {problem}"
    return None


async def _fail(delivery_id: str, error: str, *, response_code: int | None = None, final: bool = False) -> NoReturn:
    logger.info(
        "webhook delivery %s attempt %d failed: %s", delivery_id, activity.info().attempt, error,
        extra={"delivery_id": delivery_id},
    )
    await database_sync_to_async(webhook_delivery_attempt_record)(
        delivery_id=delivery_id, response_code=response_code, error=error
    )
    # A receiver that is down is expected, and recorded on the row: benign, so
    # the SDK logs each retried attempt at DEBUG, not with a traceback.
    category = ApplicationErrorCategory.UNSPECIFIED if final else ApplicationErrorCategory.BENIGN
    raise ApplicationError(error, non_retryable=final, category=category)


@activity.defn(name=DELIVER_WEBHOOK)
async def deliver_webhook(delivery: WebhookDeliveryInput) -> str:
    """One attempt: "succeeded", "skipped" (nothing to send), or an error that
    Temporal retries (no answer, a non-2xx answer) or not (a refused address,
    a secret no configured key decrypts)."""
    attempt = await database_sync_to_async(webhook_delivery_attempt_begin)(delivery_id=delivery.delivery_id)
    if attempt is None:
        return "skipped"
    try:
        problem = await _resolved_problem(attempt.url)
    except OSError as exc:
        await _fail(attempt.delivery_id, f"cannot resolve the receiver's host: {exc}")
    if problem:
        await _fail(attempt.delivery_id, problem, final=True)
    try:
        secret = endpoint_secret(attempt.secret_encrypted)
    except InvalidToken:
        await _fail(attempt.delivery_id, "the secret cannot be decrypted with STIGMER_CREDENTIALS_KEY", final=True)
    headers = signed_headers(
        secret=secret, body=attempt.body, event_id=attempt.event_id, event_type=attempt.event_type,
        delivery_id=attempt.delivery_id,
    )
    try:
        # The whole request within the timeout (httpx's own applies per read);
        # redirects are not followed: the receiver is the URL that was checked.
        async with asyncio.timeout(delivery.timeout_seconds):
            async with httpx.AsyncClient(timeout=delivery.timeout_seconds, follow_redirects=False) as http:
                async with http.stream("POST", attempt.url, content=attempt.body.encode(), headers=headers) as answer:
                    code = answer.status_code  # the answer's body is never read
    except TimeoutError:
        await _fail(attempt.delivery_id, f"no answer from the receiver within {delivery.timeout_seconds:g}s")
    except httpx.HTTPError as exc:
        await _fail(attempt.delivery_id, f"no answer from the receiver: {str(exc) or type(exc).__name__}")
    if not 200 <= code < 300:
        await _fail(attempt.delivery_id, f"the receiver answered {code}", response_code=code)
    await database_sync_to_async(webhook_delivery_attempt_record)(delivery_id=attempt.delivery_id, response_code=code)
    return "succeeded"


@activity.defn(name=WEBHOOK_DELIVERY_GIVE_UP)
async def give_up_webhook_delivery(delivery_id: str, reason: str) -> None:
    await database_sync_to_async(webhook_delivery_give_up)(delivery_id=delivery_id, reason=reason)
