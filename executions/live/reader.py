"""The one reader of an execution's event log, for every live surface: the
WebSocket consumer, the SSE stream and `run_agent`.

A reader joins the execution's group first, then reads the backlog after its
last sequence from the database, then takes the pushed events: each event
once, in sequence order. A pushed event at or below the last sequence given
is dropped; one that skips ahead (a push lost or overtaken) first pulls the
missing ones from the database. Token frames carry no sequence and pass
straight through. While nothing happens, a reader waits on the channel layer
and makes no query at all.

`LogReader` does the bookkeeping for a consumer that Channels feeds message by
message; `follow` is the same reader pulling from a channel of its own, for
the SSE stream and `run_agent`.
"""
import asyncio
import logging
from collections.abc import AsyncIterator

from channels.db import database_sync_to_async

from executions.live.groups import execution_group
from executions.models import AgentExecution, EventType, Phase
from executions.selectors import execution_events_after

logger = logging.getLogger(__name__)


def is_terminal_event(frame: dict) -> bool:
    return frame.get("type") == EventType.PHASE and frame["data"].get("phase") in Phase.terminal()


class LogReader:
    def __init__(self, execution_id, *, after: int = 0) -> None:
        self.execution_id = str(execution_id)
        self.last = after
        self.finished = False  # the terminal phase event was given, or lies before `after`

    async def start(self) -> list[dict]:
        """The backlog; call after joining the group."""
        phase, frames = await database_sync_to_async(self._phase_and_events)()
        # The phase is read before the events: the terminal phase and its
        # event commit together, so a terminal phase read first means its
        # event is in this backlog, or was given before `after`.
        self._take(frames)
        if phase is None or phase in Phase.terminal():
            self.finished = True
        return frames

    async def pushed(self, message: dict) -> list[dict]:
        """The frames one group message gives, in order (gaps filled first)."""
        if message.get("type") == "execution.token":
            return [{"type": "token", "execution": message["execution"], "delta": message["delta"]}]
        frames: list[dict] = []
        for event in message.get("events", []):
            if event["sequence"] <= self.last:
                continue
            if event["sequence"] > self.last + 1:
                frames += await self.read_log(before=event["sequence"])
                if event["sequence"] <= self.last:
                    continue
            frames += self._take([event])
        return frames

    async def read_log(self, before: int | None = None) -> list[dict]:
        events = await database_sync_to_async(self._events)()
        return self._take([e for e in events if before is None or e["sequence"] < before])

    def _take(self, frames: list[dict]) -> list[dict]:
        for frame in frames:
            self.last = frame["sequence"]
            self.finished = self.finished or is_terminal_event(frame)
        return frames

    def _events(self) -> list[dict]:
        return [e.as_dict() for e in execution_events_after(execution_id=self.execution_id, after=self.last)]

    def _phase_and_events(self) -> tuple[str | None, list[dict]]:
        phase = AgentExecution.objects.filter(pk=self.execution_id).values_list("phase", flat=True).first()
        return phase, self._events()


async def follow(
    execution_id, *, layer, after: int = 0, idle: float | None = None, poll: float | None = None
) -> AsyncIterator[dict | None]:
    """Frames of one execution until its terminal phase event.

    `layer` must reach the processes that write the log (Redis, or the
    in-process layer inside one process); without one, pass `poll` and the
    log is read every `poll` seconds instead. Every `idle` seconds without a
    frame, None is yielded (the SSE stream's keep-alive).
    """
    reader = LogReader(execution_id, after=after)
    if layer is None:
        async for frame in _polled(reader, poll or 0.2):
            yield frame
        return
    group, channel = execution_group(reader.execution_id), await layer.new_channel()
    await layer.group_add(group, channel)
    receiving: asyncio.Future | None = None
    try:
        for frame in await reader.start():
            yield frame
        while not reader.finished:
            # One receive at a time, waited on, not cancelled at each keep-alive:
            # channels-redis shares one receive loop among a process's channels,
            # and a thousand followers cancelling theirs every few seconds starved it.
            receiving = receiving or asyncio.ensure_future(layer.receive(channel))
            done, _ = await asyncio.wait({receiving}, timeout=idle)
            if not done:
                yield None
                continue
            message, receiving = receiving.result(), None
            for frame in await reader.pushed(message):
                yield frame
    finally:
        if receiving is not None:
            receiving.cancel()
        try:
            await layer.group_discard(group, channel)
        except Exception:  # noqa: BLE001 - the layer is gone; the group expires with it
            logger.debug("leaving %s failed", group, exc_info=True)


async def _polled(reader: LogReader, poll: float) -> AsyncIterator[dict]:
    for frame in await reader.start():
        yield frame
    while not reader.finished:
        await asyncio.sleep(poll)
        for frame in await reader.read_log():
            yield frame
