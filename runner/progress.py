"""Turns the agent's LangGraph stream into the execution's event log.

Complete messages and tool calls are persisted by graph step (an AI turn
with its tool calls and usage, or the tools' results), behind the agent
(runner/writer.py); token deltas are only pushed live, so persisted writes
grow with steps, never with tokens. The final answer is held back and written
with the COMPLETED phase, in the same transaction.
"""
import asyncio
import time

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage

from runner.approvals import APPROVAL_NODE
from runner.platform import platform
from runner.writer import EventLogWriter
from stigmer import event_log
from stigmer.event_log import COMPLETED, NewEvent


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


class ProgressReporter:
    def __init__(self, execution_id: str, *, round: int = 0) -> None:
        self.execution_id = execution_id
        # Each run of ExecuteGraphton (the first, then one per resumption
        # after decisions) keys its steps apart.
        self._key_prefix = f"runner:{round}:" if round else "runner:"
        # The gated calls the run stopped on, when it stopped for approval.
        self.approvals: list[dict] = []
        self.final_answer = ""
        self.usage = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
        self.tool_calls = 0
        self._tool_started: dict[str, tuple[str, float]] = {}
        self._steps = 0
        self._batch: list[NewEvent] = []
        self.held: list[NewEvent] = []  # the final answer, for the COMPLETED write
        self._usage_changed = False
        self.log = EventLogWriter(execution_id)
        self._tokens: list[str] = []
        self._token_sender: asyncio.Task | None = None

    def _add(self, type: str, data: dict) -> None:
        # ExecuteGraphton runs once per execution and round, so a counter is a unique key.
        self._steps += 1
        self._batch.append(NewEvent(type, data, f"{self._key_prefix}{self._steps}"))

    def human(self, content: str) -> list[NewEvent]:
        """The first message, to be written with the IN_PROGRESS phase."""
        self._add(event_log.MESSAGE, {"role": "human", "content": content})
        self._batch, batch = [], self._batch
        return batch

    async def flush(self) -> None:
        """Commit everything, the held final answer included (when the run
        ends some other way than COMPLETED)."""
        await self.tokens_sent()
        # Not through flush_step: a write that failed meanwhile is retried
        # here, not raised before the retry.
        batch, usage = self._unwritten()
        await self.log.written(batch, usage=usage)

    async def complete(self) -> None:
        """COMPLETED, with the final answer and any steps still unwritten."""
        await self.tokens_sent()
        held, _ = self._unwritten()  # the phase carries the usage totals
        await self.log.end(
            events=held, phase=COMPLETED, output=self.final_answer, usage=self.usage
        )

    async def handle(self, mode: str, chunk) -> None:
        if mode == "messages":
            message, _metadata = chunk
            if isinstance(message, AIMessageChunk) and message.content:
                self._token(_text(message))
            return
        # A step's persisted messages must never overtake its streamed tokens.
        await self.tokens_sent()
        if mode == "custom":
            self._custom(chunk)
            return
        for node, update in (chunk or {}).items():
            if node == "__interrupt__":
                self._interrupted(update)
                continue
            if node == APPROVAL_NODE:
                continue  # the decided calls, recorded by the workflow; their results follow
            for message in (update or {}).get("messages", []):
                if isinstance(message, AIMessage):
                    self._ai(message)
                elif isinstance(message, ToolMessage):
                    self._tool(message)
        self.flush_step()

    def _interrupted(self, interrupts) -> None:
        for interrupt in interrupts or ():
            value = getattr(interrupt, "value", None)
            if isinstance(value, dict):
                self.approvals.extend(value.get("tool_calls", []))

    def _custom(self, chunk) -> None:
        """A model call being retried: written at once, so the transcript
        says why the run is waiting while it waits."""
        if isinstance(chunk, dict) and "model_retry" in chunk:
            self._add(event_log.MODEL_RETRY, chunk["model_retry"])
            self.flush_step()

    def _token(self, delta: str) -> None:
        """Push a delta without waiting; deltas that arrive while a push is
        under way go out together in the next one, so a model streaming
        faster than Redis answers costs one push per round trip, not per token."""
        self._tokens.append(delta)
        if self._token_sender is None or self._token_sender.done():
            self._token_sender = asyncio.create_task(self._send_tokens())

    async def _send_tokens(self) -> None:
        while self._tokens:
            delta, self._tokens = "".join(self._tokens), []
            await platform().token_push(self.execution_id, delta)

    async def tokens_sent(self) -> None:
        if self._token_sender is not None:
            await self._token_sender

    def flush_step(self) -> None:
        if self._batch:
            batch, usage = self._step()
            self.log.append(batch, usage=usage)

    def _unwritten(self) -> tuple[list[NewEvent], dict | None]:
        """`_step`, with the held final answer first."""
        self._batch, self.held = [*self.held, *self._batch], []
        return self._step()

    def _step(self) -> tuple[list[NewEvent], dict | None]:
        """The pending batch, with the usage totals when they changed."""
        self._batch, batch = [], self._batch
        usage = _usage_data(self.usage) if self._usage_changed else None
        self._usage_changed = False
        return batch, usage

    def _ai(self, message: AIMessage) -> None:
        calls = [
            {"id": call["id"], "name": call["name"], "args": call["args"]}
            for call in message.tool_calls
        ]
        self._add(event_log.MESSAGE, {"role": "ai", "content": _text(message), "tool_calls": calls})
        for call in calls:
            self.tool_calls += 1
            self._tool_started[call["id"]] = (call["name"], time.monotonic())
            self._add(event_log.TOOL_CALL_STARTED, call)
        if message.usage_metadata:
            for key in self.usage:
                self.usage[key] += int(message.usage_metadata.get(key, 0))
            self._add(event_log.USAGE, _usage_data(self.usage))
            self._usage_changed = True
        if not calls:
            # An answer without tool calls ends a ReAct agent's run.
            self.final_answer = _text(message)
            self.held, self._batch = [*self.held, *self._batch], []

    def _tool(self, message: ToolMessage) -> None:
        name, started = self._tool_started.pop(
            message.tool_call_id, (message.name or "", time.monotonic())
        )
        failed = message.status == "error"
        data = {
            "id": message.tool_call_id,
            "name": name,
            "error" if failed else "result": _text(message),
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }
        self._add(event_log.TOOL_CALL_FAILED if failed else event_log.TOOL_CALL_COMPLETED, data)
        self._add(
            event_log.MESSAGE,
            {"role": "tool", "content": _text(message), "tool_call_id": message.tool_call_id, "name": name},
        )


def _usage_data(usage: dict) -> dict:
    return {key: int(usage[key]) for key in ("input_tokens", "output_tokens", "total_tokens")}
