"""Following an execution from a process of its own (manage.py run_agent).

The persisted log is the source of truth and is polled; when the channel
layer reaches across processes (Redis), the follower also joins the
execution's group, so events arrive as pushed and the streaming answer shows
token by token. Events are yielded once each, in sequence order.
"""
import asyncio
from collections.abc import AsyncIterator

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from executions.live import layer_spans_processes
from executions.live.groups import execution_group
from executions.selectors import execution_events_after


async def follow_execution(execution_id, *, poll: float = 0.2) -> AsyncIterator[dict]:
    """Yield event dicts (with "sequence") and token frames ({"type": "token"})."""
    layer = get_channel_layer() if layer_spans_processes() else None
    channel = None
    if layer is not None:
        channel = await layer.new_channel()
        await layer.group_add(execution_group(execution_id), channel)
    last = 0

    async def from_log(before: int | None = None):
        nonlocal last
        for event in await database_sync_to_async(execution_events_after)(
            execution_id=execution_id, after=last
        ):
            if before is not None and event.sequence >= before:
                break
            last = event.sequence
            yield event.as_dict()

    try:
        async for event in from_log():
            yield event
        while True:
            if channel is None:
                await asyncio.sleep(poll)
                async for event in from_log():
                    yield event
                continue
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout=poll)
            except asyncio.TimeoutError:
                async for event in from_log():  # a push may have been lost
                    yield event
                continue
            if message.get("type") == "execution.token":
                yield {"type": "token", "delta": message["delta"]}
            elif message.get("type") == "execution.events":
                # Pushed events keep their place among the tokens; gaps are
                # filled from the log, repeats dropped.
                for event in message["events"]:
                    async for missing in from_log(before=event["sequence"]):
                        yield missing
                    if event["sequence"] == last + 1:
                        last = event["sequence"]
                        yield event
    finally:
        if channel is not None:
            await layer.group_discard(execution_group(execution_id), channel)
