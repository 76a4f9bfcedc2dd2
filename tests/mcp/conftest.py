import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from executions.models import Agent, McpServer
from tests.conftest import free_port

SERVER = Path(__file__).with_name("server.py")


@pytest.fixture
def stdio_server(db):
    return McpServer.objects.create(
        name="tools", transport="stdio", command=sys.executable, args=[str(SERVER), "stdio"],
        env={"MARKER": "from env"}, enabled_tools=["echo", "add", "fail", "die"],
    )


@contextmanager
def serving_http(env: dict | None = None):
    """The same server over streamable HTTP, as a process of its own."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(SERVER), "http", str(port)], env={**os.environ, **(env or {})}
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the MCP test server did not start")
            time.sleep(0.1)
    try:
        yield process, f"http://127.0.0.1:{port}/mcp"
    finally:
        process.kill()
        process.wait()


@pytest.fixture
def http_process():
    with serving_http() as served:
        yield served


@pytest.fixture
def http_server(db, http_process):
    return McpServer.objects.create(
        name="web", transport="streamable_http", url=http_process[1],
        headers={"X-Test": "1"}, enabled_tools=["add", "busy", "die"],
    )


def agent_with(*servers, slug="mcp-agent", tools=()) -> Agent:
    agent = Agent.objects.create(slug=slug, name=slug, model="scripted:demo", tools=list(tools))
    agent.mcp_servers.set(servers)
    return agent
