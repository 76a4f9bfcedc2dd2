"""Every environment variable the platform reads: name, type, default, meaning.

The one place configuration comes from. Django's settings (stigmer/settings.py)
and the knobs read while running (Temporal timeouts, model retries, tool and MCP
limits) both go through `env()`; nothing else reads `os.environ` for
configuration (tests/production/test_config.py checks). `env()` reads when
called rather than once at import: each process (web, workers, the tests'
worker processes) gets its own environment, and tests shorten timeouts per test.

The README's Configuration table is this table: `python -m stigmer.config`
prints it, and a test keeps the two the same.
"""
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass


def _bool(raw: str) -> bool:
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | None  # None: unset (the reader decides, as `meaning` says)
    meaning: str
    parse: Callable[[str], object] = str
    shown_default: str = ""  # when the default is not a literal

    def row(self) -> str:
        default = self.shown_default or ("unset" if self.default in (None, "") else f"`{self.default}`")
        return f"| `{self.name}` | {default} | {self.meaning} |"


V = Variable
VARIABLES = [
    # Core and security
    V("DEBUG", "1", "development mode; production sets `0`", _bool),
    V("SECRET_KEY", None, "Django's secret key; required when `DEBUG` is off", shown_default="a development key"),
    V("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver", "comma-separated", _list),
    V("CSRF_TRUSTED_ORIGINS", "", "comma-separated origins (scheme, host, port)", _list),
    V("SECURE_SSL_REDIRECT", None, "redirect HTTP to HTTPS", _bool, shown_default="on unless `DEBUG`"),
    V("SECURE_COOKIES", None, "session and CSRF cookies over HTTPS only", _bool, shown_default="on unless `DEBUG`"),
    V("SECURE_HSTS_SECONDS", None, "HSTS max-age", int, shown_default="`31536000` unless `DEBUG` (`0`)"),
    V("SECURE_HSTS_INCLUDE_SUBDOMAINS", None, "HSTS for subdomains", _bool, shown_default="on unless `DEBUG`"),
    V("SECURE_HSTS_PRELOAD", None, "HSTS preload", _bool, shown_default="on unless `DEBUG`"),
    V("STIGMER_SERVE_STATIC", None, "serve static files from the app (WhiteNoise)", _bool, shown_default="as `DEBUG`"),
    V("STIGMER_LOGIN_FAILURE_LIMIT", "5", "failed admin logins per username and address before a lock-out", int),
    V("STIGMER_LOGIN_COOLOFF_MINUTES", "15", "length of that lock-out", float),
    V("LOG_FORMAT", None, "`plain` or `json`", shown_default="`plain` when `DEBUG`, else `json`"),
    V("LOG_LEVEL", "INFO", "root log level"),
    # Storage
    V("DATABASE_URL", None, "PostgreSQL (`postgres://…`) instead of SQLite"),
    V("DATABASE_POOL", "0", "psycopg connection pool in each process instead of persistent connections", _bool),
    V("DATABASE_POOL_MAX_SIZE", "10", "that pool's size", int),
    V("DATABASE_CONN_MAX_AGE", "600", "seconds a connection is kept without the pool", int),
    V("STIGMER_SQLITE_PATH", "db.sqlite3", "the embedded database"),
    V("REDIS_URL", None, "Redis for the channel layer and the API's throttle counts instead of memory"),
    V("STIGMER_REDIS_MAX_CONNECTIONS", "100", "connections each process's channel layer opens to Redis at most (redis-py's default); a push beyond them fails, a live token lost: raise it with the runs a runner holds in flight", int),
    V("STIGMER_CHECKPOINT_PATH", "checkpoints.sqlite3", "LangGraph's SQLite checkpointer (without `DATABASE_URL`, and always on a runner using the runner API)"),
    V("STIGMER_TEMPORAL_DB", ".temporal-dev.sqlite3", "`run_platform`'s Temporal dev server database"),
    # Temporal
    V("TEMPORAL_HOST_PORT", "localhost:7233", "Temporal frontend"),
    V("TEMPORAL_NAMESPACE", "default", "Temporal namespace"),
    V("TEMPORAL_AGENT_EXECUTION_STIGMER_TASK_QUEUE", "agent_execution_stigmer", "orchestration queue"),
    V("TEMPORAL_AGENT_EXECUTION_RUNNER_TASK_QUEUE", "agent_execution_runner", "runner queue"),
    V("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "5", "give up starting a workflow after this, connecting included (the create still answers, `PENDING` with the reason)", float),
    V("TEMPORAL_SCHEDULE_TO_START_SECONDS", "60", "contract value; after it a run checks whether runners are busy (then it waits) or absent (then it fails)", float),
    V("TEMPORAL_HEARTBEAT_TIMEOUT_SECONDS", "30", "contract value; shortened by tests", float),
    V("TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES", "20", "runner slots per runner worker and delegation depth (each depth's queue has its own)", int),
    V("TEMPORAL_UI_URL", "http://localhost:8233", "links from the admin"),
    V("STIGMER_HEARTBEAT_INTERVAL_SECONDS", None, "the runner's heartbeat period", float, shown_default="`min(5, heartbeat timeout / 3)`"),
    V("STIGMER_RECONCILE_INTERVAL_SECONDS", "30", "period of the orchestration worker's reconciler", float),
    V("STIGMER_REPAIR_GRACE_SECONDS", "10", "the repair pass leaves executions younger than this alone", float),
    V("STIGMER_RUNNER_SHUTDOWN_GRACE_SECONDS", "30", "a stopping runner lets running agents finish for this long", float),
    V("STIGMER_PLATFORM_URL", None, "a runner's way to the platform: the runner API at this URL instead of the database (docs/temporal-contract.md, \"The runner API\")"),
    V("STIGMER_RUNNER_TOKEN", None, "the runner token a runner presents to the runner API (`manage.py issue_runner_token`)"),
    V("STIGMER_RUNNER_API_RETRIES", "6", "tries of a runner API call that fails on the way (connection, 502/503/504)", int),
    V("STIGMER_RUNNER_API_TIMEOUT_SECONDS", "30", "one runner API call's timeout", float),
    V("STIGMER_WORKER_METRICS_ADDRESS", None, "`host:port` where a worker serves Temporal's Prometheus metrics"),
    # Executions
    V("STIGMER_MAX_MESSAGE_CHARS", "32000", "longest accepted message", int),
    V("STIGMER_MAX_BODY_BYTES", "262144", "largest accepted request body", int),
    V("STIGMER_MAX_DELEGATION_DEPTH", "3", "deepest sub-agent chain; the runner serves one queue per depth up to it", int),
    V("STIGMER_ADMIN_PASSWORD", None, "`run_platform`'s admin password", shown_default="generated"),
    V("STIGMER_CREDENTIALS_KEY", "secret_key", "Fernet keys for credentials at rest, comma-separated, newest first (`secret_key`: derived from `SECRET_KEY`; see Credentials)", _list),
    V("STIGMER_RETENTION_DAYS", "0", "retention for agents whose `retention_days` is empty; `0` keeps forever (see Retention)", int),
    V("STIGMER_RETENTION_INTERVAL_SECONDS", "3600", "period of the retention job", float),
    V("STIGMER_RETENTION_BATCH_SIZE", "500", "rows deleted per statement by the retention job", int),
    V("STIGMER_WEBHOOK_ATTEMPTS", "20", "attempts per webhook delivery before it is marked failed (see Webhooks)", int),
    V("STIGMER_WEBHOOK_BACKOFF_SECONDS", "5", "first wait between a delivery's attempts; doubles each time", float),
    V("STIGMER_WEBHOOK_BACKOFF_CAP_SECONDS", "3600", "longest wait between a delivery's attempts", float),
    V("STIGMER_WEBHOOK_TIMEOUT_SECONDS", "10", "one POST to a webhook receiver, whole", float),
    # Models, tools, MCP
    V("STIGMER_MODEL_ATTEMPTS", "5", "attempts per model call (the first included) before the run fails", int),
    V("STIGMER_MODEL_BACKOFF_SECONDS", "1", "first wait between attempts; doubles each time", float),
    V("STIGMER_MODEL_BACKOFF_CAP_SECONDS", "30", "longest backoff (a longer `Retry-After` is still honoured)", float),
    V("STIGMER_MODEL_CALL_TIMEOUT_SECONDS", "300", "one model call, request and whole streamed answer; then it is abandoned and retried", float),
    V("OPENAI_API_KEY", None, "the runner's OpenAI key when the agent names no credential (never leaves the runner)"),
    V("OPENAI_BASE_URL", None, "OpenAI endpoint instead of the public one"),
    V("ANTHROPIC_API_KEY", None, "the runner's Anthropic key, as above"),
    V("ANTHROPIC_BASE_URL", None, "Anthropic endpoint instead of the public one"),
    V("OLLAMA_API_KEY", None, "a key for an Ollama behind an authenticating proxy"),
    V("OLLAMA_HOST", None, "Ollama's address", shown_default="`http://localhost:11434`"),
    V("STIGMER_OPENAI_COMPATIBLE_API_KEY", None, "the key for `openai-compatible:` models"),
    V("STIGMER_OPENAI_COMPATIBLE_BASE_URL", None, "the endpoint of `openai-compatible:` models (required for them)"),
    V("STIGMER_DB_WRITE_RETRIES", "6", "attempts of a worker's database write (the runner's, the orchestration worker's local activities', checkpoints) when the connection drops", int),
    V("STIGMER_TOOL_TIMEOUT_SECONDS", "300", "a tool's timeout when it sets none", float),
    V("STIGMER_TOOL_THREADS", "32", "worker threads for sync tools, per runner", int),
    V("STIGMER_SLEEP_TOOL_MAX_SECONDS", None, "longest sleep the demo `sleep` tool accepts", float, shown_default="the tool timeout"),
    V("STIGMER_MCP_CONNECT_TIMEOUT_SECONDS", "30", "a run's wait for an MCP server to answer", float),
    V("STIGMER_MCP_LIST_TIMEOUT_SECONDS", "5", "the tool list's (API, admin) wait for one", float),
    V("STIGMER_MCP_PING_SECONDS", "5", "ping period for a server while a call to it is pending", float),
    # API and live
    V("STIGMER_API_PAGE_SIZE", "20", "API list page size", int),
    V("STIGMER_SSE_MAX_SECONDS", "300", "an SSE stream ends after this (clients resume with `Last-Event-ID`)", float),
    V("STIGMER_SSE_POLL_SECONDS", "0.15", "how often a follower without a channel layer message looks at the database", float),
    V("STIGMER_SSE_KEEPALIVE_SECONDS", "15", "SSE keep-alive comment period", float),
    V("STIGMER_WS_RECHECK_SECONDS", "5", "an open socket re-checks its user's access this often", float),
    V("STIGMER_LIVE_TICKET_SECONDS", "60", "lifetime of a live ticket (WebSocket/SSE for API users)", int),
    V("STIGMER_METRICS_WINDOW_SECONDS", "3600", "`/metrics` histograms cover executions finished in this window", float),
    # Quotas and cost
    V("STIGMER_CREATE_RATE_PER_USER", "120/min", "API creates per user (empty: no limit)"),
    V("STIGMER_CREATE_RATE_PER_AGENT", "1200/min", "API creates per agent (empty: no limit)"),
    V("STIGMER_MAX_RUNNING_PER_USER", "50", "unfinished executions per user; `0`: no limit", int),
    V("STIGMER_USER_MONTHLY_BUDGET", None, "USD per month for users without a budget of their own (see Quotas)"),
    # Tracing
    V("OTEL_EXPORTER_OTLP_ENDPOINT", None, "export traces by OTLP/HTTP (see Observability); unset: tracing off"),
    V("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", None, "the same, for traces only"),
    V("OTEL_SERVICE_NAME", None, "the service name on spans", shown_default="the process's role"),
    V("STIGMER_TRACE_URL", None, "the execution page's trace link, e.g. `http://localhost:16686/trace/{trace_id}`"),
]
VARIABLES_BY_NAME = {variable.name: variable for variable in VARIABLES}


def env(name: str):
    """The variable's value, parsed; its default when unset; None when it has
    no default and is unset. Set but empty is a value (an empty rate: no limit)."""
    variable = VARIABLES_BY_NAME[name]  # a KeyError here: declare it above
    raw = os.environ.get(name)
    if raw is None:
        raw = variable.default
    if raw is None:
        return None
    return variable.parse(raw)


def table() -> str:
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    return "\n".join(lines + [variable.row() for variable in VARIABLES])


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")
