"""Streamed tokens: coalesced into fewer pushes under a burst, never lost,
never reordered, and all out before the step that completes them."""
import asyncio

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from executions.runner_platform import InProcessPlatform
from runner.progress import ProgressReporter


@pytest.fixture
def pushes(monkeypatch):
    """Pushes as (delta, steps persisted when it went out), with a slow Redis."""
    record: list[tuple[str, int]] = []
    persisted: list[int] = []

    async def slow_publish(self, execution_id, delta):
        await asyncio.sleep(0.01)
        record.append((delta, len(persisted)))

    def flush_step(self):
        if self._batch:
            persisted.append(len(self._batch))
            self._batch = []

    monkeypatch.setattr(InProcessPlatform, "token_push", slow_publish)
    monkeypatch.setattr(ProgressReporter, "flush_step", flush_step)
    return record


async def stream(reporter: ProgressReporter, words: list[str], *, gap: float) -> None:
    for word in words:
        await reporter.handle("messages", (AIMessageChunk(content=word), {}))
        if gap:
            await asyncio.sleep(gap)
    # A turn that also calls a tool: persisted with its step, not held back.
    call = {"id": "call-1", "name": "calculator", "args": {"expression": "6*7"}}
    await reporter.handle("updates", {"agent": {"messages": [AIMessage(content="".join(words), tool_calls=[call])]}})


def test_a_burst_of_tokens_shares_pushes_and_precedes_its_step(pushes):
    words = [f"w{i} " for i in range(50)]
    asyncio.run(stream(ProgressReporter("e"), words, gap=0))

    assert "".join(delta for delta, _ in pushes) == "".join(words)
    assert len(pushes) < 5
    assert all(steps == 0 for _, steps in pushes)  # every token before the persisted answer


def test_tokens_slower_than_a_push_go_out_one_by_one(pushes):
    words = ["The ", "result ", "is ", "42."]
    asyncio.run(stream(ProgressReporter("e"), words, gap=0.03))

    assert [delta for delta, _ in pushes] == words
