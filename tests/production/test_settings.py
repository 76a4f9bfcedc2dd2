"""Production configuration: deploy checks clean, secrets required, logs structured."""
import json
import logging
import os
import subprocess
import sys

import pytest

from stigmer.logs import ContextFilter, JsonFormatter, log_context

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DATABASE_URL": "postgres://stigmer:stigmer@db.internal:5432/stigmer",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "stigmer.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://stigmer.example.com",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_deploy_check_is_clean_in_production_configuration():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_json_logs_carry_execution_and_workflow_ids():
    record = logging.LogRecord("runner", logging.INFO, __file__, 1, "agent run %s", ("finished",), None)
    with log_context(execution_id="e-1", workflow_id="stigmer/agent-execution/invoke/e-1"):
        ContextFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "agent run finished"
    assert entry["execution_id"] == "e-1"
    assert entry["workflow_id"] == "stigmer/agent-execution/invoke/e-1"


@pytest.mark.parametrize("url", ["/healthz"])
def test_health_endpoint_answers(client, db, url):
    assert client.get(url).json() == {"status": "ok"}
