"""A test middleware that keeps every runner API call's JSON bodies, so the tests
check real traffic from real runners against the published schemas."""
import json
import re

CALLS: list[tuple[str, str, object, object, int]] = []
# Installed for the whole suite (tests/settings.py): it records only while a test
# has it switched on.
ACTIVE = {"on": False}
# path pattern → (request schema, response schema)
SCHEMAS = [
    (r"/executions/[^/]+/start/$", "run-start-request.json", "run-config.json"),
    (r"/executions/[^/]+/events/$", "events-request.json", "events-response.json"),
    (r"/executions/[^/]+/finish/$", "finish-request.json", "finish-response.json"),
    (r"/executions/[^/]+/tokens/$", "token-request.json", None),
    (r"/executions/[^/]+/delegations/$", "delegation-request.json", "delegation-response.json"),
    (r"/executions/[^/]+/cancel/$", None, "execution-state.json"),
    (r"/executions/[^/]+/$", None, "execution-state.json"),
    (r"/sessions/[^/]+/thread/$", "thread-request.json", "thread-response.json"),
    (r"/credentials/$", "credentials-request.json", "credentials-response.json"),
]


def schemas_for(path: str) -> tuple[str | None, str | None]:
    for pattern, request, response in SCHEMAS:
        if re.search(pattern, path):
            return request, response
    raise LookupError(path)


class RecordRunnerApi:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        watched = ACTIVE["on"] and request.path.startswith("/api/v1/runner/")
        body = request.body if watched else b""
        response = self.get_response(request)
        if watched:
            CALLS.append((request.method, request.path, _json(body), _json(response.content), response.status_code))
        return response


def _json(raw: bytes):
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw  # not JSON: kept as it came, and no schema will take it
