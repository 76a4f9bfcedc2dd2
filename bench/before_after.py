"""Before and after in one run: the platform at an earlier commit (`--before
REF`) beside this checkout's, on the same machine, the same database and the
same load, in alternating throughput rounds, with CPU per execution by process.

The earlier commit runs from a git worktree with this checkout's virtualenv,
on its own database (its own migrations, then the bench's user, token,
session and agent copied over), Temporal dev server and Redis database: a
platform's reconciler starts the PENDING executions it finds, so two must
never share a database."""
import os
import subprocess
from pathlib import Path

from bench.environment import LOG_DIR, POSTGRES, ROOT, Environment

BEFORE_REDIS_URL = os.environ.get("BENCH_BEFORE_REDIS_URL", "redis://127.0.0.1:6379/8")
# What bench/fixtures.py made in the first database, which the load needs in both.
FIXTURE_TABLES = ["auth_user", "authtoken_token", "django_session", "executions_agent"]


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def worktree(ref: str) -> tuple[Path, str]:
    """A detached worktree of `ref` (made again each run), and its commit."""
    commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}")
    path = LOG_DIR / "before-tree"
    if path.exists():
        _git("worktree", "remove", "--force", str(path))
    _git("worktree", "add", "--detach", str(path), commit)
    return path, commit


def fixtures_copy(source: str, target: str) -> None:
    tables = [arg for table in FIXTURE_TABLES for arg in ("--table", table)]
    dump = subprocess.run(["pg_dump", "--data-only", *tables, f"{POSTGRES}/{source}"],
                          check=True, capture_output=True)
    subprocess.run(["psql", "--quiet", "-v", "ON_ERROR_STOP=1", f"{POSTGRES}/{target}"],
                   input=dump.stdout, check=True, capture_output=True)


def label(commit: str) -> str:
    text = _git('log', '-1', '--format=%h %s', commit)
    return text if len(text) <= 72 else text[:71] + "…"


def start(after: Environment, ref: str) -> tuple[Environment, str]:
    """The earlier commit's platform, beside `after` (already started)."""
    path, commit = worktree(ref)
    before = Environment(database=f"{after.database}_before", root=path, name="before", redis_url=BEFORE_REDIS_URL)
    before.start(setup_django=False, after_migrate=lambda: fixtures_copy(after.database, before.database))
    return before, commit


def stop(before: Environment) -> None:
    before.stop()
    _git("worktree", "remove", "--force", str(before.root))
