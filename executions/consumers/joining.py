"""Joining a group, resilient to a channel layer that just came back.

After a Redis restart the layer's first call may hit a connection the server
already closed; channels-redis drops it, so a prompt retry succeeds. If the
layer stays down the socket is closed with a reason instead of a 500, and the
client reconnects later (resuming after its last sequence).
"""
import asyncio
import logging

logger = logging.getLogger(__name__)

CLOSE_LAYER_UNAVAILABLE = 1011  # "internal error", the standard code for it


async def group_join(consumer, group: str, *, attempts: int = 3) -> bool:
    for attempt in range(1, attempts + 1):
        try:
            await consumer.channel_layer.group_add(group, consumer.channel_name)
            return True
        except Exception as exc:  # noqa: BLE001 - any layer, any transport error
            logger.warning("joining %s failed (attempt %d): %s", group, attempt, exc)
            await asyncio.sleep(0.1 * attempt)
    await consumer.accept()
    await consumer.close(code=CLOSE_LAYER_UNAVAILABLE, reason="live updates unavailable; retry")
    return False
