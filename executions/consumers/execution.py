"""`/ws/executions/<id>/?after=N`: one execution's events, in order, once each.

The consumer joins the group first, then sends the backlog after N from the
database, then relays live events. Channels dispatches one message at a time,
so live events arriving during the backlog wait in the channel queue; every
event at or below the last sequence sent is dropped, and a live event that
skips ahead (a push lost or overtaken) first pulls the missing ones from the
database. Token frames carry no sequence and pass straight through.
"""
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from executions.consumers.access import execution_access
from executions.consumers.layer import LayerLossCloses, group_join, group_leave
from executions.live.groups import execution_group
from executions.selectors import execution_events_after


def _after(scope) -> int:
    values = parse_qs(scope.get("query_string", b"").decode()).get("after", ["0"])
    try:
        return max(0, int(values[0]))
    except ValueError:
        return 0


class ExecutionConsumer(LayerLossCloses, AsyncJsonWebsocketConsumer):
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
        self.last_sequence = _after(self.scope)
        if not await group_join(self, self.group):
            self.group = None
            return
        await self.accept()
        await self._send_from_db()

    async def disconnect(self, code) -> None:
        await group_leave(self, self.group)

    async def receive_json(self, content, **kwargs) -> None:
        return None  # read-only stream

    async def execution_events(self, message) -> None:
        for event in message["events"]:
            if event["sequence"] <= self.last_sequence:
                continue
            if event["sequence"] > self.last_sequence + 1:
                await self._send_from_db(before=event["sequence"])
                if event["sequence"] <= self.last_sequence:
                    continue
            await self._send_event(event)

    async def execution_token(self, message) -> None:
        await self.send_json({"type": "token", "execution": message["execution"], "delta": message["delta"]})

    async def _send_from_db(self, before: int | None = None) -> None:
        for event in await self._events_after(self.last_sequence):
            if before is not None and event["sequence"] >= before:
                break
            await self._send_event(event)

    async def _send_event(self, event: dict) -> None:
        self.last_sequence = event["sequence"]
        await self.send_json(event)

    @database_sync_to_async
    def _access(self) -> int | None:
        return execution_access(user=self.scope.get("user"), execution_id=self.execution_id)

    @database_sync_to_async
    def _events_after(self, after: int) -> list[dict]:
        return [e.as_dict() for e in execution_events_after(execution_id=self.execution_id, after=after)]
