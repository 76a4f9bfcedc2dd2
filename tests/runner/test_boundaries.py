"""The runner reaches the platform through one interface (runner/platform/): apart from
the Temporal contract it shares with the workflow, it imports nothing of `executions`, so
a runner process on the runner API never loads the platform's services or models."""
import ast
from pathlib import Path

RUNNER = Path(__file__).resolve().parents[2] / "runner"
SHARED = {"executions.temporal.contract", "executions.temporal.config"}
# Database helpers of the in-process transport (executions/runner_platform.py) and the
# checkpointer's choice of store: neither opens a connection on a runner using the API.
DJANGO_DB = {"db.py", "checkpointer.py"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_runner_imports_no_executions_internals():
    offenders = {
        str(path.relative_to(RUNNER)): sorted(name for name in imports(path) if name.split(".")[0] == "executions" and name not in SHARED)
        for path in RUNNER.rglob("*.py")
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_only_the_database_helpers_touch_the_orm():
    users = {
        str(path.relative_to(RUNNER))
        for path in RUNNER.rglob("*.py")
        if any(name.startswith("django.db") for name in imports(path))
    }
    assert users <= DJANGO_DB, users - DJANGO_DB
