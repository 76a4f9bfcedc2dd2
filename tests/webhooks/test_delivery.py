"""Webhooks delivered by Temporal on real workers to a real receiver that is
down for a while: each event arrives once, signed, whatever the outage."""
import pytest
from django.core.management import call_command

from executions.models import Agent, DeliveryStatus, Phase, WebhookDelivery
from executions.services.bootstrap import DEMO_TOOLS
from executions.services.events import execution_event_append
from executions.services.executions import execution_cancel, execution_create
from executions.temporal.client import temporal_bridge
from executions.temporal.contract import webhook_workflow_id_for
from tests.api.conftest import client_for
from tests.conftest import free_port
from tests.executions.histories.capture import closed_history_json
from tests.waiting import wait_for_phase, wait_until
from tests.webhooks.conftest import SECRET, docs_verifier, endpoint_for
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


def closed_results(deliveries) -> list[str]:
    """Each delivery's workflow result, once closed: no attempt can follow."""
    ids = [d.pk for d in deliveries]
    # The row commits first; its workflow is started right after the commit.
    wait_until(
        lambda: WebhookDelivery.objects.filter(pk__in=ids, workflow_started_at__isnull=False).count() == len(ids),
        message="the deliveries' workflows to start",
    )

    async def results(client):
        return [
            await client.get_workflow_handle(webhook_workflow_id_for(str(d.pk))).result() for d in deliveries
        ]

    return temporal_bridge.run(results, timeout=60)


def assert_signed(request) -> None:
    verify = docs_verifier()
    assert verify(SECRET, request.headers["Stigmer-Signature"], request.body.encode())
    assert not verify("another-secret-0123456789", request.headers["Stigmer-Signature"], request.body.encode())
    assert request.json["id"] == request.event_id
    assert request.json["type"] == request.headers["Stigmer-Event-Type"]


def test_a_receiver_down_for_the_first_attempts_gets_each_event_once_and_signed(
    workers, demo_agent, fast_retries, receiver, caplog
):
    caplog.set_level("DEBUG")
    receiver.failures = 4  # 503 to the first four requests, whichever deliveries they are
    endpoint = endpoint_for(receiver.url)
    failing = Agent.objects.create(slug="failing", name="Failing", model="scripted:fail", tools=DEMO_TOOLS)

    completed = execution_create(agent=demo_agent, message="What is 6*7?")
    failed = execution_create(agent=failing, message="hello")
    waiting = execution_create(agent=demo_agent, message="sleep 30 then tell me")
    wait_until(lambda: waiting.events.filter(type="tool_call_started").exists(), message="the sleep call")
    # The approvals' log events, by their type's name (as the approval flow writes them).
    call = {"tool": "refund_order", "tool_call_id": "call-1", "args": {"number": 7}}
    execution_event_append(execution_id=waiting.pk, type="approval_requested", data=call)
    execution_event_append(execution_id=waiting.pk, type="approval_decided", data={**call, "decision": "approve"})
    execution_cancel(execution=waiting)
    for execution, phase in [(completed, Phase.COMPLETED), (failed, Phase.FAILED), (waiting, Phase.CANCELLED)]:
        wait_for_phase(execution, phase)

    receiver.wait_for(lambda rs: len({r.event_id for r in rs if r.status == 200}) == 5, message="five events")
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint))
    assert closed_results(deliveries) == ["succeeded"] * 5

    accepted = receiver.accepted
    assert sorted(r.json["type"] for r in accepted) == [
        "approval.decided", "approval.requested", "execution.cancelled", "execution.completed", "execution.failed",
    ]
    assert len({r.event_id for r in accepted}) == len(accepted) == 5  # each once
    for request in receiver.requests:
        assert_signed(request)
    refused = [r for r in receiver.requests if r.status == 503]
    assert len(refused) == 4 and {r.event_id for r in refused} <= {r.event_id for r in accepted}

    by_type = {r.json["type"]: r.json for r in accepted}
    assert by_type["execution.completed"]["data"]["execution"]["output"] == completed.output
    assert by_type["execution.completed"]["data"]["execution"]["id"] == str(completed.pk)
    assert by_type["execution.failed"]["data"]["execution"]["error"]
    assert by_type["approval.decided"]["data"]["approval"]["decision"] == "approve"
    deliveries = list(WebhookDelivery.objects.filter(endpoint=endpoint))
    assert {d.status for d in deliveries} == {DeliveryStatus.SUCCEEDED}
    assert sum(d.attempts for d in deliveries) == 5 + 4
    assert {d.last_response_code for d in deliveries} == {200}
    # The secret signs; it travels nowhere: not in the workflows' histories, not in logs.
    assert "failed: the receiver answered 503" in caplog.text  # the workers' logs are captured…
    assert SECRET not in caplog.text
    for delivery in deliveries:
        assert SECRET not in closed_history_json(webhook_workflow_id_for(str(delivery.pk)))


def test_refused_connections_until_the_receiver_starts(workers, demo_agent, fast_retries):
    port = free_port()  # nothing listens there yet
    endpoint_for(f"http://127.0.0.1:{port}/hooks", "execution.completed")
    wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    delivery = WebhookDelivery.objects.get()
    wait_until(
        lambda: WebhookDelivery.objects.filter(pk=delivery.pk, attempts__gte=2).exists(),
        message="two refused attempts",
    )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "no answer from the receiver" in delivery.last_error

    receiver = Receiver(port=port)
    try:
        assert closed_results([delivery]) == ["succeeded"]
        assert len(receiver.accepted) == 1
        assert_signed(receiver.accepted[0])
    finally:
        receiver.close()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_response_code, delivery.last_error) == (DeliveryStatus.SUCCEEDED, 200, "")
    assert delivery.attempts >= 2  # at least one refused, then the one that got through


def test_when_the_attempts_run_out_it_fails_and_a_redelivery_keeps_the_event_id(
    workers, demo_agent, fast_retries, settings, receiver
):
    from tests.api.conftest import with_perms
    from django.contrib.auth import get_user_model

    settings.STIGMER_WEBHOOK_ATTEMPTS = 2
    receiver.failures = 2
    endpoint = endpoint_for(receiver.url, "execution.completed")
    wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    delivery = WebhookDelivery.objects.get()
    assert closed_results([delivery]) == ["failed"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (DeliveryStatus.FAILED, 2, 503)
    assert "503" in delivery.last_error

    operator = with_perms(get_user_model().objects.create_user("ops"), "change_webhookendpoint")
    response = client_for(operator).post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 202, response.content
    again = WebhookDelivery.objects.get(pk=response.json()["id"])
    assert closed_results([again]) == ["succeeded"]

    accepted = receiver.accepted
    assert len(accepted) == 1
    assert accepted[0].event_id == str(delivery.event_id) == str(again.event_id)
    assert accepted[0].headers["Stigmer-Delivery-Id"] == str(again.pk)
    assert accepted[0].body == receiver.requests[0].body  # the same event, signed anew
    assert_signed(accepted[0])
    again.refresh_from_db()
    assert (again.status, again.redelivery_of_id) == (DeliveryStatus.SUCCEEDED, delivery.pk)


def test_a_delivery_whose_start_failed_is_started_by_the_reconciler(
    workers, demo_agent, fast_retries, receiver, monkeypatch, temporal_env
):
    endpoint_for(receiver.url, "approval.requested")
    monkeypatch.setenv("TEMPORAL_HOST_PORT", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("TEMPORAL_CONNECT_TIMEOUT_SECONDS", "1")
    execution = execution_create(agent=demo_agent, message="What is 6*7?")  # stays PENDING
    execution_event_append(execution_id=execution.pk, type="approval_requested", data={"tool_call_id": "c"})
    delivery = WebhookDelivery.objects.get()
    assert delivery.workflow_started_at is None and "Temporal unreachable" in delivery.start_error

    monkeypatch.setenv("TEMPORAL_HOST_PORT", temporal_env)  # Temporal is back
    call_command("reconcile_executions")
    call_command("reconcile_executions")  # a second pass starts nothing twice

    assert closed_results([delivery]) == ["succeeded"]
    delivery.refresh_from_db()
    assert delivery.workflow_started_at is not None and delivery.start_error == ""
    assert len(receiver.accepted) == 1 and receiver.accepted[0].json["type"] == "approval.requested"


def test_an_address_refused_at_send_time_gives_up_at_once(workers, demo_agent, fast_retries):
    """Checked again at each attempt, on the addresses the host resolves to now
    (here a URL written around the save-time rule, as a renamed host would be)."""
    from executions.models import WebhookEndpoint

    endpoint = endpoint_for("https://hooks.example/", "execution.completed")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url="http://169.254.169.254/latest/meta-data/")
    wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    delivery = WebhookDelivery.objects.get()

    assert closed_results([delivery]) == ["failed"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (DeliveryStatus.FAILED, 1, None)
    assert "resolves to 169.254.169.254" in delivery.last_error
