"""Webhook admin: the secret is write-only, the URL rule is a form error, and the
delivery log shows status, attempts and response code, with a redeliver action."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.urls import reverse

from executions.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from executions.webhooks.signing import endpoint_secret
from tests.api.conftest import with_perms
from tests.webhooks.conftest import SECRET, endpoint_for

pytestmark = pytest.mark.django_db

ADD = "admin:executions_webhookendpoint_add"
LOG = "admin:executions_webhookdelivery_changelist"


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "", "pw"))
    return client


def form(**changes) -> dict:
    return {"url": "https://hooks.example/in", "events": ["execution.completed", "approval.requested"],
            "description": "", "is_active": "on", "secret": SECRET, **changes}  # fmt: skip


def test_add_form_encrypts_the_secret_and_never_renders_it_back(admin_client):
    response = admin_client.post(reverse(ADD), form())

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["execution.completed", "approval.requested"]
    assert endpoint.created_by.username == "root" and endpoint_secret(endpoint.secret_encrypted) == SECRET
    page = admin_client.get(reverse("admin:executions_webhookendpoint_change", args=[endpoint.pk])).content.decode()
    assert SECRET not in page and endpoint.secret_encrypted not in page
    assert "set at" in page and 'type="password"' in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"url": "http://169.254.169.254/latest/"}, "link-local"),
        ({"url": "file:///etc/passwd"}, "http:// or https://"),
        ({"secret": ""}, "An endpoint needs a secret"),
        ({"events": []}, "This field is required"),
    ],
)
def test_bad_input_is_a_form_error(admin_client, changes, message):
    response = admin_client.post(reverse(ADD), form(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_log_and_its_redeliver_action(admin_client, fast_start, django_capture_on_commit_callbacks):
    endpoint = endpoint_for("https://hooks.example/in")
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="6f1d8f4e-3b0a-5c1e-9a57-2f4d0c8e7b13", event_type="execution.failed",
        body='{"id": "6f1d8f4e-3b0a-5c1e-9a57-2f4d0c8e7b13"}', status=DeliveryStatus.FAILED, attempts=20,
        last_response_code=503, last_error="the receiver answered 503",
    )
    page = admin_client.get(reverse(LOG)).content.decode()
    assert "execution.failed" in page and "503" in page and "Redeliver" in page
    assert SECRET not in admin_client.get(reverse("admin:executions_webhookdelivery_change", args=[failed.pk])).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse(LOG), {"action": "redeliver_selected", ACTION_CHECKBOX_NAME: [str(failed.pk)]}
        )

    assert response.status_code == 302
    again = WebhookDelivery.objects.exclude(pk=failed.pk).get()
    assert (str(again.event_id), again.redelivery_of_id, again.status) == (str(failed.event_id), failed.pk, "pending")
    assert "Temporal unreachable" in again.start_error  # left for the reconciler


def test_only_who_may_change_endpoints_may_redeliver(client):
    viewer = with_perms(
        get_user_model().objects.create_user("viewer", is_staff=True), "view_webhookdelivery", "view_webhookendpoint"
    )
    client.force_login(viewer)

    page = client.get(reverse(LOG))
    assert page.status_code == 200 and "redeliver_selected" not in page.content.decode()
