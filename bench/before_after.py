"""Before and after in one run: the platform at an earlier commit (`--before
REF`) beside this checkout's, on the same machine, the same database and the
same load, in alternating throughput rounds, with CPU per execution by process.

The earlier commit runs from a git worktree with this checkout's virtualenv,
on its own Temporal dev server and Redis database; only the commits' code
differs. It must have the same migrations: both share one database."""
import os
import subprocess
from pathlib import Path

from bench.environment import LOG_DIR, ROOT, Environment

BEFORE_REDIS_URL = os.environ.get("BENCH_BEFORE_REDIS_URL", "redis://127.0.0.1:6379/8")


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _migrations(tree: str) -> set[str]:
    listed = _git("ls-tree", "-r", "--name-only", tree, "--", "executions/migrations", "stigmer")
    return {line for line in listed.splitlines() if "/migrations/" in line and line.endswith(".py")}


def worktree(ref: str) -> tuple[Path, str]:
    """A detached worktree of `ref` (made again each run), and its commit."""
    commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}")
    if _migrations(commit) != _migrations("HEAD"):
        raise RuntimeError(f"{ref} has other migrations than HEAD: before and after share one database")
    path = LOG_DIR / "before-tree"
    if path.exists():
        _git("worktree", "remove", "--force", str(path))
    _git("worktree", "add", "--detach", str(path), commit)
    return path, commit


def label(commit: str) -> str:
    text = _git('log', '-1', '--format=%h %s', commit)
    return text if len(text) <= 72 else text[:71] + "…"


def start(after: Environment, ref: str) -> tuple[Environment, str]:
    """The earlier commit's platform, beside `after` (already started)."""
    path, commit = worktree(ref)
    before = Environment(database=after.database, root=path, name="before", redis_url=BEFORE_REDIS_URL)
    before.start(fresh_database=False, setup_django=False)
    return before, commit


def stop(before: Environment) -> None:
    before.stop()
    _git("worktree", "remove", "--force", str(before.root))
