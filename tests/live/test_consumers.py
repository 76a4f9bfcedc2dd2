"""The execution WebSocket: backlog then live, resume, no gaps or duplicates, refusals."""
import asyncio
import threading
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from executions.live import token_publish
from executions.models import AgentExecution, EventType, Phase
from executions.services.events import execution_event_append
from executions.services.phases import execution_phase_set
from stigmer.asgi import application
from tests.live.conftest import make_user, session_headers

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


def append(execution_id, n: int = 1, start: int = 0) -> None:
    for i in range(n):
        execution_event_append(
            execution_id=execution_id, type=EventType.MESSAGE, data={"role": "ai", "content": f"m{start + i}"}
        )


async def connect(path: str, headers) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


async def receive_events(communicator, count: int) -> list[dict]:
    frames = [await communicator.receive_json_from(timeout=5) for _ in range(count)]
    return [f for f in frames if "sequence" in f]


async def test_backlog_then_live_in_order(channel_layer_kind, execution, owner):
    await database_sync_to_async(append)(execution.pk, 3)
    communicator = await connect(f"/ws/executions/{execution.pk}/", await database_sync_to_async(session_headers)(owner))
    backlog = await receive_events(communicator, 3)
    assert [e["sequence"] for e in backlog] == [1, 2, 3]
    assert backlog[0]["data"] == {"role": "ai", "content": "m0"}

    await database_sync_to_async(append)(execution.pk, 2, start=3)
    live = await receive_events(communicator, 2)
    assert [(e["sequence"], e["data"]["content"]) for e in live] == [(4, "m3"), (5, "m4")]
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_resume_after_n_sends_only_later_events(channel_layer_kind, execution, owner):
    await database_sync_to_async(append)(execution.pk, 5)
    headers = await database_sync_to_async(session_headers)(owner)
    communicator = await connect(f"/ws/executions/{execution.pk}/?after=3", headers)
    assert [e["sequence"] for e in await receive_events(communicator, 2)] == [4, 5]
    assert await communicator.receive_nothing(timeout=0.2)
    await database_sync_to_async(append)(execution.pk, 1, start=5)
    assert [e["sequence"] for e in await receive_events(communicator, 1)] == [6]
    await communicator.disconnect()


async def test_phase_changes_and_tokens_are_pushed(channel_layer_kind, execution, owner):
    headers = await database_sync_to_async(session_headers)(owner)
    communicator = await connect(f"/ws/executions/{execution.pk}/", headers)
    await database_sync_to_async(execution_phase_set)(execution_id=execution.pk, phase=Phase.IN_PROGRESS)
    phase = await communicator.receive_json_from(timeout=5)
    assert (phase["sequence"], phase["type"], phase["data"]["phase"]) == (1, "phase", "IN_PROGRESS")
    await token_publish(execution_id=str(execution.pk), delta="Hel")
    await token_publish(execution_id=str(execution.pk), delta="lo")
    tokens = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    assert [t["delta"] for t in tokens] == ["Hel", "lo"]
    assert all(t["type"] == "token" and "sequence" not in t for t in tokens)
    await communicator.disconnect()


@pytest.mark.parametrize("round", range(30))
async def test_events_appended_during_join_arrive_once_in_order(channel_layer_kind, execution, owner, round):
    """A writer thread appends while the client joins: nothing lost, nothing twice."""
    total = 40
    await database_sync_to_async(append)(execution.pk, 10)
    headers = await database_sync_to_async(session_headers)(owner)
    go = threading.Event()

    def writer():
        go.wait(5)
        try:
            append(execution.pk, total - 10, start=10)
        finally:
            connections.close_all()  # this thread's, or the test database outlives the run

    thread = threading.Thread(target=writer)
    thread.start()
    communicator = WebsocketCommunicator(application, f"/ws/executions/{execution.pk}/?after=2", headers=headers)
    go.set()  # the writer races the handshake, the group join and the backlog query
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    sequences = [e["sequence"] for e in await receive_events(communicator, total - 2)]
    await asyncio.get_running_loop().run_in_executor(None, thread.join)
    assert sequences == list(range(3, total + 1))
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


async def test_feed_sends_phase_changes_the_user_may_see(channel_layer_kind, execution, owner, agent):
    others = await database_sync_to_async(make_user)("other")
    (hidden,) = await database_sync_to_async(AgentExecution.objects.bulk_create)(
        [AgentExecution(agent=agent, owner=others, message="not yours")]
    )
    staff = await database_sync_to_async(make_user)("staff", staff=True, view=True)
    mine = await connect("/ws/executions/", await database_sync_to_async(session_headers)(owner))
    everything = await connect("/ws/executions/", await database_sync_to_async(session_headers)(staff))
    await database_sync_to_async(execution_phase_set)(execution_id=hidden.pk, phase=Phase.IN_PROGRESS)
    await database_sync_to_async(execution_phase_set)(execution_id=execution.pk, phase=Phase.IN_PROGRESS)
    item = await mine.receive_json_from(timeout=5)
    assert (item["type"], item["execution"], item["phase"]) == ("phase", str(execution.pk), "IN_PROGRESS")
    assert await mine.receive_nothing(timeout=0.2)
    seen = [(await everything.receive_json_from(timeout=5))["execution"] for _ in range(2)]
    assert seen == [str(hidden.pk), str(execution.pk)]
    await mine.disconnect()
    await everything.disconnect()


async def refusal_code(path: str, headers) -> int:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    try:
        connected, _ = await communicator.connect(timeout=5)
        assert connected  # accepted so that the close code reaches the browser
        closed = await communicator.receive_output(timeout=5)
        assert closed["type"] == "websocket.close"
        return closed["code"]
    finally:
        # The client's side of the close: the consumer (and its channel
        # layer receive) ends here, not when the test's event loop is torn
        # down with every other task at once.
        await communicator.disconnect()


async def test_anonymous_is_refused_with_4401(channel_layer_kind, execution):
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    assert await refusal_code(f"/ws/executions/{execution.pk}/", headers) == 4401
    assert await refusal_code("/ws/executions/", headers) == 4401


async def test_other_user_is_refused_with_4403(channel_layer_kind, execution):
    stranger = await database_sync_to_async(make_user)("stranger")
    staff_without_permission = await database_sync_to_async(make_user)("staffer", staff=True)
    for user in (stranger, staff_without_permission):
        headers = await database_sync_to_async(session_headers)(user)
        assert await refusal_code(f"/ws/executions/{execution.pk}/", headers) == 4403


async def test_staff_with_view_permission_may_watch(channel_layer_kind, execution):
    await database_sync_to_async(append)(execution.pk, 1)
    staff = await database_sync_to_async(make_user)("viewer", staff=True, view=True)
    communicator = await connect(f"/ws/executions/{execution.pk}/", await database_sync_to_async(session_headers)(staff))
    assert [e["sequence"] for e in await receive_events(communicator, 1)] == [1]
    await communicator.disconnect()


async def test_unknown_execution_is_refused_with_4404(channel_layer_kind, owner):
    headers = await database_sync_to_async(session_headers)(owner)
    assert await refusal_code(f"/ws/executions/{uuid.uuid4()}/", headers) == 4404


@pytest.mark.parametrize("origin", [
    "http://evil.example",
    "http://testserver:8001",  # the right host on another port: another site
    "https://testserver",  # or another scheme
])
async def test_foreign_origin_is_rejected(channel_layer_kind, execution, owner, origin):
    headers = [(b"origin", origin.encode()), *(await database_sync_to_async(session_headers)(owner))[1:]]
    communicator = WebsocketCommunicator(application, f"/ws/executions/{execution.pk}/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert not connected
    await communicator.disconnect()


async def test_same_origin_with_its_port_is_accepted(channel_layer_kind, execution, owner):
    await database_sync_to_async(append)(execution.pk, 1)
    cookie = (await database_sync_to_async(session_headers)(owner))[-1]
    headers = [(b"origin", b"http://testserver:8001"), (b"host", b"testserver:8001"), cookie]
    communicator = await connect(f"/ws/executions/{execution.pk}/", headers)
    assert [e["sequence"] for e in await receive_events(communicator, 1)] == [1]
    await communicator.disconnect()


@pytest.mark.parametrize("path", ["/ws/executions/not-a-uuid/", "/ws/nothing/here/"])
async def test_unknown_paths_are_refused_with_4404(channel_layer_kind, owner, path):
    headers = await database_sync_to_async(session_headers)(owner)
    assert await refusal_code(path, headers) == 4404



async def test_a_layer_that_keeps_failing_closes_with_a_reason_not_a_500(
    channel_layer_kind, execution, owner, monkeypatch
):
    from channels.layers import get_channel_layer

    calls = []

    async def broken_group_add(self, group, channel):
        calls.append(group)
        raise ConnectionError("Connection closed by server.")

    monkeypatch.setattr(type(get_channel_layer()), "group_add", broken_group_add)
    headers = await database_sync_to_async(session_headers)(owner)

    assert await refusal_code(f"/ws/executions/{execution.pk}/", headers) == 1011
    assert await refusal_code("/ws/executions/", headers) == 1011
    assert len(calls) == 6  # three tries each


async def test_a_layer_that_fails_once_is_retried(channel_layer_kind, execution, owner, monkeypatch):
    """A Redis just restarted: the first call hits a closed connection."""
    from channels.layers import get_channel_layer

    layer_class = type(get_channel_layer())
    real_group_add = layer_class.group_add
    failures = []

    async def flaky_group_add(self, group, channel):
        if not failures:
            failures.append(group)
            raise ConnectionError("Connection reset by peer")
        return await real_group_add(self, group, channel)

    monkeypatch.setattr(layer_class, "group_add", flaky_group_add)
    await database_sync_to_async(append)(execution.pk, 2)
    communicator = await connect(f"/ws/executions/{execution.pk}/", await database_sync_to_async(session_headers)(owner))

    frames = await receive_events(communicator, 2)
    await communicator.disconnect()
    assert [f["sequence"] for f in frames] == [1, 2]
    assert len(failures) == 1
