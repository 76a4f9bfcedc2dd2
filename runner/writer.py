"""Writing an execution's event log behind its agent.

The agent does not wait for its steps to commit. One writer task per run
takes everything that piled up since its last transaction into the next one:
with a model slower than a commit (any real one) each step is still its own
transaction, written as it happens; with a fast model or a busy database,
steps share a transaction instead of queueing for one each, so neither the
run nor the database is paced by the other. One writer keeps the order. A
failed write keeps its events and is tried again by `written`, so an error
that persists reaches the caller. Writes go through the runner's platform
(runner/platform/): the services in process, or the runner API.
"""
import asyncio

from runner.platform import platform
from stigmer.event_log import NewEvent


class EventLogWriter:
    def __init__(self, execution_id: str) -> None:
        self.execution_id = execution_id
        self._events: list[NewEvent] = []
        self._usage: dict | None = None  # totals for the execution row, when they changed
        self._end: dict | None = None
        self._task: asyncio.Task | None = None

    def append(self, events: list[NewEvent], *, usage: dict | None = None) -> None:
        """Queue a step; raises the error of a write that failed meanwhile."""
        self._queue(events, usage)
        if self._task is not None and self._task.done():
            task, self._task = self._task, None
            task.result()
        if self._task is None:
            self._task = asyncio.create_task(self._write_pending())

    async def end(self, *, events: list[NewEvent], **phase) -> None:
        """The terminal phase, after `events` and whatever is still unwritten,
        in one transaction."""
        self._end = phase
        await self.written(events)

    async def written(self, events: list[NewEvent] = (), *, usage: dict | None = None) -> None:
        """`events` and everything queued before them are committed (or this
        raises why not): a write that failed meanwhile is tried again here."""
        self._queue(events, usage)
        task = self._task
        if task is not None:
            # Not `await task`: a cancel of the caller must not cancel the
            # write, and the task stays ours until it ends, so a second
            # writer never runs beside it.
            await asyncio.wait([task])
            if self._task is task:
                self._task = None
            if not task.cancelled():
                task.exception()  # its events are still queued: tried again below
        await self._write_pending()

    def _queue(self, events: list[NewEvent], usage: dict | None) -> None:
        self._events.extend(events)
        if usage is not None:
            self._usage = usage

    async def _write_pending(self) -> None:
        while self._events or self._usage or self._end:
            events, self._events = self._events, []
            usage, self._usage = self._usage, None
            try:
                if self._end is not None:
                    await platform().run_finish(
                        self.execution_id, events=events, **{"usage": usage, **self._end}
                    )
                    self._end = None
                else:
                    await platform().events_append(self.execution_id, events, usage)
            except BaseException:
                self._events = [*events, *self._events]
                self._usage = self._usage or usage
                raise
