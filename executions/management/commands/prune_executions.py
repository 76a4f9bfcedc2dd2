from django.core.management.base import BaseCommand

from executions.services.retention import executions_prune


class Command(BaseCommand):
    help = (
        "Delete finished executions, their events and idle sessions' memory older than their "
        "agent's retention (the retention job does this every STIGMER_RETENTION_INTERVAL_SECONDS)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, dry_run: bool, **options) -> None:
        report = executions_prune(dry_run=dry_run)
        verb = "would prune" if dry_run else "pruned"
        self.stdout.write(
            f"{verb} {report.executions} executions, {report.events} events, "
            f"{report.checkpoints} session checkpoints"
        )
