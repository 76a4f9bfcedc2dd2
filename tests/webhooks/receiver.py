"""A real webhook receiver for tests: a threaded http.server on 127.0.0.1 that
answers 503 to its first `failures` requests ("down"), then 200, and keeps
every request it was sent (headers and body), in order."""
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: str
    status: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["Stigmer-Event-Id"]


class Receiver:
    def __init__(self, *, failures: int = 0, port: int = 0) -> None:
        self.failures = failures
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                status = receiver._answer()
                with receiver._changed:
                    receiver.requests.append(Received(dict(self.headers.items()), body, status))
                    receiver._changed.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _answer(self) -> int:
        with self._lock:
            if self.failures > 0:
                self.failures -= 1
                return 503
        return 200

    @property
    def accepted(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.status == 200]

    def wait_for(self, predicate, timeout: float = 60, message: str = "requests") -> list[Received]:
        """Block until predicate(requests) holds: woken by each request, no polling sleep."""
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(list(self.requests)), timeout):
                raise AssertionError(f"timed out waiting for {message}; got {len(self.requests)} requests")
            return list(self.requests)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
