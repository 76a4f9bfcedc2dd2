"""A real MCP server for the tests, on the official SDK: `server.py stdio` or
`server.py http PORT` (streamable HTTP at http://127.0.0.1:PORT/mcp). Over HTTP, with
REQUIRED_TOKEN in its environment, it answers only requests carrying
`Authorization: Bearer <REQUIRED_TOKEN>` (401 otherwise)."""
import hashlib
import os
import sys
import time

from mcp.server.fastmcp import FastMCP

server = FastMCP(
    "test-tools", host="127.0.0.1", port=int(sys.argv[2]) if len(sys.argv) > 2 else 8000,
    log_level="WARNING",
)


@server.tool()
def echo(text: str) -> str:
    """Echo the text back, with the server's MARKER environment variable."""
    return f"echo: {text} ({os.environ.get('MARKER', 'no marker')})"


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def secret() -> str:
    """A tool the tests leave out of the allowlist."""
    return "the secret tool ran"


@server.tool()
def token_digest() -> str:
    """A digest of the TOKEN environment variable: proves what the server got, without it."""
    return hashlib.sha256(os.environ.get("TOKEN", "").encode()).hexdigest()[:16]


@server.tool()
def fail(reason: str) -> str:
    """Fail with the given reason (a tool error: the server stays up)."""
    raise ValueError(reason)


@server.tool()
def busy(seconds: float) -> str:
    """Block the server (its event loop included) for a while, then answer."""
    time.sleep(seconds)
    return f"busy for {seconds} s"


@server.tool()
def die() -> str:
    """Stop the server's process at once, mid-call."""
    os._exit(3)


def guarded(app, token: str):
    """The HTTP app, refusing requests without the bearer token."""

    async def guard(scope, receive, send):
        headers = dict(scope.get("headers", []))
        if scope["type"] == "http" and headers.get(b"authorization") != f"Bearer {token}".encode():
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b"missing or wrong bearer token"})
            return
        await app(scope, receive, send)

    return guard


if __name__ == "__main__":
    if sys.argv[1:2] == ["http"] and os.environ.get("REQUIRED_TOKEN"):
        import uvicorn

        app = guarded(server.streamable_http_app(), os.environ["REQUIRED_TOKEN"])
        uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
    else:
        server.run("streamable-http" if sys.argv[1:2] == ["http"] else "stdio")
