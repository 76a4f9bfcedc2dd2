"""Webhook endpoints (the secret is write-only: no response carries it) and their deliveries."""
from rest_framework import serializers

from executions.api.serializers.base import InputSerializer, StrictBooleanField, StrictCharField
from executions.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from executions.services.webhook_endpoints import MAX_SECRET_CHARS, MIN_SECRET_CHARS


class WebhookEndpointOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "events", "description", "is_active", "created_by", "secret_set_at",
            "created_at", "updated_at",
        ]
        read_only_fields = fields


def _events_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False, max_length=20,
        help_text="The event types sent to this URL", **kwargs,
    )


def _secret_field(**kwargs) -> StrictCharField:
    return StrictCharField(
        write_only=True, min_length=MIN_SECRET_CHARS, max_length=MAX_SECRET_CHARS,
        style={"input_type": "password"}, help_text="Signs every delivery; write-only, never returned",
        **kwargs,
    )


class WebhookEndpointCreateSerializer(InputSerializer):
    # The URL rule (http(s), no link-local or metadata address) is the
    # model's, applied by the service: one rule for the admin and the API.
    url = StrictCharField(max_length=2000)
    events = _events_field()
    secret = _secret_field()
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    is_active = StrictBooleanField(required=False)


class WebhookEndpointUpdateSerializer(InputSerializer):
    """PUT gives url and events (the secret is kept unless given); PATCH what changes."""

    url = StrictCharField(max_length=2000)
    events = _events_field()
    secret = _secret_field(required=False)
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    is_active = StrictBooleanField(required=False)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "event_id", "event_type", "status", "attempts", "last_response_code", "last_error",
            "execution", "redelivery_of", "created_at", "last_attempt_at", "delivered_at",
        ]
        read_only_fields = fields
