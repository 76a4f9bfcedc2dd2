"""Pushing the event log to live readers through Channels groups.

Order is persist, commit, then push: `events_publish` runs from
`transaction.on_commit`. Token deltas are pushed but never persisted. A push
never breaks the writer: failures are logged and swallowed, and readers close
any gap from the database (they resume after the last sequence they saw).
"""
import asyncio
import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

from executions.live.groups import FEED_ALL_GROUP, execution_group, feed_user_group
from executions.models import EventType, ExecutionEvent

logger = logging.getLogger(__name__)
_pending: set[asyncio.Task] = set()  # keeps fire-and-forget sends alive


def events_publish(*, events: list[ExecutionEvent], owner_id) -> None:
    """Called after commit with each committed batch of one execution (owned
    by `owner_id`, which addresses its phase feed), in sequence order (sync
    code, any thread); one hop to the event loop for the whole batch."""
    try:
        # One group message per batch: each group_send costs several Redis
        # round trips, and a batch is one agent step.
        first = events[0]
        sends = [(execution_group(first.execution_id),
                  {"type": "execution.events", "events": [event.as_dict() for event in events]})]
        for event in events:
            if event.type == EventType.PHASE:
                sends.extend(_feed_sends(event, owner_id))
        _send_from_sync(sends)
    except Exception as exc:  # noqa: BLE001 - a push must never break the writer
        first = events[0]
        _warn_push_failed(f"event {first.sequence} of execution {first.execution_id}", exc)


async def token_publish(*, execution_id: str, delta: str) -> None:
    """Push a streamed token delta to live readers; never persisted."""
    if not delta:
        return
    try:
        layer = get_channel_layer()
        group = execution_group(execution_id)
        if layer is not None and await _has_members(layer, group):
            await layer.group_send(
                group, {"type": "execution.token", "execution": str(execution_id), "delta": delta},
            )
    except Exception as exc:  # noqa: BLE001
        _warn_push_failed(f"a token of execution {execution_id}", exc)


async def _has_members(layer, group: str) -> bool:
    return (await _followed(layer, [group]))[0]


async def _followed(layer, groups: list[str]) -> list[bool]:
    """Whether anyone follows each group, asked at each push (no window in which a
    new follower would miss a message). On Redis one pipelined round trip for them
    all, where channels-redis's group_send spends two per group even on an empty
    one, and most runs have no follower (docs/benchmarks.md, "Runs in flight")."""
    try:
        keys = [(layer.consistent_hash(group), layer._group_key(group)) for group in groups]
    except AttributeError:  # another layer: its group_send decides
        return [True] * len(groups)
    counts: dict[tuple[int, str], int] = {}
    for index in {index for index, _ in keys}:
        asked = [key for key in keys if key[0] == index]
        async with layer.connection(index).pipeline(transaction=False) as pipe:
            for _, key in asked:
                pipe.zcard(key)
            counts.update(zip(asked, await pipe.execute()))
    return [bool(counts[key]) for key in keys]


def layer_spans_processes() -> bool:
    """True when the channel layer reaches other processes (Redis)."""
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return "redis" in backend.lower()


def channel_layer_warn_if_in_process(*, process: str) -> None:
    """Warn when a worker runs as its own process on the in-memory layer."""
    if not layer_spans_processes():
        logger.warning(
            "%s runs as a separate process without REDIS_URL: the in-memory channel layer "
            "cannot reach the web process, so the admin and WebSocket clients will not see "
            "live progress (they still see the persisted log on reload). Set REDIS_URL.",
            process,
        )


_last_warning = 0.0


def _warn_push_failed(what: str, exc: Exception) -> None:
    """One line, at most every few seconds: during a Redis outage every token
    would otherwise log a traceback. Nothing is lost: the log is persisted."""
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= 5.0:
        _last_warning = now
        logger.warning("live push failed (%s: %s); readers resume from the log", what, exc)


def _feed_sends(event: ExecutionEvent, owner_id) -> list[tuple[str, dict]]:
    item = {
        "execution": str(event.execution_id),
        "sequence": event.sequence,
        "phase": event.data.get("phase"),
        "error": event.data.get("error", ""),
        "at": event.data.get("at"),
        "owner": owner_id,
    }
    message = {"type": "execution.phase", "item": item}
    sends = [(FEED_ALL_GROUP, message)]
    if owner_id is not None:
        sends.append((feed_user_group(owner_id), message))
    return sends


async def _send_all(layer, sends) -> None:
    try:
        followed = await _followed(layer, [group for group, _ in sends])
    except Exception as exc:  # noqa: BLE001 - the sends below say whether the layer is down
        logger.debug("asking who follows failed: %s", exc)
        followed = [True] * len(sends)
    for (group, message), wanted in zip(sends, followed):
        if not wanted:
            continue
        try:
            await layer.group_send(group, message)
        except Exception as exc:  # noqa: BLE001
            _warn_push_failed(group, exc)


def _send_from_sync(sends) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None:
        # A plain thread, or a sync_to_async worker thread (async_to_sync then
        # runs the send on the outer event loop).
        async_to_sync(_send_all)(layer, sends)
        return
    # Sync code called directly on an event loop thread: async_to_sync would
    # refuse, so schedule the send on this loop instead.
    task = loop.create_task(_send_all(layer, sends))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
