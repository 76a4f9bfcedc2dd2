"""An SSE reader for the stream endpoint (the server is tests.asgi_server)."""
import json

import httpx


def sse_events(response: httpx.Response, tokens: list[str] | None = None):
    """Yield (id, event, data) for each logged event; comments are skipped,
    streamed tokens (no id) go to `tokens`."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if not line:
            if fields.get("event") == "token" and tokens is not None:
                tokens.append(json.loads(fields["data"])["delta"])
            elif "id" in fields:
                yield int(fields["id"]), fields.get("event"), json.loads(fields["data"])
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
