
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from stigmer.devtools.devserver import dev_server_start, dev_server_stop, port_open, split_host_port
from executions.ops.loops import loop_run
from executions.ops.platform import platform_serve
from executions.services.bootstrap import (
    admin_user_ensure,
    assistant_agent_ensure,
    demo_agent_ensure,
    demo_mcp_server_ensure,
)
from executions.temporal.config import temporal_config
from stigmer.tracing import tracing_setup
from stigmer.config import env


class Command(BaseCommand):
    help = "Run everything on embedded defaults: Temporal dev server, web, both workers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--temporal-ui-port", type=int, default=8233)

    def handle(self, *args, host: str, port: int, temporal_ui_port: int, **options) -> None:
        tracing_setup("stigmer")
        config = temporal_config()
        dev_server = None
        if not port_open(*split_host_port(config.host_port)):
            self.stdout.write(f"starting the Temporal dev server on {config.host_port}")
            try:
                dev_server = dev_server_start(
                    host_port=config.host_port,
                    ui_port=temporal_ui_port,
                    db_file=env("STIGMER_TEMPORAL_DB"),
                )
            except (OSError, RuntimeError) as exc:
                raise CommandError(str(exc)) from exc
        try:
            call_command("migrate", interactive=False, verbosity=0)
            demo_agent_ensure()
            demo_mcp_server_ensure()
            assistant_agent_ensure()
            password = admin_user_ensure(password=env("STIGMER_ADMIN_PASSWORD"))
            if password:
                self.stdout.write(f"admin user created: admin / {password}")
            self.stdout.write(
                f"Stigmer on http://{host}:{port}/admin/  "
                f"(Temporal UI http://localhost:{temporal_ui_port}; Ctrl-C stops everything)"
            )
            loop_run(platform_serve(config=config, host=host, port=port))
        finally:
            if dev_server is not None:
                dev_server_stop(dev_server)
                self.stdout.write("Temporal dev server stopped")
