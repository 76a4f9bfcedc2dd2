"""The orchestration worker's sandbox and other libraries' finalisers.

Garbage collection may run any object's finaliser inside a workflow
activation. One that imports a module lazily (redis-py 8's connections do)
must import it as a normal import, not under the sandbox's restrictions,
where the module's own code fails and the worker with it."""
import gc
import sys
import uuid
import warnings

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from executions.temporal.workers import workflow_runner
from tests.executions.sandbox_probe import CollectGarbage

pytestmark = pytest.mark.asyncio
MODULE = "lazily_imported_by_a_finaliser"


class ImportsWhenCollected:
    """A reference cycle, so only the collector frees it."""

    outcome: dict = {}

    def __init__(self) -> None:
        self.cycle = self

    def __del__(self) -> None:
        try:
            __import__(MODULE)
            ImportsWhenCollected.outcome["imported"] = True
        except BaseException as exc:  # noqa: BLE001 - a finaliser cannot raise
            ImportsWhenCollected.outcome["imported"] = f"{type(exc).__name__}: {exc}"


async def test_a_finalisers_lazy_import_inside_a_workflow_is_a_normal_import(temporal_server, tmp_path, monkeypatch):
    # Module-level code a sandboxed import refuses: it reads the clock.
    (tmp_path / f"{MODULE}.py").write_text("import datetime\n\nLOADED_AT = datetime.datetime.now()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, MODULE, raising=False)
    client = await Client.connect(temporal_server)
    queue = f"sandbox-{uuid.uuid4().hex[:8]}"

    gc.disable()  # the cycle must survive until the workflow collects it
    try:
        async with Worker(client, task_queue=queue, workflows=[CollectGarbage], workflow_runner=workflow_runner()):
            ImportsWhenCollected()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = await client.execute_workflow(CollectGarbage.run, id=queue, task_queue=queue)
    finally:
        gc.enable()

    assert result == "collected"
    assert ImportsWhenCollected.outcome == {"imported": True}
    assert not [w for w in caught if "imported after initial workflow load" in str(w.message)]
