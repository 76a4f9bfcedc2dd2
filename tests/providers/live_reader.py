"""A live reader of one execution: joins its Channels group, as the admin's
page and the WebSocket do, and keeps every push (token deltas and event
batches) until the terminal phase arrives."""
import asyncio
import threading

from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import channel_layers, get_channel_layer

from executions.live import layer_spans_processes
from executions.live.groups import execution_group
from executions.models import Phase


class LiveReader:
    def __init__(self, execution_id) -> None:
        self.group = execution_group(execution_id)
        self.tokens: list[str] = []
        self.events: list[dict] = []
        self._joined = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._read()), daemon=True)

    def start(self) -> "LiveReader":
        self._thread.start()
        assert self._joined.wait(10), "the reader did not join the group"
        return self

    def finished(self, timeout: float = 30) -> "LiveReader":
        """Waits for the terminal phase's push."""
        assert self._done.wait(timeout), "no terminal phase was pushed"
        self._thread.join(5)
        return self

    def stop(self) -> None:
        self._done.set()
        self._thread.join(5)

    async def _read(self) -> None:
        # A Redis layer of its own, as a browser's server process would have (one
        # Redis layer refuses receivers on two loops: run_agent follows on another);
        # the in-process layer must be the workers' own to hear them.
        layer = channel_layers.make_backend(DEFAULT_CHANNEL_LAYER) if layer_spans_processes() else get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(self.group, channel)
        self._joined.set()
        try:
            while not self._done.is_set():
                try:
                    message = await asyncio.wait_for(layer.receive(channel), 0.2)
                except asyncio.TimeoutError:
                    continue
                if message["type"] == "execution.token":
                    self.tokens.append(message["delta"])
                elif message["type"] == "execution.events":
                    self.events.extend(message["events"])
                    if any(e["type"] == "phase" and e["data"]["phase"] in Phase.terminal() for e in message["events"]):
                        self._done.set()
        finally:
            await layer.group_discard(self.group, channel)
            if layer is not get_channel_layer():
                await layer.close_pools()
