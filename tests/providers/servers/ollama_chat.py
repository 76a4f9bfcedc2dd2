"""Ollama's chat endpoint, streamed (POST /api/chat): one JSON object per line.

Each line carries a piece of the assistant message; tool calls come whole in
a message of their own (Ollama does not split arguments, and gives them as
an object, not a JSON string). The last line has `done: true` with the
token counts, `prompt_eval_count` (input) and `eval_count` (output).
"""
import json

from tests.providers.servers.base import Turn, WireServer


class OllamaChatServer(WireServer):
    path = "/api/chat"
    content_type = "application/x-ndjson"

    def chunks(self, turn: Turn, request: dict) -> list[bytes]:
        model = request.get("model", "")

        def line(message: dict, **extra) -> bytes:
            data = {"model": model, "created_at": "2026-12-02T12:00:00Z",
                    "message": {"role": "assistant", "content": "", **message}, "done": False, **extra}  # fmt: skip
            return json.dumps(data).encode() + b"\n"

        out = [line({"content": token}) for token in turn.tokens()]
        if turn.tool_calls:
            calls = [{"id": call.id, "function": {"index": i, "name": call.name, "arguments": call.args}}
                     for i, call in enumerate(turn.tool_calls)]  # fmt: skip
            out.append(line({"tool_calls": calls}))
        out.append(line({}, done=True, done_reason="stop", total_duration=1000, load_duration=10,
                        prompt_eval_count=turn.input_tokens, prompt_eval_duration=100,
                        eval_count=turn.output_tokens, eval_duration=500))  # fmt: skip
        return out

    def error_body(self, status: int, message: str) -> dict:
        return {"error": message}
