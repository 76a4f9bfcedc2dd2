"""Configuration comes from one place (stigmer/config.py), documented in one table."""
import re
from pathlib import Path

import pytest

from executions.temporal.contract import DEFAULT_RUNNER_QUEUE, DEFAULT_STIGMER_QUEUE
from stigmer.config import VARIABLES_BY_NAME, env, table

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENT_READ = re.compile(r"os\.environ\.get\(|os\.environ\[|os\.getenv\(")


def test_the_readme_table_is_the_registry():
    assert table() in (ROOT / "README.md").read_text()


def test_nothing_else_reads_the_environment_for_configuration():
    readers = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("executions", "runner", "stigmer")
        for path in (ROOT / package).rglob("*.py")
        if path.name != "config.py" or path.parent.name != "stigmer"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ENVIRONMENT_READ.search(line)
    ]
    assert readers == []


def test_queue_defaults_are_the_contracts():
    assert VARIABLES_BY_NAME["TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE"].default == DEFAULT_RUNNER_QUEUE
    assert VARIABLES_BY_NAME["TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE"].default == DEFAULT_STIGMER_QUEUE


def test_values_are_typed_and_unset_means_default(monkeypatch):
    monkeypatch.delenv("STIGMER_MODEL_ATTEMPTS", raising=False)
    assert env("STIGMER_MODEL_ATTEMPTS") == 5
    monkeypatch.setenv("STIGMER_MODEL_ATTEMPTS", "2")
    assert env("STIGMER_MODEL_ATTEMPTS") == 2
    monkeypatch.setenv("STIGMER_CREATE_RATE_PER_USER", "")
    assert env("STIGMER_CREATE_RATE_PER_USER") == ""  # set but empty: no limit, not the default
    with pytest.raises(KeyError):
        env("STIGMER_NOT_DECLARED")
