"""Schemathesis against /api/schema/ on a live server: no 500, no response off-schema.

negative_data_rejection is left out: it flags extra HTTP headers and 413 for huge
bodies, both correct behaviour; bad bodies and parameters are covered in test_errors.
"""
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.asgi_server import AsgiTestServer

pytestmark = pytest.mark.django_db(transaction=True)

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


@pytest.fixture
def server(settings, fast_start):
    settings.STIGMER_SSE_MAX_SECONDS = 0.5  # streams of never-ending executions end quickly
    live = AsgiTestServer().start()
    yield live
    live.stop()


def test_schema_fuzz_finds_no_server_error_or_schema_violation(server, superuser, demo_agent, tmp_path):
    key = Token.objects.get_or_create(user=superuser)[0].key
    fuzz(server, f"Token {key}", tmp_path)


def test_the_runner_api_with_a_runner_token(server, demo_agent, tmp_path):
    """The runner API's bodies fuzzed with the credential that opens it."""
    from executions.services.executions import execution_create
    from executions.services.runner_tokens import runner_token_issue

    execution_create(agent=demo_agent, message="What is 6*7?")  # a record for the ids to find
    fuzz(server, f"Runner {runner_token_issue(name='fuzz')}", tmp_path, "--include-tag", "runner")


def fuzz(server, authorization: str, tmp_path, *only: str) -> None:
    st = Path(sys.executable).with_name("st")
    command = [
        str(st), "run", f"{server.url}/api/schema/",
        "--checks", CHECKS,
        "--max-examples", "20",
        "--max-time", "60",
        "--request-timeout", "10",
        "--workers", "1",
        "--seed", "4",
        "--generation-database", "none",
        "--header", f"Authorization: {authorization}",
        "--report", "junit", "--report-dir", str(tmp_path),
        *only,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=240)
    failures = result.stdout.partition("FAILURES")[2] or result.stdout
    assert result.returncode == 0, failures[:8000] + result.stderr[-2000:]
