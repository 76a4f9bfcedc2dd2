"""Schema post-processing: every operation documents the shared error shape."""
ERROR_STATUSES = {
    "400": "Invalid input: malformed JSON, unknown fields, wrong types, unknown references",
    "401": "Not authenticated",
    "402": "A monthly budget (the agent's or yours) is spent: new runs are refused until the next month",
    "403": "Authenticated but not allowed (e.g. a write to agents without the agent permissions)",
    "404": "Not found, or not yours",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Conflict with the resource's state (e.g. cancelling a finished execution)",
    "413": "Request body too large",
    "415": "Unsupported media type (send application/json)",
    "429": "Too many requests: a create rate or the limit of unfinished executions (Retry-After, when known)",
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "Field name → list of messages (400 only)",
                    "additionalProperties": True,
                },
            },
        }
    },
}


def postprocess_error_responses(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": ref}}}
                )
            _describe_sse(operation, components)
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                _close(media.get("schema", {}), components)
    return result


def _close(schema: dict, components: dict) -> None:
    """Unknown fields are rejected, so request bodies say additionalProperties: false."""
    ref = schema.get("$ref", "")
    target = components.get(ref.rsplit("/", 1)[-1]) if ref else schema
    if target and target.get("type") == "object":
        target["additionalProperties"] = False


def _describe_sse(operation: dict, components: dict) -> None:
    """Before OpenAPI 3.2, an event-stream's `schema` describes one event."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    if "text/event-stream" not in content:
        return
    event_types = components.get("EventTypeEnum", {}).get("enum", [])
    content["text/event-stream"]["schema"] = {
        "type": "object",
        "required": ["id", "event", "data"],
        "properties": {
            "id": {"type": "string", "pattern": "^[0-9]+$", "description": "The sequence number"},
            "event": {"type": "string", "enum": event_types},
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"$ref": "#/components/schemas/EventOutput"},
            },
        },
    }
