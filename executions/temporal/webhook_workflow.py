"""The webhook delivery workflow. Deterministic and sandboxed: no Django, no I/O."""
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from executions.temporal.contract import (
        DELIVER_WEBHOOK,
        WEBHOOK_DELIVERY_GIVE_UP,
        WEBHOOK_GIVE_UP_RETRY,
        WEBHOOK_WORKFLOW_TYPE,
        WebhookDeliveryInput,
    )


@workflow.defn(name=WEBHOOK_WORKFLOW_TYPE)
class WebhookDeliveryWorkflow:
    """One delivery: POST until the receiver says 2xx, with exponential backoff.

    Temporal holds the retries, so a receiver that is down for hours, or a
    worker restarted meanwhile, still gets the event; when the attempts run
    out the delivery is marked failed (and can be redelivered from the admin).
    """

    @workflow.run
    async def run(self, delivery: WebhookDeliveryInput) -> str:
        retry = RetryPolicy(
            initial_interval=timedelta(seconds=delivery.backoff_seconds),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=max(delivery.backoff_cap_seconds, delivery.backoff_seconds)),
            maximum_attempts=delivery.attempts,
        )
        try:
            return await workflow.execute_activity(
                DELIVER_WEBHOOK,
                delivery,
                result_type=str,
                # The request's own timeout, plus time to resolve and record.
                start_to_close_timeout=timedelta(seconds=delivery.timeout_seconds + 30),
                retry_policy=retry,
            )
        except ActivityError as exc:
            reason = str(exc.cause or exc)
            await workflow.execute_activity(
                WEBHOOK_DELIVERY_GIVE_UP,
                args=[delivery.delivery_id, reason],
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=WEBHOOK_GIVE_UP_RETRY,
            )
            return "failed"
