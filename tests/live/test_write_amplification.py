"""Persisted writes grow with steps, never with streamed tokens."""
import pytest

import runner.progress
from executions.models import Agent, Phase
from executions.services.bootstrap import DEMO_TOOLS
from executions.services.executions import execution_create
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token_count(monkeypatch):
    counts: dict[str, int] = {}
    publish = runner.progress.token_publish

    async def counting(*, execution_id, delta):
        counts[str(execution_id)] = counts.get(str(execution_id), 0) + 1
        await publish(execution_id=execution_id, delta=delta)

    monkeypatch.setattr(runner.progress, "token_publish", counting)
    return counts


def run(words: int):
    agent = Agent.objects.create(
        slug=f"words-{words}", name=f"{words} words", model="scripted:demo",
        model_options={"answer_words": words}, tools=DEMO_TOOLS,
    )  # fmt: skip
    execution = wait_for_phase(execution_create(agent=agent, message="Tell me a story."), Phase.COMPLETED, Phase.FAILED)
    assert execution.phase == Phase.COMPLETED, execution.error
    return execution


def test_long_streamed_answer_persists_as_many_writes_as_a_short_one(workers, token_count):
    short, long = run(10), run(500)

    assert token_count[str(short.pk)] == 10 and token_count[str(long.pk)] == 500  # really streamed
    assert len(long.output.split()) == 500  # the complete message is persisted once it ends
    kinds = lambda e: list(e.events.order_by("sequence").values_list("type", flat=True))  # noqa: E731
    assert kinds(long) == kinds(short)
    assert long.events.count() == short.events.count()
    assert long.last_sequence == short.last_sequence
