from django.core.management.base import BaseCommand, CommandError

from executions.services.runner_tokens import runner_token_issue


class Command(BaseCommand):
    help = (
        "Print a new runner token (for STIGMER_RUNNER_TOKEN on a runner that reaches the "
        "platform through the runner API); shown once, only its digest is kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="Which runner (or fleet) holds it, e.g. runners-eu")
        parser.add_argument("--rotate", action="store_true", help="Replace the runner's existing token")

    def handle(self, *args, name: str, rotate: bool, **options) -> None:
        try:
            self.stdout.write(runner_token_issue(name=name, rotate=rotate))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
