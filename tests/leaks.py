"""Searching for a secret where it must never be: the workflow history, the conversation's
checkpoints, the execution's record and event log, and the log records of the run."""
import json
import logging
import sqlite3
import uuid

import pytest
from django.db import connection

from executions.models import AgentExecution
from executions.temporal.client import temporal_bridge
from stigmer.logs import JsonFormatter


def distinctive(label: str) -> str:
    return f"sk-{label}-{uuid.uuid4().hex}"


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def history_bytes(workflow_id: str) -> bytes:
    """The closed workflow's history: every event serialized, payloads as their raw bytes."""

    async def closed(client):
        handle = client.get_workflow_handle(workflow_id)
        try:
            await handle.result()
        except Exception:
            pass  # a failed run's history is what we want
        return await handle.fetch_history()

    history = temporal_bridge.run(closed)
    events = b"".join(event.SerializeToString() for event in history.events)
    return events + history.to_json().encode()


def checkpoint_bytes(settings) -> bytes:
    """Every value in LangGraph's checkpoint tables (the conversation's stored state)."""
    if connection.vendor == "sqlite":
        source = sqlite3.connect(settings.STIGMER_CHECKPOINT_PATH)
        tables = ("checkpoints", "writes")
    else:
        source = connection
        tables = ("checkpoints", "checkpoint_writes", "checkpoint_blobs")
    values = []
    cursor = source.cursor()
    for table in tables:
        cursor.execute(f"SELECT * FROM {table}")
        values += [value for row in cursor.fetchall() for value in row]
    cursor.close()
    if source is not connection:
        source.close()
    assert values
    return b"\0".join(
        bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()
        for value in values
    )


def stored_texts(execution: AgentExecution) -> list[str]:
    execution.refresh_from_db()
    rows = list(execution.events.values_list("type", "data"))
    assert rows
    return [json.dumps(rows), execution.output, execution.error]


def log_texts(logs) -> list[str]:
    formatter = JsonFormatter()
    assert logs.records  # the workers' records are captured in this process
    return [logs.text, *(formatter.format(record) for record in logs.records)]


def pieces(secret: str, size: int = 12) -> list[str]:
    """The secret's runs of `size` characters: a leak may quote it in part (pydantic shortens
    long inputs to their head and tail)."""
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def assert_nowhere(secret: str, *, history: bytes, texts: list[str], stored: bytes = b"") -> None:
    for piece in pieces(secret):
        assert piece.encode() not in history
        assert piece.encode() not in stored
        leaking = [text[max(0, text.find(piece) - 600) : text.find(piece) + 100] for text in texts if piece in text]
        assert not leaking  # shows where each one is
