"""OpenAI's chat completions, streamed (POST /v1/chat/completions, `stream: true`).

Content arrives as `delta.content` pieces; a tool call's id and name come in
its first delta and its JSON arguments in fragments over later ones, keyed by
`index`; several calls may interleave in one turn. Usage comes only when the
request asked for it (`stream_options.include_usage`), in a last chunk whose
`choices` is empty: a client that does not ask gets none, as from OpenAI.
"""
import json

from tests.providers.servers.base import Turn, WireServer, sse


class OpenAIChatServer(WireServer):
    path = "/v1/chat/completions"

    def chunks(self, turn: Turn, request: dict) -> list[bytes]:
        model = request.get("model", "")

        def chunk(delta: dict | None, finish: str | None = None, **extra) -> bytes:
            choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
            return sse({"id": "chatcmpl-wire", "object": "chat.completion.chunk", "created": 1,
                        "model": model, "choices": choices, **extra})  # fmt: skip

        out = [chunk({"role": "assistant", "content": ""})]
        out += [chunk({"content": token}) for token in turn.tokens()]
        for index, call in enumerate(turn.tool_calls):
            out.append(chunk({"tool_calls": [{"index": index, "id": call.id, "type": "function",
                                              "function": {"name": call.name, "arguments": ""}}]}))  # fmt: skip
        # The arguments in three fragments each, the calls' fragments interleaved.
        pieces = [_thirds(json.dumps(call.args)) for call in turn.tool_calls]
        for part in range(3):
            for index, fragments in enumerate(pieces):
                out.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": fragments[part]}}]}))
        out.append(chunk({}, "tool_calls" if turn.tool_calls else "stop"))
        if (request.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": turn.input_tokens, "completion_tokens": turn.output_tokens,
                     "total_tokens": turn.input_tokens + turn.output_tokens}  # fmt: skip
            out.append(chunk(None, usage=usage))
        out.append(b"data: [DONE]\n\n")
        return out

    def error_body(self, status: int, message: str) -> dict:
        kind = {401: "invalid_api_key", 404: "model_not_found", 429: "rate_limit_exceeded"}.get(status)
        return {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": kind}}


def _thirds(text: str) -> list[str]:
    a, b = len(text) // 3, 2 * len(text) // 3
    return [text[:a], text[a:b], text[b:]]
