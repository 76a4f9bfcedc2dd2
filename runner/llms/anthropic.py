"""Anthropic's chat model, with the input tokens of streamed responses counted.

Anthropic's stream reports the input tokens in `message_start` and the
output tokens in `message_delta`; newer API versions repeat the (cumulative)
input tokens in `message_delta` too. langchain-anthropic reads usage from
`message_delta` alone, so against a server sending the documented stream the
run recorded 0 input tokens. Here the input is counted once, at
`message_start`, and `message_delta` adds only its output tokens. Each event
is converted on its own, so one model may serve concurrent runs.
"""
from typing import Any

from langchain_anthropic import ChatAnthropic
from langchain_anthropic.chat_models import _create_usage_metadata


class StreamedUsageChatAnthropic(ChatAnthropic):
    def _make_message_chunk_from_anthropic_event(self, event, *, stream_usage: bool = True, **kwargs: Any):
        message, block = super()._make_message_chunk_from_anthropic_event(
            event, stream_usage=stream_usage, **kwargs
        )
        if message is None or not stream_usage:
            return message, block
        if event.type == "message_start" and getattr(event.message, "usage", None):
            usage = _create_usage_metadata(event.message.usage)
            message.usage_metadata = {**usage, "output_tokens": 0, "total_tokens": usage["input_tokens"]}
        elif event.type == "message_delta" and message.usage_metadata:
            usage = message.usage_metadata
            message.usage_metadata = {
                "input_tokens": 0,
                "output_tokens": usage["output_tokens"],
                "total_tokens": usage["output_tokens"],
            }
        return message, block
