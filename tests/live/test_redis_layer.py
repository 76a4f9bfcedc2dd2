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


async def test_the_pool_size_is_the_setting_and_pushes_beyond_it_fail(settings, monkeypatch):
    """The layer's pool does not wait for a connection: a runner pushing for
    more runs at once than STIGMER_REDIS_MAX_CONNECTIONS loses those pushes;
    raised, they all go through (docs/benchmarks-in-flight.md)."""
    if not _redis_up():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    message = {"type": "execution.token", "execution": "x", "delta": "word "}

    async def push_at_once(pool_size: int, pushes: int) -> list:
        monkeypatch.setenv("STIGMER_REDIS_MAX_CONNECTIONS", str(pool_size))
        settings.CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, prefix=f"test-{uuid.uuid4().hex[:12]}")}
        layer = get_channel_layer()
        try:
            return await asyncio.gather(
                *(layer.group_send(f"execution.{i}", message) for i in range(pushes)), return_exceptions=True
            )
        finally:
            await layer.close_pools()

    failed = [r for r in await push_at_once(2, 20) if isinstance(r, Exception)]
    assert failed and all("Too many connections" in str(r) for r in failed)
    assert [r for r in await push_at_once(20, 20) if isinstance(r, Exception)] == []
