"""Separate OS processes on PostgreSQL + Redis: web, one orchestration worker,
two runner workers. Executions created through the API all complete, each run
once, spread over both runners, and the web process streams every event."""
import asyncio
import json
import os
from collections import Counter

import httpx
import pytest
import websockets
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token

from executions.models import AgentExecution, ExecutionEvent, Phase
from tests.conftest import free_port
from tests.processes import Stack, database_url
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
        reason="multi-process runs need PostgreSQL and Redis (CI's second pass)",
    ),
]

EXECUTIONS = 100
WATCHED = 12


@pytest.fixture
def stack(temporal_env, demo_agent, tmp_path):
    env = {
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "STIGMER_CHECKPOINT_PATH": str(tmp_path / "unused.sqlite3"),
        "TEMPORAL_RUNNER_MAX_CONCURRENT_ACTIVITIES": "10",
        # The test creates faster than two runners finish; the per-user quota
        # would turn that into 429s, and the quota is not what is under test.
        "STIGMER_MAX_RUNNING_PER_USER": "0",
    }
    env.update({k: v for k, v in os.environ.items() if k.startswith(("TEMPORAL_", "STIGMER_HEARTBEAT"))})
    stack = Stack(env, tmp_path)
    port = free_port()
    stack.web(port)
    stack.manage("orchestration", "run_orchestration_worker")
    stack.manage("runner-1", "run_runner_worker")
    stack.manage("runner-2", "run_runner_worker")
    stack.url = f"http://127.0.0.1:{port}"
    yield stack
    stack.stop()


def session_cookie(user) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


async def watch(url: str, execution_id: str, cookie: str) -> list[dict]:
    """Every event the web process sends for one execution, until its end."""
    ws_url = url.replace("http", "ws") + f"/ws/executions/{execution_id}/"
    events = []
    async with websockets.connect(
        ws_url, additional_headers={"Cookie": cookie, "Origin": url}, open_timeout=10
    ) as socket:
        while True:
            frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=90))
            if "sequence" not in frame:
                continue  # token deltas
            events.append(frame)
            if frame["type"] == "phase" and frame["data"]["phase"] in Phase.terminal():
                return events


async def create_and_watch(url: str, token: str, cookie: str) -> tuple[list[str], list[list[dict]]]:
    """Create the executions through the API, watching the first few live."""
    ids, watchers = [], []
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as http:
        for i in range(EXECUTIONS):
            response = await http.post(
                "/api/v1/executions/", json={"agent": "demo", "message": f"What is {i}+1?"}
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
            if i < WATCHED:
                watchers.append(asyncio.create_task(watch(url, ids[-1], cookie)))
    return ids, await asyncio.gather(*watchers)


def test_hundred_executions_over_two_runner_processes(stack):
    user = get_user_model().objects.create_user("scaler", password="x")
    token = Token.objects.create(user=user)

    ids, watched = asyncio.run(create_and_watch(stack.url, token.key, session_cookie(user)))

    done = AgentExecution.objects.filter(pk__in=ids, phase=Phase.COMPLETED)
    wait_until(lambda: done.count() == EXECUTIONS, timeout=240, message="all executions completed")
    for i, execution_id in enumerate(ids):
        assert AgentExecution.objects.get(pk=execution_id).output == f"The result is {i + 1}."
    events = ExecutionEvent.objects.filter(execution_id__in=ids)
    # Each agent ran exactly once: one start, one human turn, two model turns.
    starts = events.filter(type="phase", data__phase="IN_PROGRESS")
    assert starts.count() == EXECUTIONS
    assert starts.values("execution_id").distinct().count() == EXECUTIONS
    assert events.filter(type="message", data__role="human").count() == EXECUTIONS
    assert events.filter(type="message", data__role="ai").count() == 2 * EXECUTIONS
    ran_on = {  # which runner ran each execution, from the runners' own logs
        execution_id: name for name in ("runner-1", "runner-2")
        for execution_id in ids if f"agent run of execution {execution_id} started" in stack.output(name)
    }
    assert len(ran_on) == EXECUTIONS
    runners = Counter(ran_on.values())
    assert len(runners) == 2 and min(runners.values()) > 0, runners
    assert not starts.filter(data__has_key="runner").exists(), "runner identity is not for users"
    watched_runners = set()
    for execution_id, frames in zip(ids, watched):
        stored = list(
            ExecutionEvent.objects.filter(execution_id=execution_id)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        assert [frame["sequence"] for frame in frames] == stored
        watched_runners.add(ran_on[execution_id])
    assert len(watched_runners) == 2, "the web process streamed executions from both runners"
