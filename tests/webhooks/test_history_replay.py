"""Every captured webhook delivery history replays against today's workflow
(docs/temporal-contract.md, "Versioning"); capture new ones with histories/capture.py."""
from pathlib import Path

import pytest
from temporalio.api.enums.v1 import EventType

from executions.temporal.webhook_workflow import WebhookDeliveryWorkflow
from tests.executions.test_history_replay import load, replay

FIXTURES = sorted((Path(__file__).parent / "histories").glob("*.json"))


@pytest.mark.parametrize("path", FIXTURES, ids=[path.stem for path in FIXTURES])
def test_fixture_replays_against_the_current_workflow(path):
    assert replay(load(path), WebhookDeliveryWorkflow).replay_failure is None


def test_fixtures_cover_a_retried_delivery_and_a_give_up():
    activities = [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for path in FIXTURES
        for event in load(path).events
        if EventType.Name(event.event_type) == "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"
    ]
    assert {"DeliverWebhook", "WebhookDeliveryGiveUp"} <= set(activities)
