"""A spy on the scripted model, for tests only: counts its calls.

In the test process, `ScriptedCallSpy` counts calls while installed. Worker
processes started by the fault tests load this app (tests.settings with
STIGMER_SCRIPTED_CALL_LOG set), and its spy appends one line per call, naming
the execution served, to that file, so a test can count calls across processes.
"""
import threading

from runner.llms.scripted import ScriptedChatModel
from stigmer.logs import current_execution_id


class ScriptedCallSpy:
    """Wraps ScriptedChatModel._reply (each model call makes exactly one reply)."""

    def __init__(self, log_path: str | None = None) -> None:
        self.count = 0
        self.log_path = log_path
        self._lock = threading.Lock()  # models run on worker threads and on the loop
        self._original = None

    def install(self) -> "ScriptedCallSpy":
        original = self._original = ScriptedChatModel._reply
        spy = self

        def counted_reply(model, messages, tools):
            spy.record()
            return original(model, messages, tools)

        ScriptedChatModel._reply = counted_reply
        return self

    def uninstall(self) -> None:
        if self._original is not None:
            ScriptedChatModel._reply = self._original
            self._original = None

    def record(self) -> None:
        with self._lock:
            self.count += 1
            if self.log_path:
                with open(self.log_path, "a", encoding="utf-8") as log:
                    log.write(f"{current_execution_id() or '-'}\n")
