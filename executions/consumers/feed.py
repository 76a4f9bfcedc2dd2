"""`/ws/executions/`: phase changes of the executions the user may see.

Staff with the view permission follow every execution; other users follow
only their own (a group per owner), so nothing is filtered after the fact.
"""
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from executions.consumers.access import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED, user_may_view_all
from executions.consumers.layer import LayerLossCloses, group_join, group_leave
from executions.consumers.recheck import RechecksAccess
from executions.live.groups import FEED_ALL_GROUP, feed_user_group


class ExecutionFeedConsumer(RechecksAccess, LayerLossCloses, AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = FEED_ALL_GROUP if await self._may_view_all(user) else feed_user_group(user.pk)
        if not await group_join(self, self.group):
            self.group = None
            return
        await self.accept()
        self.start_rechecks()

    async def disconnect(self, code) -> None:
        self.stop_rechecks()
        await group_leave(self, self.group)

    def refusal_for(self, user) -> int | None:
        if self.group == FEED_ALL_GROUP and not user_may_view_all(user):
            return CLOSE_FORBIDDEN  # reconnecting joins the user's own feed
        return None

    async def receive_json(self, content, **kwargs) -> None:
        return None

    async def execution_phase(self, message) -> None:
        item = {key: value for key, value in message["item"].items() if key != "owner"}
        await self.send_json({"type": "phase", **item})

    @database_sync_to_async
    def _may_view_all(self, user) -> bool:
        return user_may_view_all(user)
