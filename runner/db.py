"""ORM access from async activities: off the event loop, stale connections
closed around each call (Channels' database_sync_to_async), and writes retried
with backoff when the connection drops. Retried writes carry idempotency keys,
so a write whose commit went through before the drop is never doubled."""
import asyncio
import functools
import logging

from channels.db import database_sync_to_async as db
from django.db import InterfaceError, OperationalError, connection
from stigmer.config import env

logger = logging.getLogger(__name__)

__all__ = ["db", "db_write"]


def _drop_connection() -> None:
    connection.close()


# Built once per function: callers wrap at each call, and making a
# SyncToAsync costs more than the thread hop it schedules.
@functools.cache
def db_write(fn):
    off_loop = db(fn)

    async def call(*args, **kwargs):
        retries, delay = env("STIGMER_DB_WRITE_RETRIES"), 0.1
        for attempt in range(1, retries + 1):
            try:
                return await off_loop(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if attempt == retries:
                    raise
                logger.warning("database write failed (%s); retry %d in %.1fs", exc, attempt, delay)
                await db(_drop_connection)()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    return call
