"""The platform through the runner API (docs/temporal-contract.md, "The runner API").

For a runner machine that holds no database credentials: it needs
STIGMER_PLATFORM_URL (e.g. https://stigmer.example.com) and STIGMER_RUNNER_TOKEN
(from `manage.py issue_runner_token`). A call that fails on the way (connection
refused or dropped, a 502/503/504 from a proxy) is tried again with backoff,
like the in-process writes: every call but a delegation is idempotent (events
carry keys; start and finish do nothing the second time), and a delegation is
only retried when it never reached the platform.
"""
import asyncio
import logging
import weakref

import httpx

from runner.platform.interface import (
    DelegationRefused,
    NotCancellable,
    SessionNotFound,
    UnknownCredentials,
)
from stigmer.config import env
from stigmer.event_log import TERMINAL_PHASES, NewEvent
from stigmer.run_config import RunConfig, run_config_from_json

logger = logging.getLogger(__name__)
API = "/api/v1/runner"
# How often a run waiting for its sub-agent reads the child's phase.
POLL_SECONDS = 0.5
RETRYABLE_STATUS = {502, 503, 504}


class PlatformError(RuntimeError):
    """The runner API refused a call (a 4xx other than the ones with a meaning here)."""


def _events(events) -> list[dict]:
    return [event.as_json() for event in events]


class HttpPlatform:
    def __init__(self, url: str, token: str, *, timeout: float = 30.0, retries: int = 6) -> None:
        if not token:
            raise ValueError("STIGMER_PLATFORM_URL is set but STIGMER_RUNNER_TOKEN is not")
        self.url = url.rstrip("/")
        self._headers = {"Authorization": f"Runner {token}"}
        self.timeout = timeout
        self.retries = retries
        self._clients: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient]" = (
            weakref.WeakKeyDictionary()
        )

    @classmethod
    def from_environment(cls) -> "HttpPlatform":
        return cls(
            (env("STIGMER_PLATFORM_URL") or "").strip(),
            (env("STIGMER_RUNNER_TOKEN") or "").strip(),
            timeout=env("STIGMER_RUNNER_API_TIMEOUT_SECONDS"),
            retries=env("STIGMER_RUNNER_API_RETRIES"),
        )

    def _client(self) -> httpx.AsyncClient:
        # One connection pool per event loop: a pool is bound to the loop that opened it.
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = httpx.AsyncClient(base_url=self.url, headers=self._headers, timeout=self.timeout)
            self._clients[loop] = client
        return client

    async def _call(self, method: str, path: str, body: dict | None = None, *, idempotent: bool = True):
        delay = 0.1
        for attempt in range(1, self.retries + 1):
            try:
                response = await self._client().request(method, API + path, json=body)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
                if attempt == self.retries or (sent and not idempotent):
                    raise
                reason = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in RETRYABLE_STATUS or attempt == self.retries or not idempotent:
                    return response
                reason = f"HTTP {response.status_code}"
            logger.warning("runner API %s %s failed (%s); retry %d in %.1fs", method, path, reason, attempt, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    @staticmethod
    def _ok(response: httpx.Response) -> dict:
        if response.is_success:
            return response.json() if response.content else {}
        raise PlatformError(f"runner API {response.request.method} {response.request.url.path} "
                            f"answered {response.status_code}: {_message(response)}")

    async def run_start(self, execution_id, events) -> RunConfig:
        response = await self._call("POST", f"/executions/{execution_id}/start/", {"events": _events(events)})
        return run_config_from_json(self._ok(response))

    async def events_append(self, execution_id, events, usage) -> None:
        body = {"events": _events(events), "usage": usage}
        self._ok(await self._call("POST", f"/executions/{execution_id}/events/", body))

    async def run_finish(self, execution_id, *, phase, events=(), output=None, error="", usage=None) -> bool:
        body = {"phase": str(phase), "output": output, "error": error, "usage": usage, "events": _events(events)}
        return self._ok(await self._call("POST", f"/executions/{execution_id}/finish/", body))["changed"]

    async def session_thread(self, session_id, agent_id) -> str:
        response = await self._call("POST", f"/sessions/{session_id}/thread/", {"agent_id": str(agent_id)})
        if response.status_code == 404:
            raise SessionNotFound(_message(response))
        return self._ok(response)["thread_id"]

    async def credential_tokens(self, names) -> dict[str, str]:
        response = await self._call("POST", "/credentials/", {"names": sorted(names)})
        if response.status_code == 400:
            raise UnknownCredentials(_field_message(response, "names"))
        return self._ok(response)["credentials"]

    async def token_push(self, execution_id, delta) -> None:
        try:
            response = await self._client().post(f"{API}/executions/{execution_id}/tokens/", json={"delta": delta})
            response.raise_for_status()
        except Exception as exc:  # noqa: BLE001 - a live push never breaks the run
            logger.warning("pushing a token of execution %s failed: %s", execution_id, exc)

    async def delegate(self, parent_id, agent_slug, message, tool) -> str:
        body = {"agent": agent_slug, "message": message, "tool": tool}
        response = await self._call("POST", f"/executions/{parent_id}/delegations/", body, idempotent=False)
        if response.status_code == 400:
            raise DelegationRefused(_field_message(response, "agent"))
        return self._ok(response)["execution"]

    async def execution_usage(self, execution_id) -> dict:
        return self._ok(await self._call("GET", f"/executions/{execution_id}/"))["usage"]

    async def execution_finished(self, execution_id) -> dict:
        while True:
            state = self._ok(await self._call("GET", f"/executions/{execution_id}/"))
            if state["phase"] in TERMINAL_PHASES:
                return state
            await asyncio.sleep(POLL_SECONDS)

    async def cancel(self, execution_id) -> None:
        response = await self._call("POST", f"/executions/{execution_id}/cancel/")
        if response.status_code == 409:
            raise NotCancellable(_message(response))
        self._ok(response)

    async def close(self) -> None:
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()


def _message(response: httpx.Response) -> str:
    try:
        return response.json()["error"]["message"]
    except Exception:  # noqa: BLE001 - not the API's error shape (a proxy's page)
        return response.text[:200]


def _field_message(response: httpx.Response, field: str) -> str:
    try:
        return " ".join(response.json()["error"]["fields"][field])
    except Exception:  # noqa: BLE001
        return _message(response)


__all__ = ["HttpPlatform", "NewEvent", "PlatformError"]
