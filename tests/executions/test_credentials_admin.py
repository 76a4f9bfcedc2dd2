"""Credential admin: a password field that is never rendered back; in-use credentials protected."""
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from executions.models import Agent, Credential
from executions.services.credentials import credential_create
from tests.credential_values import credential_value

pytestmark = pytest.mark.django_db

SECRET = "sk-admin-secret-77c1e0"


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "", "pw"))
    return client


def change_url(credential) -> str:
    return reverse("admin:executions_credential_change", args=[credential.pk])


def test_add_form_encrypts_the_value_and_records_the_author(admin_client):
    page = admin_client.get(reverse("admin:executions_credential_add")).content.decode()
    assert 'type="password"' in page

    response = admin_client.post(
        reverse("admin:executions_credential_add"),
        {"name": "openai-prod", "description": "prod", "value": SECRET},
    )

    assert response.status_code == 302
    credential = Credential.objects.get()
    assert credential.created_by.username == "root" and SECRET not in credential.value_encrypted
    assert credential_value("openai-prod") == SECRET


def test_add_without_a_value_is_a_form_error(admin_client):
    response = admin_client.post(reverse("admin:executions_credential_add"), {"name": "k", "value": ""})
    assert response.status_code == 200
    assert "A credential needs a value." in response.content.decode()
    assert not Credential.objects.exists()


def test_change_page_shows_only_that_it_is_set(admin_client):
    credential = credential_create(name="openai-prod", value=SECRET)
    Agent.objects.create(slug="wired", name="Wired", model_options={"api_key": {"credential": "openai-prod"}})

    page = admin_client.get(change_url(credential)).content.decode()

    assert SECRET not in page and credential.value_encrypted not in page
    assert "set, last rotated at" in page and "wired" in page  # used by
    assert 'type="password"' in page and 'value="' + SECRET not in page


def test_blank_value_keeps_it_and_a_new_value_rotates_it(admin_client):
    credential = credential_create(name="openai-prod", value=SECRET)
    rotated_at = credential.rotated_at

    admin_client.post(change_url(credential), {"description": "kept", "value": ""})
    credential.refresh_from_db()
    assert credential.description == "kept" and credential.rotated_at == rotated_at
    assert credential_value("openai-prod") == SECRET

    admin_client.post(change_url(credential), {"description": "kept", "value": "next-value"})
    credential.refresh_from_db()
    assert credential.rotated_at > rotated_at and credential_value("openai-prod") == "next-value"


def test_a_credential_in_use_is_protected_from_deletion(admin_client):
    credential = credential_create(name="openai-prod", value=SECRET)
    Agent.objects.create(slug="wired", name="Wired", model_options={"api_key": {"credential": "openai-prod"}})
    url = reverse("admin:executions_credential_delete", args=[credential.pk])

    page = admin_client.get(url).content.decode()
    admin_client.post(url, {"post": "yes"})

    assert "agent wired" in page
    assert Credential.objects.filter(pk=credential.pk).exists()


def test_agent_form_refuses_a_clear_text_key(admin_client):
    response = admin_client.post(
        reverse("admin:executions_agent_add"),
        {
            "slug": "wired", "name": "Wired", "model": "openai:gpt-4o-mini",
            "model_options": '{"api_key": "%s"}' % SECRET, "tools": "[]",
            "execution_timeout_seconds": 600, "max_tool_calls": 25, "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert "keep secrets in a credential" in response.content.decode()
    assert not Agent.objects.exists()


def test_the_staff_flag_alone_opens_no_credential_page(client):
    credential = credential_create(name="openai-prod", value=SECRET)
    user = get_user_model().objects.create_user("staffer", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:executions_credential_changelist")).status_code == 403
    assert client.get(change_url(credential)).status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="view_credential"))
    page = client.get(change_url(credential)).content.decode()
    assert "set, last rotated at" in page and 'type="password"' not in page  # read-only
    assert client.post(change_url(credential), {"value": "x"}).status_code == 403
