"""Capture webhook delivery workflow histories as replay fixtures (as
tests/executions/histories/capture.py does for the execution's workflow):

    STIGMER_HISTORY_TAG=v1 .venv/bin/python -m pytest tests/webhooks/histories/capture.py
"""
import json
import os
from pathlib import Path

import pytest

from executions.models import Phase, WebhookDelivery
from executions.services.executions import execution_create
from executions.temporal.contract import webhook_workflow_id_for
from tests.executions.histories.capture import closed_history_json
from tests.waiting import wait_for_phase
from tests.webhooks.conftest import endpoint_for

HISTORIES = Path(__file__).parent
TAG = os.environ.get("STIGMER_HISTORY_TAG", "")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not TAG, reason="set STIGMER_HISTORY_TAG to capture fixtures"),
]


def save(scenario: str, delivery: WebhookDelivery) -> None:
    path = HISTORIES / f"{TAG}-{scenario}.json"
    if path.exists():
        pytest.fail(f"{path.name} exists: fixtures are kept forever, pick a new STIGMER_HISTORY_TAG")
    workflow_id = webhook_workflow_id_for(str(delivery.pk))
    history = json.loads(closed_history_json(workflow_id))
    path.write_text(json.dumps({"workflow_id": workflow_id, "history": history}, indent=1) + "\n")


def test_capture_delivered_after_retries(workers, demo_agent, fast_retries, receiver):
    receiver.failures = 2
    endpoint_for(receiver.url, "execution.completed")
    wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    save("delivered-after-retries", WebhookDelivery.objects.get())


def test_capture_gave_up(workers, demo_agent, fast_retries, settings, receiver):
    settings.STIGMER_WEBHOOK_ATTEMPTS = 2
    receiver.failures = 2
    endpoint_for(receiver.url, "execution.completed")
    wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    save("gave-up", WebhookDelivery.objects.get())
