from django.core.management.base import BaseCommand

from executions.services.executions import executions_reconcile


class Command(BaseCommand):
    help = "Start every PENDING execution whose workflow has not started (oldest first)."

    def handle(self, *args, **options) -> None:
        report = executions_reconcile()
        for execution_id in report.started:
            self.stdout.write(f"started {execution_id}")
        for execution_id in report.still_pending:
            self.stdout.write(f"still pending {execution_id}")
        self.stdout.write(
            f"{len(report.started)} started, {len(report.still_pending)} still pending"
        )
