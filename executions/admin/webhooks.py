"""Webhook endpoints (the secret is write-only) and the delivery log, with a redeliver action."""
import json

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from executions.errors import WebhookNotRedeliverable
from executions.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from executions.permissions import may_redeliver_webhooks
from executions.services.webhook_deliveries import webhook_delivery_redeliver
from executions.services.webhook_endpoints import (
    MAX_SECRET_CHARS,
    MIN_SECRET_CHARS,
    webhook_endpoint_delete,
    webhook_endpoint_set,
)


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple)
    secret = forms.CharField(
        required=False,
        min_length=MIN_SECRET_CHARS,
        max_length=MAX_SECRET_CHARS,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Signs every delivery (docs/webhooks.md). Write-only: it is never shown again. "
        "On an existing endpoint, a new secret rotates it; leave blank to keep the current one.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "events", "description", "is_active"]

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"]
        if not secret and self.instance._state.adding:
            raise forms.ValidationError("An endpoint needs a secret to sign with.")
        return secret


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "event_list", "is_active", "secret_status", "delivery_log"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    fields = ["url", "events", "description", "is_active", "secret", "secret_status", "delivery_log"]
    readonly_fields = ["secret_status", "delivery_log"]

    @admin.display(description="Events")
    def event_list(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.display(description="Secret")
    def secret_status(self, endpoint: WebhookEndpoint) -> str:
        if not endpoint.pk:
            return "not set"
        return f"set at {timezone.localtime(endpoint.secret_set_at):%Y-%m-%d %H:%M:%S %Z}"

    @admin.display(description="Deliveries")
    def delivery_log(self, endpoint: WebhookEndpoint) -> str:
        if not endpoint.pk:
            return "-"
        url = reverse("admin:executions_webhookdelivery_changelist") + f"?endpoint__id__exact={endpoint.pk}"
        return format_html('<a href="{}">delivery log</a>', url)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        webhook_endpoint_set(endpoint=obj, secret=form.cleaned_data["secret"] or None)

    def delete_model(self, request, obj):
        webhook_endpoint_delete(endpoint=obj)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """The log: read-only, each delivery's status, attempts and last answer."""

    list_display = [
        "created_at", "event_type", "endpoint", "execution_link", "status", "attempts",
        "last_response_code", "delivered_at",
    ]
    list_filter = ["status", "event_type", "endpoint"]
    search_fields = ["event_id", "execution__id"]
    list_select_related = ["endpoint", "execution"]
    actions = ["redeliver_selected"]
    fields = [
        "endpoint", "execution_link", "event_id", "event_type", "status", "attempts", "last_response_code",
        "last_error", "created_at", "workflow_started_at", "start_error", "last_attempt_at", "delivered_at",
        "redelivery_of", "pretty_body",
    ]
    readonly_fields = fields

    @admin.display(description="Execution")
    def execution_link(self, delivery: WebhookDelivery) -> str:
        if not delivery.execution_id:
            return "-"
        url = reverse("admin:executions_agentexecution_change", args=[delivery.execution_id])
        return format_html('<a href="{}">{}</a>', url, str(delivery.execution_id)[:8])

    @admin.display(description="Body")
    def pretty_body(self, delivery: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(json.loads(delivery.body), indent=2))

    def has_add_permission(self, request) -> bool:
        return False  # written with the events they report, never by hand

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_redeliver_permission(self, request) -> bool:
        return may_redeliver_webhooks(request.user)

    @admin.action(description="Redeliver the selected deliveries (same event id)", permissions=["redeliver"])
    def redeliver_selected(self, request, queryset):
        sent = 0
        for delivery in queryset:
            try:
                webhook_delivery_redeliver(delivery=delivery)
            except WebhookNotRedeliverable as exc:
                self.message_user(request, str(exc), messages.WARNING)
                continue
            sent += 1
        if sent:
            self.message_user(request, f"Redelivery started for {sent} deliveries.", messages.SUCCESS)
