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


def _counted_layer(settings, monkeypatch, record):
    """A fresh Redis layer whose group_sends are recorded (`record(group, message)`)."""
    settings.CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, prefix=f"test-{uuid.uuid4().hex[:12]}")}
    layer = get_channel_layer()
    recorded = []
    group_send = layer.group_send

    async def counting(group, message):
        recorded.append(record(group, message))
        await group_send(group, message)

    monkeypatch.setattr(layer, "group_send", counting)
    return layer, recorded


async def test_tokens_reach_a_follower_and_cost_no_group_send_when_nobody_follows(settings, monkeypatch):
    """A streamed token is pushed only to a group someone is in, asked at each
    push: a follower that joins between two tokens gets the second."""
    if not _redis_up():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    from executions.live import token_publish
    from executions.live.groups import execution_group

    layer, sends = _counted_layer(settings, monkeypatch, lambda group, message: message["delta"])
    try:
        await token_publish(execution_id="abc", delta="unwatched ")
        assert sends == []
        channel = await layer.new_channel()
        await layer.group_add(execution_group("abc"), channel)
        await token_publish(execution_id="abc", delta="watched ")
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
    finally:
        await layer.close_pools()
    assert sends == ["watched "]
    assert message["delta"] == "watched "


async def test_an_event_batch_is_sent_only_to_the_groups_someone_follows(settings, monkeypatch):
    """A committed batch goes to its execution's group and, for a phase, to the
    feeds; one pipelined question says which have members, and the empty ones
    cost no group_send. A group joined after one batch gets the next."""
    if not _redis_up():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    from asgiref.sync import sync_to_async
    from django.utils import timezone

    from executions.live import events_publish
    from executions.live.groups import FEED_ALL_GROUP, execution_group, feed_user_group
    from executions.models import EventType, ExecutionEvent

    layer, sent = _counted_layer(settings, monkeypatch, lambda group, message: group)
    execution_id = uuid.uuid4()

    def phase(sequence: int, name: str) -> list[ExecutionEvent]:
        return [ExecutionEvent(execution_id=execution_id, sequence=sequence, type=EventType.PHASE,
                               data={"phase": name}, created_at=timezone.now())]

    try:
        feed = await layer.new_channel()
        await layer.group_add(FEED_ALL_GROUP, feed)
        await sync_to_async(events_publish)(events=phase(1, "PENDING"), owner_id=7)
        assert sent == [FEED_ALL_GROUP]
        follower = await layer.new_channel()
        await layer.group_add(execution_group(execution_id), follower)
        await sync_to_async(events_publish)(events=phase(2, "IN_PROGRESS"), owner_id=7)
        pushed = await asyncio.wait_for(layer.receive(follower), timeout=5)
    finally:
        await layer.close_pools()
    assert sent == [FEED_ALL_GROUP, execution_group(execution_id), FEED_ALL_GROUP]
    assert feed_user_group(7) not in sent
    assert [event["sequence"] for event in pushed["events"]] == [2]
