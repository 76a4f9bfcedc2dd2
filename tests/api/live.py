"""An SSE reader for the stream endpoint (the server is tests.asgi_server)."""
import json

import httpx


def sse_events(response: httpx.Response):
    """Yield (id, event, data) for each SSE event; comments are skipped."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if "data" in fields:
                yield int(fields["id"]), fields.get("event"), json.loads(fields["data"])
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
