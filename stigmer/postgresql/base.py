"""Django's PostgreSQL backend, whose pool recovers at once after a blink.

Django hands its pool psycopg_pool's own check, which walks a pool of dead
connections one by one with growing sleeps (see `pools.py`). Here the pool
gets no check (`CONN_HEALTH_CHECKS` off, set by settings with the pool) and
each connection is checked as Django takes it: on the first dead one the pool
is drained and a fresh connection taken.
"""
from django.db.backends.postgresql import base

from stigmer.postgresql.pools import log_drain


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        pool = self.pool
        if pool is None:
            return connection
        try:
            pool.check_connection(connection)
        except base.Database.Error as exc:
            log_drain(pool.name, exc)
            pool.putconn(connection)  # its state is BAD: discarded, not pooled
            pool.drain()
            connection = super().get_new_connection(conn_params)
        return connection
