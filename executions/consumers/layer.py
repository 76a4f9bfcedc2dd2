"""Sockets and a channel layer that may fail (Redis down or restarting).

Joining a group: after a Redis restart the layer's first call may hit a
connection the server already closed; channels-redis drops it, so a prompt
retry succeeds. If the layer stays down the socket is closed with 1011 and a
reason instead of a 500, and the client reconnects later, resuming after its
last sequence.

Losing the layer while open: Channels' consumer loop would let the receive
error escape as "Exception in ASGI application" with a traceback per socket,
and the client would see 1006 with no reason. `LayerLossCloses` turns it into
a 1011 close with a reason and one warning per outage, not one per socket.
"""
import asyncio
import logging
import time

logger = logging.getLogger(__name__)

CLOSE_LAYER_UNAVAILABLE = 1011  # "internal error", the standard code for it
LAYER_LOST_REASON = "live updates unavailable; retry"
WARN_EVERY_SECONDS = 30.0
_last_warning = 0.0


async def group_join(consumer, group: str, *, attempts: int = 3) -> bool:
    for attempt in range(1, attempts + 1):
        try:
            await consumer.channel_layer.group_add(group, consumer.channel_name)
            return True
        except Exception as exc:  # noqa: BLE001 - any layer, any transport error
            logger.warning("joining %s failed (attempt %d): %s", group, attempt, exc)
            await asyncio.sleep(0.1 * attempt)
    await consumer.accept()
    await consumer.close(code=CLOSE_LAYER_UNAVAILABLE, reason=LAYER_LOST_REASON)
    return False


async def group_leave(consumer, group: str | None) -> None:
    if group is None:
        return
    try:
        await consumer.channel_layer.group_discard(group, consumer.channel_name)
    except Exception:  # noqa: BLE001 - the layer is gone; its group expires with it
        logger.debug("leaving %s failed", group, exc_info=True)


def _warn_layer_lost(exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= WARN_EVERY_SECONDS:
        _last_warning = now
        logger.warning("channel layer lost (%s): closing live sockets with %d", exc, CLOSE_LAYER_UNAVAILABLE)


class LayerLossCloses:
    """Mixin for a Channels consumer: a failed channel-layer receive becomes a
    `layer.lost` message, handled by closing the socket with 1011."""

    _layer_lost = False

    @property
    def channel_receive(self):
        return self._guarded_receive

    @channel_receive.setter
    def channel_receive(self, receive) -> None:  # set by AsyncConsumer.__call__
        self._layer_receive = receive

    async def _guarded_receive(self) -> dict:
        if self._layer_lost:
            await asyncio.Future()  # the socket is closing; nothing more to read
        try:
            return await self._layer_receive()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - any layer, any transport error
            self._layer_lost = True
            return {"type": "layer.lost", "error": str(exc) or type(exc).__name__}

    async def layer_lost(self, message) -> None:
        _warn_layer_lost(message["error"])
        await self.close(code=CLOSE_LAYER_UNAVAILABLE, reason=LAYER_LOST_REASON)
