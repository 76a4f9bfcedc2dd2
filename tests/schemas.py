"""The published JSON Schemas (docs/schemas/) and the payloads of real workflow
histories, read the way any runner or operator reads them."""
import base64
import json
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"


def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text())


def validate(name: str, value) -> None:
    """Raise jsonschema.ValidationError unless `value` fits docs/schemas/<name>."""
    Draft202012Validator(schema(name), registry=REGISTRY, format_checker=FormatChecker()).validate(value)


def _decoded(payloads: dict | None) -> list:
    return [json.loads(base64.b64decode(p["data"])) for p in (payloads or {}).get("payloads", [])]


def history_payloads(history: dict) -> list[tuple[str, object, str]]:
    """(schema, value, where) for every payload of an execution workflow's history
    (Temporal's JSON form: {"events": [...]})."""
    found, scheduled = [], {}
    for event in history["events"]:
        kind, where = event["eventType"], f"event {event['eventId']} {event['eventType']}"
        if kind == "EVENT_TYPE_WORKFLOW_EXECUTION_STARTED":
            attrs = event["workflowExecutionStartedEventAttributes"]
            found.append(("agent-execution-input.json", _decoded(attrs["input"])[0], where))
            memo = {k: json.loads(base64.b64decode(v["data"])) for k, v in attrs.get("memo", {}).get("fields", {}).items()}
            found.append(("workflow-memo.json", memo, where))
        elif kind == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED":
            attrs = event["activityTaskScheduledEventAttributes"]
            name = attrs["activityType"]["name"]
            scheduled[event["eventId"]] = name
            schema_name = {"EnsureThread": "ensure-thread-input.json", "ExecuteGraphton": "execute-graphton-input.json"}[name]
            found.append((schema_name, _decoded(attrs["input"]), where))
        elif kind == "EVENT_TYPE_ACTIVITY_TASK_COMPLETED":
            attrs = event["activityTaskCompletedEventAttributes"]
            name = scheduled[attrs["scheduledEventId"]]
            schema_name = {"EnsureThread": "thread-id.json", "ExecuteGraphton": "execution-status.json"}[name]
            found.append((schema_name, _decoded(attrs["result"])[0], where))
        elif kind == "EVENT_TYPE_MARKER_RECORDED":
            details = event["markerRecordedEventAttributes"]["details"]
            if "result" in details:
                found.extend(("local-activity-result.json", value, where) for value in _decoded(details["result"]))
        elif kind == "EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED":
            result = _decoded(event["workflowExecutionCompletedEventAttributes"].get("result"))
            found.extend(("execution-status.json", value, where) for value in result)
        elif kind == "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED":
            request = event["workflowExecutionUpdateAcceptedEventAttributes"]["acceptedRequest"]
            found.extend(("tool-call-decision.json", value, where) for value in _decoded(request["input"].get("args")))
        elif kind == "EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW":
            attrs = event["workflowExecutionContinuedAsNewEventAttributes"]
            found.append(("agent-execution-input.json", _decoded(attrs["input"])[0], where))
    return found
