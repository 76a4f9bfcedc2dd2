"""/api/v1/credentials/: the credential permissions for every act, and the value goes in but
never comes out."""
import pytest

from executions.models import Agent, Credential
from tests.credential_values import credential_value
from tests.api.conftest import _user, client_for, with_perms

pytestmark = pytest.mark.django_db

URL = "/api/v1/credentials/"
SECRET = "sk-api-secret-5f1c9a7e"


CREDENTIAL_PERMS = ("view_credential", "add_credential", "change_credential", "delete_credential")


@pytest.fixture
def keeper(db):
    """Manages credentials and agents."""
    return with_perms(_user("keeper", is_staff=True), *CREDENTIAL_PERMS, "add_agent", "change_agent")


@pytest.fixture
def admin_api(keeper):
    return client_for(keeper)


def create(client, name="openai-prod", value=SECRET, **extra):
    return client.post(URL, {"name": name, "value": value, **extra}, format="json")


def test_create_list_detail_never_return_the_value(admin_api):
    created = create(admin_api, description="production key")
    listed = admin_api.get(URL)
    detail = admin_api.get(f"{URL}openai-prod/")

    assert created.status_code == 201, created.json()
    assert set(created.json()) == {"name", "description", "created_by", "created_at", "updated_at", "rotated_at"}
    assert created.json()["created_by"] == "keeper"
    assert [c["name"] for c in listed.json()["results"]] == ["openai-prod"]
    assert detail.json()["description"] == "production key"
    for response in (created, listed, detail):
        assert SECRET not in response.content.decode()
    assert credential_value("openai-prod") == SECRET


def test_put_and_patch_rotate_the_value_and_keep_the_name(admin_api):
    create(admin_api)
    first = Credential.objects.get().rotated_at

    put = admin_api.put(f"{URL}openai-prod/", {"value": "second-value"}, format="json")
    assert put.status_code == 200 and "second-value" not in put.content.decode()
    assert credential_value("openai-prod") == "second-value"
    patch = admin_api.patch(f"{URL}openai-prod/", {"description": "moved"}, format="json")
    assert patch.json()["description"] == "moved" and patch.json()["rotated_at"] == put.json()["rotated_at"]
    assert credential_value("openai-prod") == "second-value"  # a PATCH without value keeps it
    assert Credential.objects.get().rotated_at > first


@pytest.mark.parametrize(
    "method, body, field",
    [
        ("put", {}, "value"),
        ("put", {"value": ""}, "value"),
        ("patch", {"value": 42}, "value"),
        ("patch", {"name": "renamed"}, "name"),
    ],
)
def test_bad_updates_are_field_errors(admin_api, method, body, field):
    create(admin_api)
    response = getattr(admin_api, method)(f"{URL}openai-prod/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert credential_value("openai-prod") == SECRET


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "openai-prod", "value": "again"}, "name"),
        ({"name": "has space", "value": "v"}, "name"),
        ({"name": "k"}, "value"),
        ({"name": "k", "value": ""}, "value"),
        ({"name": "k", "value": "v", "extra": 1}, "extra"),
    ],
)
def test_bad_creates_are_field_errors(admin_api, body, field):
    create(admin_api)
    response = admin_api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert "again" not in response.content.decode()
    assert Credential.objects.count() == 1


def test_delete_is_refused_while_an_agent_refers_to_it(admin_api):
    create(admin_api)
    agent = {"slug": "wired", "name": "Wired", "model": "openai:gpt-4o-mini",
             "model_options": {"api_key": {"credential": "openai-prod"}}}
    assert admin_api.post("/api/v1/agents/", agent, format="json").status_code == 201

    refused = admin_api.delete(f"{URL}openai-prod/")
    assert refused.status_code == 409 and "wired" in refused.json()["error"]["message"]
    Agent.objects.all().delete()
    assert admin_api.delete(f"{URL}openai-prod/").status_code == 204
    assert admin_api.get(f"{URL}openai-prod/").status_code == 404


def test_agents_are_refused_with_clear_secrets_or_unknown_credentials(admin_api):
    base = {"slug": "wired", "name": "Wired", "model": "openai:gpt-4o-mini"}
    clear = admin_api.post("/api/v1/agents/", {**base, "model_options": {"api_key": SECRET}}, format="json")
    unknown = admin_api.post(
        "/api/v1/agents/", {**base, "model_options": {"api_key": {"credential": "ghost"}}}, format="json"
    )
    assert clear.status_code == unknown.status_code == 400
    assert "model_options" in clear.json()["error"]["fields"] and SECRET not in clear.content.decode()
    assert "ghost" in str(unknown.json()["error"]["fields"]["model_options"])
    assert not Agent.objects.exists()


def test_every_act_needs_its_credential_permission(api, anon, staff, keeper):
    create(client_for(keeper))
    reader = client_for(with_perms(_user("reader"), "view_credential"))
    for client in (api, client_for(staff)):  # the staff flag alone grants nothing
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}openai-prod/").status_code == 403
        assert create(client, name="mine").status_code == 403
    assert reader.get(URL).status_code == 200 and reader.get(f"{URL}openai-prod/").status_code == 200
    assert reader.patch(f"{URL}openai-prod/", {"value": "x"}, format="json").status_code == 403
    assert reader.delete(f"{URL}openai-prod/").status_code == 403
    assert anon.get(URL).status_code == 401
    assert Credential.objects.count() == 1 and credential_value("openai-prod") == SECRET
