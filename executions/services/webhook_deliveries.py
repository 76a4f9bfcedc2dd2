"""The webhook outbox: a delivery per event and subscribed endpoint, written in
the transaction of the log event it reports, its workflow started after commit
(or by the reconciler), its attempts recorded by the delivery activity.

Delivery is at least once, and once per event id in practice: a delivery is
one workflow (REJECT_DUPLICATE on an id derived from the delivery's), and the
only repeat is a POST whose 2xx answer could not be recorded; receivers dedupe
on the event id header (docs/webhooks.md).
"""
import asyncio
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from executions.errors import WebhookNotRedeliverable
from executions.models import AgentExecution, DeliveryStatus, ExecutionEvent, WebhookDelivery, WebhookEndpoint
from executions.temporal.client import temporal_bridge
from executions.temporal.config import temporal_config
from executions.temporal.contract import WebhookDeliveryInput
from executions.temporal.starter import webhook_workflow_start
from executions.webhooks.events import webhook_body, webhook_events_of

logger = logging.getLogger(__name__)
MAX_ERROR_CHARS = 2000


def webhook_deliveries_record(*, execution_id, events: list[ExecutionEvent]) -> list[WebhookDelivery]:
    """Queue the webhook events among `events`, just appended under the
    execution's row lock, for every active endpoint subscribed to them: in the
    writer's transaction, so an event is queued if and only if it is logged.
    Costs nothing for the many log events that are not webhook events."""
    out = webhook_events_of(events)
    if not out:
        return []
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True).only("pk", "events"))
    wanted = [(event, endpoint) for event in out for endpoint in endpoints if event.type in endpoint.events]
    if not wanted:
        return []
    # Read after the writer's UPDATE: the body has the phase, output and usage it set.
    execution = AgentExecution.objects.select_related("agent", "owner").get(pk=execution_id)
    bodies = {event.id: webhook_body(event, execution=execution) for event in out}
    created = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint_id=endpoint.pk, execution_id=execution_id, event_id=event.id,
            event_type=event.type, body=bodies[event.id],
        )
        for event, endpoint in wanted
    )
    _start_after_commit([str(delivery.pk) for delivery in created])
    return created


def _start_after_commit(delivery_ids: list[str]) -> None:
    # robust: a failure to start must not fail the writer, whose transaction
    # has committed; the reconciler starts what is left.
    transaction.on_commit(lambda: webhook_deliveries_start(delivery_ids=delivery_ids), robust=True)


def webhook_delivery_input(delivery_id: str) -> WebhookDeliveryInput:
    """The workflow's input, its retry schedule from settings (read here: workflows read none)."""
    return WebhookDeliveryInput(
        delivery_id=delivery_id,
        backoff_seconds=settings.STIGMER_WEBHOOK_BACKOFF_SECONDS,
        backoff_cap_seconds=settings.STIGMER_WEBHOOK_BACKOFF_CAP_SECONDS,
        attempts=settings.STIGMER_WEBHOOK_ATTEMPTS,
        timeout_seconds=settings.STIGMER_WEBHOOK_TIMEOUT_SECONDS,
    )


def webhook_deliveries_start(*, delivery_ids: list[str]) -> list[str]:
    """Start each delivery's workflow; the ids now started. One that cannot be
    started keeps the reason in start_error, for the reconciler to retry."""
    if not delivery_ids:
        return []
    config = temporal_config()
    inputs = [webhook_delivery_input(delivery_id) for delivery_id in delivery_ids]

    async def start_all(client):
        starts = (webhook_workflow_start(client, delivery=delivery, config=config) for delivery in inputs)
        return await asyncio.gather(*starts, return_exceptions=True)

    try:
        results = temporal_bridge.run(start_all, timeout=config.connect_timeout)
    except Exception as exc:  # noqa: BLE001 - Temporal unreachable: all wait for the reconciler
        results = [exc] * len(delivery_ids)
    started, now = [], timezone.now()
    for delivery_id, result in zip(delivery_ids, results):
        unstarted = WebhookDelivery.objects.filter(pk=delivery_id, workflow_started_at__isnull=True)
        if isinstance(result, BaseException):
            reason = f"Temporal unreachable at {config.host_port}: {str(result) or type(result).__name__}"
            logger.warning("webhook delivery %s not started: %s", delivery_id, reason)
            unstarted.update(start_error=reason[:MAX_ERROR_CHARS])
            continue
        unstarted.update(workflow_started_at=now, start_error="")
        started.append(delivery_id)
    return started


def webhook_deliveries_start_unstarted() -> list[str]:
    """The reconciler's pass: start every delivery whose workflow never
    started, oldest first (a second start of one is refused by Temporal)."""
    unstarted = (
        WebhookDelivery.objects.filter(workflow_started_at__isnull=True)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    return webhook_deliveries_start(delivery_ids=[str(pk) for pk in unstarted])


def webhook_delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a finished delivery's event again: a new delivery (and workflow)
    with the same event id and body, signed anew when sent."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery.pk)
    if delivery.status == DeliveryStatus.PENDING:
        raise WebhookNotRedeliverable(f"Delivery {delivery.pk} is still being attempted.")
    if not delivery.endpoint.is_active:
        raise WebhookNotRedeliverable(f"The endpoint {delivery.endpoint} is inactive.")
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            endpoint_id=delivery.endpoint_id, execution_id=delivery.execution_id, event_id=delivery.event_id,
            event_type=delivery.event_type, body=delivery.body, redelivery_of=delivery,
        )
        _start_after_commit([str(again.pk)])
    return again


@dataclass(frozen=True)
class WebhookAttempt:
    """What the activity needs to send one attempt (the secret still encrypted)."""

    delivery_id: str
    url: str
    body: str
    event_id: str
    event_type: str
    secret_encrypted: str


def webhook_delivery_attempt_begin(*, delivery_id: str) -> WebhookAttempt | None:
    """Count an attempt; None when there is nothing to send: the delivery is
    gone (its endpoint deleted, its execution pruned), already succeeded, or
    its endpoint was made inactive (then it is marked failed)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint")
            .filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        now = timezone.now()
        if not delivery.endpoint.is_active:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, "the endpoint is inactive"
            delivery.save(update_fields=["status", "last_error", "updated_at"])
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.save(update_fields=["attempts", "last_attempt_at", "updated_at"])
    endpoint = delivery.endpoint
    return WebhookAttempt(
        delivery_id=str(delivery.pk), url=endpoint.url, body=delivery.body, event_id=str(delivery.event_id),
        event_type=delivery.event_type, secret_encrypted=endpoint.secret_encrypted,
    )


def webhook_delivery_attempt_record(*, delivery_id: str, response_code: int | None, error: str = "") -> bool:
    """An attempt's outcome; True when it succeeded (a 2xx answer)."""
    now = timezone.now()
    succeeded = response_code is not None and 200 <= response_code < 300
    fields: dict = {"last_response_code": response_code, "last_error": error[:MAX_ERROR_CHARS], "updated_at": now}
    if succeeded:
        fields.update(status=DeliveryStatus.SUCCEEDED, delivered_at=now, last_error="")
    WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(**fields)
    return succeeded


def webhook_delivery_give_up(*, delivery_id: str, reason: str) -> None:
    """The attempts ran out: failed, keeping the last attempt's error."""
    pending = WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
    pending.filter(last_error="").update(last_error=reason[:MAX_ERROR_CHARS])
    pending.update(status=DeliveryStatus.FAILED, updated_at=timezone.now())
