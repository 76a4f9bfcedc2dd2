"""Every error has one shape: {"error": {"code", "message", "fields"}}; none is a 500."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.test import APIClient

from executions.models import AgentExecution

pytestmark = pytest.mark.django_db

URL = "/api/v1/executions/"


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"} and error["message"]
    if code:
        assert error["code"] == code
    return error


def test_malformed_json_is_400(api, demo_agent):
    response = api.post(URL, '{"agent": "demo", "message":', content_type="application/json")
    assert_error(response, 400, "parse_error")
    assert not AgentExecution.objects.exists()


def test_json_that_is_not_an_object_is_400(api, demo_agent):
    response = api.post(URL, "[1, 2]", content_type="application/json")
    assert "non_field_errors" in assert_error(response, 400, "invalid")["fields"]


@pytest.mark.parametrize("body", ["[" * 100_000, '{"agent": "demo", "message": "hi", "model": ' + "[" * 40 + "]" * 40 + "}"])
def test_deeply_nested_json_is_400(api, demo_agent, body):
    response = api.post(URL, body, content_type="application/json")
    assert "nested deeper" in assert_error(response, 400, "parse_error")["message"]
    assert not AgentExecution.objects.exists()


def test_oversized_body_is_413(api, demo_agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"agent": "demo", "message": "%s"}' % ("x" * 2000)
    response = api.post(URL, body, content_type="application/json")
    assert_error(response, 413, "payload_too_large")
    assert not AgentExecution.objects.exists()


def test_oversized_form_body_is_415_unread(api, demo_agent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(URL, {"message": "x" * 2000})  # multipart: not JSON
    # Only JSON is parsed: any other media type is refused before its body is
    # read, whatever its size.
    assert_error(response, 415, "unsupported_media_type")
    assert not AgentExecution.objects.exists()


def test_non_json_media_type_is_415(api, demo_agent):
    response = api.post(URL, "agent=demo", content_type="application/x-www-form-urlencoded")
    assert_error(response, 415, "unsupported_media_type")


def test_unknown_fields_are_rejected(api, demo_agent):
    response = api.post(URL, {"agent": "demo", "message": "hi", "owner": 2}, format="json")
    assert assert_error(response, 400)["fields"] == {"owner": ["Unknown field."]}


def test_method_not_allowed_and_unknown_url_use_the_shape(api, db):
    assert_error(api.put(URL, {}, format="json"), 405, "method_not_allowed")
    assert_error(api.get("/api/v1/nothing-here/"), 404, "not_found")


def test_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")
    assert_error(client.get(URL), 401, "authentication_failed")


def test_session_auth_works_alongside_tokens(alice, demo_agent):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(URL).status_code == 200
    # Session-authenticated writes need the CSRF token, like any Django form.
    assert_error(client.post(URL, {}, format="json"), 403, "permission_denied")


def test_issue_token_command_prints_a_working_token(alice, capsys):
    call_command("issue_token", "alice")
    token = capsys.readouterr().out.strip()
    call_command("issue_token", "alice")
    assert capsys.readouterr().out.strip() == token
    call_command("issue_token", "alice", "--rotate")
    rotated = capsys.readouterr().out.strip()
    assert rotated != token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {rotated}")
    assert client.get(URL).status_code == 200
    with pytest.raises(CommandError):
        call_command("issue_token", "nobody")


def test_schema_and_docs_are_served(api, anon):
    schema = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    spec = schema.json()
    stream = spec["paths"]["/api/v1/executions/{id}/stream/"]["get"]
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    assert "tool_call_completed" in stream["description"]
    event_types = spec["components"]["schemas"]["EventTypeEnum"]["enum"]
    assert {"phase", "message", "tool_call_started", "usage"} <= set(event_types)
    docs = anon.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content  # served offline by the sidecar


def test_created_filter_with_an_extreme_offset_is_compared_in_utc(api):
    response = api.get(
        "/api/v1/executions/", {"created_before": "0145-08-27T12:47:25.327+20:55"}
    )
    assert response.status_code == 200
    response = api.get("/api/v1/executions/", {"created_after": "0001-01-01T00:00:00+01:00"})
    assert response.status_code == 400
