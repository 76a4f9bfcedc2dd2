"""Temporal clients: async connect for workers, a bridge for sync callers.

Sync code (the create pipeline's on_commit, admin actions, commands) may run
in any thread, inside or outside an event loop. The bridge owns one private
event loop thread and one client per server, so every caller gets the same
well-behaved connection whatever its context.
"""
import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

from temporalio.client import Client
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from executions.temporal.config import TemporalConfig, temporal_config
from stigmer.config import env

T = TypeVar("T")
logger = logging.getLogger(__name__)


async def temporal_connect(
    config: TemporalConfig | None = None, *, runtime: Runtime | None = None
) -> Client:
    config = config or temporal_config()
    return await asyncio.wait_for(
        Client.connect(config.host_port, namespace=config.namespace, runtime=runtime, interceptors=_interceptors()),
        timeout=config.connect_timeout,
    )


def _interceptors() -> list:
    """Temporal's OpenTelemetry interceptor when this process traces: on the
    client it carries the caller's span into the workflow's headers, and the
    workers built on it (they inherit a client's interceptors) continue it in
    the workflow, the activities and the runner's spans."""
    from stigmer.tracing import tracing_enabled

    if not tracing_enabled():
        return []
    from temporalio.contrib.opentelemetry import TracingInterceptor

    return [TracingInterceptor()]


async def temporal_connect_patiently(
    config: TemporalConfig | None = None, *, runtime: Runtime | None = None
) -> Client:
    """Connect, waiting out a Temporal that is not up yet (deploys start
    workers and server together; a worker should not die for that)."""
    config = config or temporal_config()
    delay = 0.5
    while True:
        try:
            return await temporal_connect(config, runtime=runtime)
        except (OSError, TimeoutError, RuntimeError) as exc:
            logger.warning("Temporal at %s unreachable (%s); retrying in %.1fs", config.host_port, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def worker_runtime() -> Runtime | None:
    """A runtime exposing the SDK's worker metrics to Prometheus, when asked
    for with STIGMER_WORKER_METRICS_ADDRESS (e.g. 0.0.0.0:9464)."""
    address = env("STIGMER_WORKER_METRICS_ADDRESS")
    if not address:
        return None
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


class TemporalBridge:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clients: dict[tuple[str, str, bool], Client] = {}

    def run(self, fn: Callable[[Client], Awaitable[T]], *, timeout: float | None = None) -> T:
        """Run `fn` with the shared client; the whole call, connecting
        included, is given up after `timeout` (default three connect timeouts).

        The deadline is enforced on the bridge's loop, so a call given up is
        cancelled there, not left running: the SDK retries a call to a server
        that went away for ten seconds, whatever the connect timeout says."""
        config = temporal_config()
        timeout = timeout or config.connect_timeout * 3

        async def call() -> T:
            async def with_client() -> T:
                return await fn(await self._client(config))

            try:
                return await asyncio.wait_for(with_client(), timeout)
            except asyncio.TimeoutError:
                raise TimeoutError(f"no answer from Temporal within {timeout:g}s") from None

        return asyncio.run_coroutine_threadsafe(call(), self._event_loop()).result()

    async def _client(self, config: TemporalConfig) -> Client:
        from stigmer.tracing import tracing_enabled

        key = (config.host_port, config.namespace, tracing_enabled())
        if key not in self._clients:
            self._clients[key] = await temporal_connect(config)
        return self._clients[key]

    def _event_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="temporal-bridge", daemon=True
                ).start()
                self._loop = loop
            return self._loop


temporal_bridge = TemporalBridge()
