"""manage.py run_agent in a thread: the terminal a user would watch."""
import io
import threading

from django.core.management import call_command
from django.db import connection


class RunAgentThread(threading.Thread):
    def __init__(self, *args: str) -> None:
        super().__init__(daemon=True)
        self.args = args
        self.code: int | None = None
        self.out = ""

    def run(self) -> None:
        out = io.StringIO()
        try:
            call_command("run_agent", *self.args, stdout=out)
            self.code = 0
        except SystemExit as exit:
            self.code = exit.code
        finally:
            self.out = out.getvalue()
            connection.close()

    def result(self, timeout: float = 60) -> tuple[int | None, str]:
        self.join(timeout)
        assert not self.is_alive(), "run_agent did not finish"
        return self.code, self.out
