"""/api/v1/webhooks/: the webhookendpoint permissions for every act; the secret goes in
and never comes out; a URL the platform must not call is a field error."""
import pytest
from django.contrib.auth import get_user_model

from executions.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from executions.webhooks.signing import endpoint_secret
from tests.api.conftest import _user, client_for, with_perms
from tests.webhooks.conftest import SECRET

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"
PERMS = ("view_webhookendpoint", "add_webhookendpoint", "change_webhookendpoint", "delete_webhookendpoint")
BODY = {"url": "https://hooks.example/stigmer", "events": ["execution.completed"], "secret": SECRET}


@pytest.fixture
def hooks_api(db):
    return client_for(with_perms(_user("hooks", is_staff=True), *PERMS))


def create(client, **changes):
    return client.post(URL, {**BODY, **changes}, format="json")


def test_create_list_detail_never_return_the_secret(hooks_api):
    created = create(hooks_api, description="billing")
    listed = hooks_api.get(URL)
    detail = hooks_api.get(f"{URL}{created.json()['id']}/")

    assert created.status_code == 201, created.json()
    assert set(created.json()) == {
        "id", "url", "events", "description", "is_active", "created_by", "secret_set_at", "created_at", "updated_at",
    }
    assert [e["url"] for e in listed.json()["results"]] == [BODY["url"]]
    assert detail.json()["events"] == ["execution.completed"] and detail.json()["created_by"] == "hooks"
    for response in (created, listed, detail):
        assert SECRET not in response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert SECRET not in endpoint.secret_encrypted
    assert endpoint_secret(endpoint.secret_encrypted) == SECRET


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
        ("http://[::ffff:169.254.169.254]/", "link-local"),
        ("ftp://hooks.example/", "http:// or https://"),
        ("not a url", "http:// or https://"),
        ("http://hooks.example:99999/", "http:// or https://"),
    ],
)
def test_a_url_the_platform_must_not_call_is_a_field_error(hooks_api, url, message):
    response = create(hooks_api, url=url)

    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["error"]["fields"]["url"])
    assert not WebhookEndpoint.objects.exists()


def test_bad_events_and_short_secret_are_field_errors(hooks_api):
    response = create(hooks_api, events=["execution.exploded"], secret="short")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"events", "secret"}
    assert create(hooks_api, events=[]).status_code == 400


def test_patch_rotates_the_secret_or_keeps_it(hooks_api):
    endpoint_id = create(hooks_api).json()["id"]
    kept = hooks_api.patch(f"{URL}{endpoint_id}/", {"is_active": False}, format="json")
    assert kept.status_code == 200 and kept.json()["is_active"] is False
    assert endpoint_secret(WebhookEndpoint.objects.get().secret_encrypted) == SECRET

    rotated = hooks_api.patch(f"{URL}{endpoint_id}/", {"secret": "a-brand-new-secret-42"}, format="json")
    assert rotated.status_code == 200 and "a-brand-new-secret-42" not in rotated.content.decode()
    assert endpoint_secret(WebhookEndpoint.objects.get().secret_encrypted) == "a-brand-new-secret-42"
    bad = hooks_api.patch(f"{URL}{endpoint_id}/", {"url": "http://169.254.169.254/"}, format="json")
    assert bad.status_code == 400 and "url" in bad.json()["error"]["fields"]


def test_every_act_needs_its_permission(db):
    api = client_for(_user("alice"))
    assert api.get(URL).status_code == 403
    assert create(api).status_code == 403
    reader = client_for(with_perms(_user("reader"), "view_webhookendpoint"))
    assert reader.get(URL).status_code == 200
    assert create(reader).status_code == 403


def _delivery(endpoint, status=DeliveryStatus.FAILED, **extra):
    return WebhookDelivery.objects.create(
        endpoint=endpoint, **extra, event_id="0b8e2d6c-6f0a-5c1e-9a57-2f4d0c8e41c2", event_type="execution.completed",
        body='{"id": "0b8e2d6c-6f0a-5c1e-9a57-2f4d0c8e41c2"}', status=status, attempts=20, last_response_code=503,
    )


def test_the_delivery_log_and_redeliver_rules(hooks_api, fast_start, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpoint.objects.get(pk=create(hooks_api).json()["id"])
    failed = _delivery(endpoint)
    pending = _delivery(endpoint, DeliveryStatus.PENDING, redelivery_of=failed)  # a redelivery of the same event

    log = hooks_api.get(f"{URL}{endpoint.pk}/deliveries/")
    assert log.status_code == 200
    assert {(d["status"], d["attempts"], d["last_response_code"]) for d in log.json()["results"]} == {
        ("failed", 20, 503), ("pending", 20, 503),
    }
    base = f"{URL}{endpoint.pk}/deliveries"
    assert hooks_api.post(f"{base}/{pending.pk}/redeliver/").status_code == 409  # still being attempted
    assert hooks_api.post(f"{base}/not-a-uuid/redeliver/").status_code == 404
    reader = client_for(with_perms(get_user_model().objects.create_user("reader"), "view_webhookendpoint"))
    assert reader.post(f"{base}/{failed.pk}/redeliver/").status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = hooks_api.post(f"{base}/{failed.pk}/redeliver/")
    assert response.status_code == 202
    again = WebhookDelivery.objects.get(pk=response.json()["id"])
    assert (str(again.event_id), again.body, again.redelivery_of_id) == (str(failed.event_id), failed.body, failed.pk)
    assert again.workflow_started_at is None and "Temporal unreachable" in again.start_error  # for the reconciler
