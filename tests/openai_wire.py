"""A local server speaking OpenAI's chat-completions wire format, for tests of real providers.

It answers `POST /v1/chat/completions` (plain JSON, or server-sent events when the request
says `"stream": true`) only when the request's `Authorization` header carries the key it
accepts; otherwise it refuses (401, or `refusal`) with a message quoting the key it was
given, as a careless server might, so tests also see what the platform does with an echoed secret.
Every Authorization header it receives is recorded.
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class OpenAIWireServer:
    def __init__(self, *, accepted_key: str, answer: str = "Hello from the wire.", refusal: int = 401):
        self.accepted_key = accepted_key
        self.refusal = refusal  # the status of a refused key: 401, or 403 as some gateways do
        self.answer = answer
        self.authorizations: list[str] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> "OpenAIWireServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        wire = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet: the test reads `authorizations`
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                authorization = self.headers.get("Authorization", "")
                wire.authorizations.append(authorization)
                if self.path != "/v1/chat/completions":
                    return self._json(404, {"error": {"message": "no such route"}})
                if authorization != f"Bearer {wire.accepted_key}":
                    given = authorization.removeprefix("Bearer ")
                    message = f"Incorrect API key provided: {given}."
                    error = {"message": message, "type": "invalid_request_error", "code": "invalid_api_key"}
                    return self._json(wire.refusal, {"error": error})
                if body.get("stream"):
                    return self._stream(body)
                return self._json(200, wire._completion(body))

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, body: dict) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in wire._chunks(body):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler

    def _base(self, body: dict, kind: str) -> dict:
        return {"id": "chatcmpl-wire", "object": kind, "created": int(time.time()), "model": body["model"]}

    def _usage(self) -> dict:
        tokens = len(self.answer.split())
        return {"prompt_tokens": 5, "completion_tokens": tokens, "total_tokens": 5 + tokens}

    def _completion(self, body: dict) -> dict:
        message = {"role": "assistant", "content": self.answer}
        choice = {"index": 0, "message": message, "finish_reason": "stop"}
        return {**self._base(body, "chat.completion"), "choices": [choice], "usage": self._usage()}

    def _chunks(self, body: dict):
        base = self._base(body, "chat.completion.chunk")
        yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
        for i, word in enumerate(self.answer.split()):
            delta = {"content": word if i == 0 else f" {word}"}
            yield {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        if (body.get("stream_options") or {}).get("include_usage"):
            yield {**base, "choices": [], "usage": self._usage()}
