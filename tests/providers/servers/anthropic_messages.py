"""Anthropic's Messages API, streamed (POST /v1/messages, `stream: true`).

A `message_start` carries the input tokens; each content block is opened,
streamed (`text_delta` for text, `input_json_delta` fragments of a
`tool_use` block's input) and closed; `message_delta` carries the stop
reason and the output tokens; `message_stop` ends it, as in Anthropic's
streaming documentation.
"""
import json

from tests.providers.servers.base import Turn, WireServer, sse


class AnthropicMessagesServer(WireServer):
    path = "/v1/messages"

    def chunks(self, turn: Turn, request: dict) -> list[bytes]:
        def event(kind: str, **data) -> bytes:
            return sse({"type": kind, **data}, event=kind)

        message = {"id": "msg_wire", "type": "message", "role": "assistant", "content": [],
                   "model": request.get("model", ""), "stop_reason": None, "stop_sequence": None,
                   "usage": {"input_tokens": turn.input_tokens, "output_tokens": 1}}  # fmt: skip
        out = [event("message_start", message=message)]
        index = 0
        if turn.text:
            out.append(event("content_block_start", index=index, content_block={"type": "text", "text": ""}))
            for token in turn.tokens():
                out.append(event("content_block_delta", index=index, delta={"type": "text_delta", "text": token}))
            out.append(event("content_block_stop", index=index))
            index += 1
        for call in turn.tool_calls:
            block = {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}
            out.append(event("content_block_start", index=index, content_block=block))
            text = json.dumps(call.args)
            for piece in (text[: len(text) // 2], text[len(text) // 2 :]):
                delta = {"type": "input_json_delta", "partial_json": piece}
                out.append(event("content_block_delta", index=index, delta=delta))
            out.append(event("content_block_stop", index=index))
            index += 1
        stop = "tool_use" if turn.tool_calls else "end_turn"
        out.append(event("message_delta", delta={"stop_reason": stop, "stop_sequence": None},
                         usage={"output_tokens": turn.output_tokens}))  # fmt: skip
        out.append(event("message_stop"))
        return out

    def error_body(self, status: int, message: str) -> dict:
        kind = {401: "authentication_error", 403: "permission_error", 404: "not_found_error",
                429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")  # fmt: skip
        return {"type": "error", "error": {"type": kind, "message": message}}
