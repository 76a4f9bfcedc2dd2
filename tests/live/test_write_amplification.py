"""Persisted writes grow with steps, never with streamed tokens."""
import pytest

from executions.runner_platform import InProcessPlatform
from executions.models import Agent, Phase
from executions.services.bootstrap import DEMO_TOOLS
from executions.services.executions import execution_create
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def streamed(monkeypatch):
    """The deltas pushed live, by execution."""
    deltas: dict[str, list[str]] = {}
    push = InProcessPlatform.token_push

    async def recording(self, execution_id, delta):
        deltas.setdefault(str(execution_id), []).append(delta)
        await push(self, execution_id, delta)

    monkeypatch.setattr(InProcessPlatform, "token_push", recording)
    return deltas


def run(words: int):
    agent = Agent.objects.create(
        slug=f"words-{words}", name=f"{words} words", model="scripted:demo",
        model_options={"answer_words": words}, tools=DEMO_TOOLS,
    )  # fmt: skip
    execution = wait_for_phase(execution_create(agent=agent, message="Tell me a story."), Phase.COMPLETED, Phase.FAILED)
    assert execution.phase == Phase.COMPLETED, execution.error
    return execution


def test_long_streamed_answer_persists_as_many_writes_as_a_short_one(workers, streamed):
    short, long = run(10), run(500)

    # Really streamed, in order, nothing lost (bursts of tokens share a push).
    assert "".join(streamed[str(short.pk)]).strip() == short.output
    assert "".join(streamed[str(long.pk)]).strip() == long.output
    assert len(long.output.split()) == 500  # the complete message is persisted once it ends
    kinds = lambda e: list(e.events.order_by("sequence").values_list("type", flat=True))  # noqa: E731
    assert kinds(long) == kinds(short)
    assert long.events.count() == short.events.count()
    assert long.last_sequence == short.last_sequence
