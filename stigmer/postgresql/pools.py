"""Connection pools that recover at once when the database drops every connection.

A server restart, a failover or `pg_terminate_backend` kills all of a pool's
idle connections together. psycopg_pool checks the connection it hands out,
but on a failed check it tries the next one after a backoff of 1, 2, 4, 8, 16
seconds: with eight dead connections a request waits 30 s and gets a
PoolTimeout. These pools check the connection themselves and, on the first
dead one, drain the pool (every connection made before is discarded, even
those in use, when returned) and take a fresh connection without waiting.
"""
import logging

import psycopg
from psycopg_pool import AsyncConnectionPool

logger = logging.getLogger(__name__)

CHECKPOINTER_APPLICATION_NAME = "stigmer-checkpointer"


def log_drain(pool_name: str, exc: Exception) -> None:
    logger.warning("database connection lost (%s); pool %s reconnects", str(exc).strip(), pool_name)


class RecoveringAsyncConnectionPool(AsyncConnectionPool):
    """Create it with `check=None`: it checks in getconn() instead."""

    async def getconn(self, timeout: float | None = None):
        conn = await super().getconn(timeout)
        try:
            await self.check_connection(conn)
        except psycopg.Error as exc:
            log_drain(self.name, exc)
            await self.putconn(conn)
            await self.drain()
            conn = await super().getconn(timeout)
        return conn
