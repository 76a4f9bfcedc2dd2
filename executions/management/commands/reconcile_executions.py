from django.core.management.base import BaseCommand

from executions.services.executions import executions_reconcile


class Command(BaseCommand):
    help = (
        "Repair executions whose record disagrees with Temporal; start unstarted PENDING ones "
        "and webhook deliveries whose workflow never started."
    )

    def handle(self, *args, **options) -> None:
        report = executions_reconcile()
        for execution_id in report.repaired:
            self.stdout.write(f"repaired {execution_id}")
        for execution_id in report.started:
            self.stdout.write(f"started {execution_id}")
        for execution_id in report.still_pending:
            self.stdout.write(f"still pending {execution_id}")
        for delivery_id in report.deliveries_started:
            self.stdout.write(f"started webhook delivery {delivery_id}")
        self.stdout.write(
            f"{len(report.repaired)} repaired, {len(report.started)} started, "
            f"{len(report.still_pending)} still pending"
        )
