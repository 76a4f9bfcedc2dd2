"""Sockets re-check their user's access while open.

Access is checked at the handshake; a socket can then stay open for hours.
Every STIGMER_WS_RECHECK_SECONDS the consumer asks again, with the user read
afresh from the database (auth.current_user), and closes with the refusal's
code (4401, 4403) once the answer is no.
"""
import asyncio
import logging

from channels.db import database_sync_to_async
from django.conf import settings

from executions.consumers.access import CLOSE_UNAUTHENTICATED
from executions.consumers.auth import current_user

logger = logging.getLogger(__name__)


class RechecksAccess:
    _recheck_task: asyncio.Task | None = None

    def refusal_for(self, user) -> int | None:
        """Sync, with database access: the close code if `user` (signed in,
        read afresh) may no longer watch, else None."""
        raise NotImplementedError

    def refusal_now(self) -> int | None:
        user = current_user(self.scope)
        return CLOSE_UNAUTHENTICATED if user is None else self.refusal_for(user)

    def start_rechecks(self) -> None:
        self._recheck_task = asyncio.create_task(self._recheck_forever())

    def stop_rechecks(self) -> None:
        if self._recheck_task is not None:
            self._recheck_task.cancel()

    async def _recheck_forever(self) -> None:
        while True:
            await asyncio.sleep(settings.STIGMER_WS_RECHECK_SECONDS)
            try:
                code = await database_sync_to_async(self.refusal_now)()
            except Exception:  # noqa: BLE001 - a database blink: ask again next time
                logger.warning("socket access re-check failed", exc_info=True)
                continue
            if code is not None:
                await self.close(code=code)
                return
