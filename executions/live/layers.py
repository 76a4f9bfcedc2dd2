"""An in-memory channel layer that is safe across event loops of one process.

Channels' InMemoryChannelLayer hands messages to asyncio queues without any
thread-safety: a send from another thread's loop (a worker thread next to the
web server, as in the tests, or async_to_sync in a plain thread) can leave the
receiver asleep. This layer remembers the loop each channel is received on and
runs sends to it on that loop. It is still one process only: use Redis
(REDIS_URL) as soon as web and workers are separate processes.
"""
import asyncio

from channels.layers import InMemoryChannelLayer


class InProcessChannelLayer(InMemoryChannelLayer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._receiver_loops: dict[str, asyncio.AbstractEventLoop] = {}

    async def receive(self, channel):
        self._receiver_loops[channel] = asyncio.get_running_loop()
        return await super().receive(channel)

    async def send(self, channel, message):
        loop = self._receiver_loops.get(channel)
        if loop is None or loop.is_closed() or loop is asyncio.get_running_loop():
            return await super().send(channel, message)
        future = asyncio.run_coroutine_threadsafe(super().send(channel, message), loop)
        # Bounded: a receiver loop that stopped without closing must not hang writers.
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout=5)

    async def flush(self):
        await super().flush()
        self._receiver_loops = {}

    def _remove_from_groups(self, channel):
        super()._remove_from_groups(channel)
        self._receiver_loops.pop(channel, None)
