"""Structured logs: every record carries the execution and workflow it is about.

Activities and services set the context once (`log_context`); a filter copies
it onto each record, and the JSON formatter writes one object per line.
"""
import contextvars
import json
import logging
from contextlib import contextmanager

_execution_id = contextvars.ContextVar("execution_id", default="")
_workflow_id = contextvars.ContextVar("workflow_id", default="")


@contextmanager
def log_context(*, execution_id: str = "", workflow_id: str = ""):
    tokens = [_execution_id.set(execution_id), _workflow_id.set(workflow_id)]
    try:
        yield
    finally:
        _workflow_id.reset(tokens[1])
        _execution_id.reset(tokens[0])


def current_execution_id() -> str:
    return _execution_id.get()


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.execution_id = getattr(record, "execution_id", "") or _execution_id.get()
        record.workflow_id = getattr(record, "workflow_id", "") or _workflow_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("execution_id", "workflow_id"):
            if getattr(record, key, ""):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
