import pytest

from executions.models import Agent
from tests.api.conftest import client_for, make_execution

pytestmark = pytest.mark.django_db

URL = "/api/v1/agents/"
NEW = {"slug": "helper", "name": "Helper", "model": "scripted:demo", "tools": ["calculator"]}


def test_any_authenticated_user_lists_and_reads_agents(api, demo_agent):
    listed = api.get(URL).json()
    assert [a["slug"] for a in listed["results"]] == ["demo"]
    detail = api.get(f"{URL}demo/").json()
    assert detail["model"] == "scripted:demo" and "calculator" in detail["tools"]


def test_the_scripted_model_is_named_as_offline(api, demo_agent, admin_client):
    detail = api.get(f"{URL}demo/").json()
    assert detail["offline"] is True
    assert detail["model_description"] == "scripted:demo (offline scripted model)"
    page = admin_client.get("/admin/executions/agent/")
    assert "scripted:demo (offline scripted model)" in page.content.decode()


def test_agents_are_cursor_paginated_by_slug(api):
    for i in range(5):
        Agent.objects.create(slug=f"a{i}", name=f"A{i}")
    first = api.get(URL, {"page_size": 2}).json()
    assert [a["slug"] for a in first["results"]] == ["a0", "a1"]
    second = api.get(first["next"]).json()
    assert [a["slug"] for a in second["results"]] == ["a2", "a3"]


def test_non_staff_cannot_write_agents(api, demo_agent):
    assert api.post(URL, NEW, format="json").status_code == 403
    assert api.patch(f"{URL}demo/", {"name": "x"}, format="json").status_code == 403
    assert api.delete(f"{URL}demo/").status_code == 403
    assert api.post(URL, NEW, format="json").json()["error"]["code"] == "permission_denied"


def test_editor_creates_updates_and_deletes_an_agent(editor):
    client = client_for(editor)
    created = client.post(URL, NEW, format="json")
    assert created.status_code == 201, created.json()
    assert Agent.objects.get(slug="helper").owner == editor
    patched = client.patch(f"{URL}helper/", {"instructions": "Be brief."}, format="json")
    assert patched.json()["instructions"] == "Be brief."
    replaced = client.put(f"{URL}helper/", {**NEW, "name": "Renamed"}, format="json")
    assert replaced.json()["name"] == "Renamed"
    assert client.delete(f"{URL}helper/").status_code == 204
    assert not Agent.objects.filter(slug="helper").exists()


def test_agent_input_is_validated(editor, demo_agent):
    client = client_for(editor)
    bad = {**NEW, "model": "nonsense", "tools": ["rm_rf"]}
    fields = client.post(URL, bad, format="json").json()["error"]["fields"]
    assert set(fields) >= {"model", "tools"}
    duplicate = client.post(URL, {**NEW, "slug": "demo"}, format="json")
    assert duplicate.status_code == 400 and "slug" in duplicate.json()["error"]["fields"]
    assert not Agent.objects.filter(slug="helper").exists()


def test_agent_with_executions_cannot_be_deleted(editor, demo_agent):
    make_execution(agent=demo_agent, owner=editor, phase="COMPLETED")
    response = client_for(editor).delete(f"{URL}demo/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "protected"


def test_unknown_agent_is_404(api):
    response = api.get(f"{URL}nope/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_anonymous_is_401(anon, demo_agent):
    response = anon.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_null_characters_in_model_options_are_a_field_error(editor):
    response = client_for(editor).post(
        URL, {**NEW, "model_options": {"token_delay": "\u0000"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["model_options"] == ["Null characters are not allowed."]
    assert not Agent.objects.filter(slug="helper").exists()
