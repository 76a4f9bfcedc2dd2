"""A scripted HTTP endpoint on 127.0.0.1 for a provider's wire format.

Each request takes the next reply from the script: a streamed answer (sent in
HTTP/1.1 chunks, as the providers do), an error status with the provider's
error body, a stream that stalls (held open until the client hangs up) or one
that breaks off (the socket closed mid-body). Every request is recorded, so a
test can read what the client really sent. The provider modules next to this
one turn a neutral `Turn` into their wire format.
"""
import json
import select
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class ToolCall:
    id: str
    name: str
    args: dict


@dataclass
class Turn:
    """One model answer: text streamed word by word, tool calls, the usage it reports."""

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0

    def tokens(self) -> list[str]:
        words = self.text.split(" ")
        return [word if i == 0 else f" {word}" for i, word in enumerate(words)] if self.text else []


@dataclass
class Stream:
    """A 200 streaming `turn`. `stall_after` chunks in, the server goes silent
    (until the client hangs up); `reset_after` chunks in, it drops the
    connection. `gate`, when given, is waited for before the first chunk;
    `pace` seconds pass between chunks, as between a real model's tokens."""

    turn: Turn
    stall_after: int | None = None
    reset_after: int | None = None
    gate: threading.Event | None = None
    pace: float = 0.0


@dataclass
class Error:
    status: int
    message: str
    headers: dict = field(default_factory=dict)


@dataclass
class Recorded:
    path: str
    headers: dict
    body: dict


class WireServer:
    """Subclasses set `path` and `content_type` and render `chunks` and `error_body`."""

    path = "/"
    content_type = "text/event-stream"

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: deque = deque()
        self.holding = threading.Event()  # a stream has stalled
        self.hung_up = threading.Event()  # a client closed a stream the server was holding
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def script(self, *replies) -> "WireServer":
        self.replies.extend(replies)
        return self

    def start(self) -> "WireServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    # Rendering, per provider.
    def chunks(self, turn: Turn, request: dict) -> list[bytes]:
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> dict:
        raise NotImplementedError

    # Serving.
    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("content-length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}")
        self.requests.append(Recorded(handler.path, {k.lower(): v for k, v in handler.headers.items()}, body))
        if handler.path != self.path:
            return self._send_error(handler, Error(404, f"no route {handler.path}"))
        reply = self.replies.popleft() if self.replies else Error(500, "unscripted request")
        if isinstance(reply, Error):
            return self._send_error(handler, reply)
        if reply.gate is not None:
            reply.gate.wait(30)
        handler.send_response(200)
        handler.send_header("content-type", self.content_type)
        handler.send_header("transfer-encoding", "chunked")
        handler.end_headers()
        for i, chunk in enumerate(self.chunks(reply.turn, body)):
            if i == reply.stall_after:
                return self._hold(handler)
            if i == reply.reset_after:
                return self._reset(handler)
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            handler.wfile.flush()
            time.sleep(reply.pace)
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()

    def _send_error(self, handler, error: Error) -> None:
        payload = json.dumps(self.error_body(error.status, error.message)).encode()
        handler.send_response(error.status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(payload)))
        for name, value in error.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _hold(self, handler) -> None:
        """Silent until the client hangs up (or the server stops)."""
        sock = handler.connection
        self.holding.set()
        while not self._stopping.is_set():
            readable, _, _ = select.select([sock], [], [], 0.05)
            if readable and not sock.recv(1, socket.MSG_PEEK):
                self.hung_up.set()
                break
        handler.close_connection = True

    def _reset(self, handler) -> None:
        """The connection dies mid-body, as when a proxy or the provider drops it."""
        handler.wfile.flush()
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        handler.close_connection = True
        handler.connection.close()


def _handler_for(server: WireServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            server.serve(self)

        def log_message(self, format, *args) -> None:  # quiet test output
            pass

    return Handler


def sse(data: dict, event: str | None = None) -> bytes:
    """One server-sent event."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n".encode()
