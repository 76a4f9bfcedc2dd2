"""The real ASGI app (HTTP + WebSocket) under uvicorn in a thread of the test process.

pytest-django's live_server is WSGI-only; this one speaks WebSocket, and being in
the same process as the `workers` fixture, the in-memory channel layer reaches it.
"""
import threading
import time

import uvicorn

from tests.conftest import free_port


class AsgiTestServer:
    def __init__(self) -> None:
        from stigmer.asgi import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(application, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "AsgiTestServer":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
