import re
from pathlib import Path

import pytest

from executions.services.webhook_endpoints import webhook_endpoint_create
from tests.webhooks.receiver import Receiver

SECRET = "whsec-test-0123456789abcdef"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def docs_verifier():
    """verify_stigmer_signature, as docs/webhooks.md prints it (the block after its marker)."""
    text = DOCS.read_text()
    code = re.search(r"<!-- verification snippet.*?-->\n```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_stigmer_signature"]


@pytest.fixture
def fast_retries(settings):
    """Seconds, not hours, between attempts."""
    settings.STIGMER_WEBHOOK_BACKOFF_SECONDS = 0.2
    settings.STIGMER_WEBHOOK_BACKOFF_CAP_SECONDS = 0.5
    settings.STIGMER_WEBHOOK_ATTEMPTS = 10
    settings.STIGMER_WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def endpoint_for(url: str, *events: str, **extra):
    from executions.models import WebhookEvent

    return webhook_endpoint_create(url=url, events=list(events or WebhookEvent.values), secret=SECRET, **extra)
