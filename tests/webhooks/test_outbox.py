"""The outbox: a delivery per webhook event and subscribed active endpoint, written
with the log event, in its transaction; nothing for any other event."""
import json
import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from executions.models import Phase, WebhookDelivery
from executions.services.events import execution_event_append
from executions.services.executions import execution_create
from executions.services.phases import execution_phase_set
from executions.webhooks.signing import endpoint_secret
from tests.webhooks.conftest import SECRET, endpoint_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def execution(demo_agent, fast_start):
    return execution_create(agent=demo_agent, message="What is 6*7?")  # PENDING: nothing runs it


def test_only_webhook_events_for_subscribed_active_endpoints_are_queued(execution):
    approvals = endpoint_for("https://a.example/", "approval.requested", "execution.cancelled")
    everything = endpoint_for("https://b.example/")
    endpoint_for("https://c.example/", "execution.completed")  # not subscribed to these
    endpoint_for("https://d.example/", is_active=False)

    execution_event_append(execution_id=execution.pk, type="message", data={"role": "ai", "content": "hi"})
    assert not WebhookDelivery.objects.exists()
    requested = execution_event_append(execution_id=execution.pk, type="approval_requested", data={"tool": "t"})
    execution_phase_set(execution_id=execution.pk, phase=Phase.CANCELLED)

    rows = WebhookDelivery.objects.order_by("event_type", "endpoint__url")
    assert [(d.endpoint_id, d.event_type) for d in rows] == [
        (approvals.pk, "approval.requested"), (everything.pk, "approval.requested"),
        (approvals.pk, "execution.cancelled"), (everything.pk, "execution.cancelled"),
    ]
    first, second = rows[0], rows[1]
    assert first.event_id == second.event_id and first.body == second.body  # one event, one id
    assert first.event_id == uuid.uuid5(uuid.UUID("6f1d8f4e-3b0a-5c1e-9a57-2f4d0c8e7b13"), f"{execution.pk}/{requested.sequence}")
    body = json.loads(rows[2].body)
    assert body["type"] == "execution.cancelled" and body["id"] == str(rows[2].event_id)
    assert body["data"]["execution"]["phase"] == "CANCELLED" and body["data"]["execution"]["agent"] == "demo"
    assert json.loads(first.body)["data"]["approval"] == {"tool": "t"}
    assert {d.execution_id for d in rows} == {execution.pk}


def test_a_log_event_rolled_back_queues_nothing(execution):
    endpoint_for("https://a.example/")
    with pytest.raises(RuntimeError), transaction.atomic():
        execution_phase_set(execution_id=execution.pk, phase=Phase.CANCELLED)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the writer's transaction fails")

    assert not WebhookDelivery.objects.exists()


def test_rotating_the_key_reencrypts_webhook_secrets(settings):
    from cryptography.fernet import Fernet

    endpoint = endpoint_for("https://a.example/")
    new_key = Fernet.generate_key().decode()
    settings.STIGMER_CREDENTIALS_KEYS = [new_key, "secret_key"]
    out = StringIO()
    call_command("rotate_credentials_key", stdout=out)

    assert "1 webhook secret" in out.getvalue()
    endpoint.refresh_from_db()
    settings.STIGMER_CREDENTIALS_KEYS = [new_key]  # the old key dropped
    assert endpoint_secret(endpoint.secret_encrypted) == SECRET
