"""/metrics exposes executions by phase and timing histograms from the database."""
import pytest
from prometheus_client.parser import text_string_to_metric_families

from executions.models import ModelPrice, Phase
from executions.services.executions import execution_create
from tests.waiting import wait_for_phase

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_metrics_count_phases_and_observe_durations(client, workers, demo_agent):
    runs = [
        wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED),
        wait_for_phase(execution_create(agent=demo_agent, message="hello"), Phase.COMPLETED),
    ]

    samples = scrape(client)

    assert samples[("stigmer_executions", (("phase", "COMPLETED"),))] == 2
    assert samples[("stigmer_executions", (("phase", "FAILED"),))] == 0
    assert samples[("stigmer_execution_duration_seconds_bucket", (("le", "+Inf"),))] == 2
    assert samples[("stigmer_execution_duration_seconds_bucket", (("le", "60.0"),))] == 2
    assert samples[("stigmer_execution_time_to_first_event_seconds_bucket", (("le", "+Inf"),))] == 2
    run_time = sum((run.completed_at - run.started_at).total_seconds() for run in runs)
    assert samples[("stigmer_execution_duration_seconds_gsum", ())] == pytest.approx(run_time, abs=1e-3)
    assert samples[("stigmer_execution_duration_seconds_gsum", ())] > 0


def test_metrics_count_tokens_by_the_model_that_ran(client, workers, demo_agent):
    ModelPrice.objects.create(model="scripted:long", input_per_million=1000, output_per_million=2000)
    plain = wait_for_phase(execution_create(agent=demo_agent, message="What is 6*7?"), Phase.COMPLETED)
    overridden = wait_for_phase(
        execution_create(agent=demo_agent, message="hello", model="scripted:long"), Phase.COMPLETED
    )

    samples = scrape(client)

    for execution, model in ((plain, "scripted:demo"), (overridden, "scripted:long")):
        assert execution.input_tokens > 0
        for kind in ("input", "output"):
            labels = (("kind", kind), ("model", model))
            assert samples[("stigmer_tokens_total", labels)] == getattr(execution, f"{kind}_tokens")
        assert samples[("stigmer_cost_usd_total", (("model", model),))] == pytest.approx(float(execution.cost))
    assert overridden.cost > 0  # priced; scripted:demo is free
