"""`/ws/executions/<id>/?after=N`: one execution's events, in order, once each.

The consumer joins the group first, then sends the backlog after N, then
relays pushed events, all through the one log reader (executions/live/reader.py).
Channels dispatches one message at a time, so pushes arriving during the
backlog wait in the channel queue and the reader drops what it already gave.
"""
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from executions.consumers.access import execution_access
from executions.consumers.layer import LayerLossCloses, group_join, group_leave
from executions.consumers.recheck import RechecksAccess
from executions.live.groups import execution_group
from executions.live.reader import LogReader


def _after(scope) -> int:
    values = parse_qs(scope.get("query_string", b"").decode()).get("after", ["0"])
    try:
        return max(0, int(values[0]))
    except ValueError:
        return 0


class ExecutionConsumer(RechecksAccess, LayerLossCloses, AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        self.execution_id = str(self.scope["url_route"]["kwargs"]["execution_id"])
        refusal = await self._access()
        if refusal is not None:
            # Accept first: a close code only reaches the browser after the handshake.
            await self.accept()
            await self.close(code=refusal)
            return
        self.group = execution_group(self.execution_id)
        self.reader = LogReader(self.execution_id, after=_after(self.scope))
        if not await group_join(self, self.group):
            self.group = None
            return
        await self.accept()
        self.start_rechecks()
        await self._send(await self.reader.start())

    async def disconnect(self, code) -> None:
        self.stop_rechecks()
        await group_leave(self, self.group)

    def refusal_for(self, user) -> int | None:
        return execution_access(user=user, execution_id=self.execution_id)

    async def receive_json(self, content, **kwargs) -> None:
        return None  # read-only stream

    async def execution_events(self, message) -> None:
        await self._send(await self.reader.pushed(message))

    async def execution_token(self, message) -> None:
        await self._send(await self.reader.pushed(message))

    async def _send(self, frames: list[dict]) -> None:
        for frame in frames:
            await self.send_json(frame)

    @database_sync_to_async
    def _access(self) -> int | None:
        return execution_access(user=self.scope.get("user"), execution_id=self.execution_id)
