"""Round trips per execution over a throughput window: the other half of the
profile beside CPU (bench/cpu.py), and the count the platform's levers cut.

PostgreSQL: transactions committed or rolled back in the platform's own
database (pg_stat_database; an autocommit statement such as a connection's
health check `SELECT 1` is one). Redis: commands by name (INFO commandstats),
server-wide: only one platform runs at a time, and the floors use none.
Both are read from outside the measured database and process."""
import time

import psycopg
import redis

from bench.environment import POSTGRES

# Backends flush their pending statistics within a second of going idle.
STATS_FLUSH = 1.5


def _pg_transactions(database: str) -> int:
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        row = connection.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s", [database]
        ).fetchone()
    return int(row[0]) if row else 0


def _redis_commands(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {key.removeprefix("cmdstat_"): int(value["calls"]) for key, value in stats.items()
            if key != "cmdstat_info"}


class RoundTripMeter:
    def __init__(self, database: str, redis_url: str) -> None:
        self.database = database
        self._redis = redis.Redis.from_url(redis_url)
        self._before: tuple[int, dict[str, int]] = (0, {})

    def _sample(self) -> tuple[int, dict[str, int]]:
        return _pg_transactions(self.database), _redis_commands(self._redis)

    def start(self) -> None:
        self._before = self._sample()

    def stop(self, *, executions: int) -> dict:
        time.sleep(STATS_FLUSH)
        transactions, commands = self._sample()
        self._redis.close()
        calls = {name: n - self._before[1].get(name, 0) for name, n in commands.items()}
        calls = {name: n / executions for name, n in sorted(calls.items(), key=lambda kv: -kv[1]) if n > 0}
        return {
            "postgresql_transactions": (transactions - self._before[0]) / executions,
            "redis_commands": sum(calls.values()),
            "redis_by_command": calls,
        }


def describe(name: str, trips: dict | None) -> str:
    """One sentence for a report: a system's round trips per execution."""
    if not trips:
        return ""
    top = ", ".join(f"{command} {n:.1f}" for command, n in list(trips["redis_by_command"].items())[:6])
    return (f"Round trips per execution ({name}, the median round): {trips['postgresql_transactions']:.1f} "
            f"PostgreSQL transactions, {trips['redis_commands']:.1f} Redis commands ({top}).")
