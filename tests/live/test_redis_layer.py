"""The Redis channel layer as configured (stigmer/channel_layers.py)."""
import asyncio
import uuid

import pytest
from channels.layers import get_channel_layer

from stigmer.channel_layers import redis_channel_layer
from tests.live.conftest import REDIS_URL, _redis_up

pytestmark = pytest.mark.asyncio


async def test_a_receive_waits_past_the_layers_blocking_pop(settings):
    """Nothing arrives for longer than the layer's 5 s BZPOPMIN (and redis-py 8's
    default read timeout): the receive keeps waiting instead of failing with
    "Timeout reading", which used to drop every idle WebSocket."""
    if not _redis_up():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, prefix=f"test-{uuid.uuid4().hex[:12]}")}
    layer = get_channel_layer()
    channel = await layer.new_channel()

    async def send_later() -> None:
        await asyncio.sleep(7)
        await layer.send(channel, {"type": "late.hello"})

    sender = asyncio.create_task(send_later())
    try:
        message = await asyncio.wait_for(layer.receive(channel), timeout=20)
    finally:
        await sender
        await layer.close_pools()
    assert message["type"] == "late.hello"
