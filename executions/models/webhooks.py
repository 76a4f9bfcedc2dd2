"""Webhooks: endpoints that hear of executions and approvals, and the outbox
of their deliveries (one row per event and endpoint, sent by Temporal)."""
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from executions.models.executions import AgentExecution


class WebhookEvent(models.TextChoices):
    EXECUTION_COMPLETED = "execution.completed"
    EXECUTION_FAILED = "execution.failed"
    EXECUTION_CANCELLED = "execution.cancelled"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_DECIDED = "approval.decided"


class WebhookEndpoint(models.Model):
    """A URL that receives the events it subscribes to, signed with its secret.

    The secret is write-only: surfaces set it through the services, and only the
    delivery activity decrypts it (executions/webhooks/signing.py), to sign.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Not a URLField: its validator refuses single-label hosts (a compose
    # service's name); stigmer/outbound.py is the rule.
    url = models.CharField(max_length=2000)
    events = models.JSONField(default=list, help_text="The event types sent to this URL")
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Inactive endpoints are sent nothing new")
    # A Fernet token (executions/crypto.py); never the secret itself.
    secret_encrypted = models.TextField(editable=False)
    secret_set_at = models.DateTimeField(help_text="When the secret was last set")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.url

    def clean(self) -> None:
        """The one rule for every surface (admin form, API, services)."""
        from stigmer.outbound import outbound_url_problem

        errors: dict = {}
        if problem := outbound_url_problem(self.url):
            errors["url"] = f"The URL must be {problem}."
        if problem := _events_problem(self.events):
            errors["events"] = problem
        if errors:
            raise ValidationError(errors)


def _events_problem(events) -> str | None:
    known = list(WebhookEvent.values)
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        return "A list of event types."
    if not events:
        return f"Choose at least one of: {', '.join(known)}."
    if unknown := sorted(set(events) - set(known)):
        return f"Unknown event types: {', '.join(unknown)}. Known: {', '.join(known)}."
    if len(set(events)) != len(events):
        return "Each event type once."
    return None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "pending: not sent yet, or being retried"
    SUCCEEDED = "succeeded", "succeeded: the receiver answered 2xx"
    FAILED = "failed", "failed: gave up"


class WebhookDelivery(models.Model):
    """One event for one endpoint: written with the log event it reports, in the
    same transaction, then sent by its own workflow (id: a function of this id).

    A redelivery is a new row for the same event id (the receiver's dedupe
    key), pointing at the delivery it repeats.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # Pruned with its execution (retention): the body quotes the run.
    execution = models.ForeignKey(
        AgentExecution, null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    event_id = models.UUIDField(help_text="The same for every delivery of one event")
    event_type = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # The exact JSON text that is signed and sent.
    body = models.TextField()
    status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )
    # Set once its workflow is started; until then the reconciler starts it.
    workflow_started_at = models.DateTimeField(null=True, blank=True)
    start_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            # Once per event and endpoint, redeliveries apart.
            models.UniqueConstraint(
                fields=["endpoint", "event_id"],
                condition=models.Q(redelivery_of__isnull=True),
                name="unique_webhook_event_per_endpoint",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"], condition=models.Q(workflow_started_at__isnull=True),
                name="webhook_delivery_unstarted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"
