import pytest

from executions.models import Session
from tests.api.conftest import client_for, make_execution

pytestmark = pytest.mark.django_db

URL = "/api/v1/sessions/"


def test_create_list_read_rename_delete_a_session(api, alice, demo_agent):
    created = api.post(URL, {"agent": "demo", "subject": "maths"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["agent"] == "demo" and body["owner"] == "alice"
    assert [s["id"] for s in api.get(URL).json()["results"]] == [body["id"]]
    assert api.get(f"{URL}{body['id']}/").json()["subject"] == "maths"
    renamed = api.patch(f"{URL}{body['id']}/", {"subject": "algebra"}, format="json")
    assert renamed.json()["subject"] == "algebra"
    assert api.delete(f"{URL}{body['id']}/").status_code == 204
    assert not Session.objects.exists()


def test_session_of_unknown_agent_is_rejected(api, db):
    response = api.post(URL, {"agent": "ghost"}, format="json")
    assert response.status_code == 400
    assert "agent" in response.json()["error"]["fields"]


def test_sessions_are_private_to_their_owner(api, bob, staff, viewer, demo_agent):
    theirs = Session.objects.create(agent=demo_agent, owner=bob)
    assert api.get(URL).json()["results"] == []
    for method in ("get", "patch", "delete"):
        response = getattr(api, method)(f"{URL}{theirs.pk}/", {"subject": "x"}, format="json")
        assert response.status_code == 404, method
    assert api.get(f"{URL}{theirs.pk}/executions/").status_code == 404
    assert client_for(staff).get(URL).json()["results"] == []  # the staff flag alone
    assert [s["id"] for s in client_for(viewer).get(URL).json()["results"]] == [str(theirs.pk)]


def test_malformed_session_id_is_404(api):
    assert api.get(f"{URL}not-a-uuid/").status_code == 404


def test_executions_of_a_session_are_listed_newest_first(api, alice, demo_agent):
    first = make_execution(agent=demo_agent, owner=alice, message="one")
    second = make_execution(agent=demo_agent, owner=alice, message="two")
    second.session = first.session
    second.save(update_fields=["session"])
    make_execution(agent=demo_agent, owner=alice, message="elsewhere")
    listed = api.get(f"{URL}{first.session_id}/executions/").json()["results"]
    assert [e["message"] for e in listed] == ["two", "one"]


def test_session_input_rejects_unknown_fields_and_wrong_types(api, demo_agent):
    unknown = api.post(URL, {"agent": "demo", "owner": 1}, format="json")
    assert unknown.json()["error"]["fields"] == {"owner": ["Unknown field."]}
    wrong = api.post(URL, {"agent": "demo", "subject": 5}, format="json")
    assert wrong.status_code == 400 and "subject" in wrong.json()["error"]["fields"]
    assert not Session.objects.exists()
