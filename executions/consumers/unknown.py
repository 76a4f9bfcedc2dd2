"""Any other `/ws/` path: refused with 4404, where Channels' router raised
(a 500 at the handshake, e.g. for `/ws/executions/not-a-uuid/`)."""
from channels.generic.websocket import AsyncWebsocketConsumer

from executions.consumers.access import CLOSE_NOT_FOUND


class UnknownPathConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = "unknown-paths-use-no-layer"  # it only refuses

    async def connect(self) -> None:
        await self.accept()  # a close code only reaches the browser after the handshake
        await self.close(code=CLOSE_NOT_FOUND)
