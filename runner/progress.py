"""Turns the agent's LangGraph stream into the execution's event log.

Complete messages and tool calls are persisted as they happen; token deltas
are only pushed live, so persisted writes grow with steps, never with tokens.
"""
import time

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage

from executions.live import token_publish
from executions.models import EventType
from executions.services.events import execution_event_append
from executions.services.phases import execution_usage_record
from runner.db import db_write


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


class ProgressReporter:
    def __init__(self, execution_id: str) -> None:
        self.execution_id = execution_id
        self.final_answer = ""
        self.usage = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
        self.tool_calls = 0
        self._tool_started: dict[str, tuple[str, float]] = {}
        self._steps = 0

    def _key(self) -> str:
        # ExecuteGraphton runs once per execution, so a counter is a unique key.
        self._steps += 1
        return f"runner:{self._steps}"

    async def _append(self, type: str, data: dict) -> None:
        await db_write(execution_event_append)(
            execution_id=self.execution_id, type=type, data=data, key=self._key()
        )

    async def human(self, content: str) -> None:
        await self._append(EventType.MESSAGE, {"role": "human", "content": content})

    async def handle(self, mode: str, chunk) -> None:
        if mode == "messages":
            message, _metadata = chunk
            if isinstance(message, AIMessageChunk) and message.content:
                await token_publish(execution_id=self.execution_id, delta=_text(message))
            return
        for update in (chunk or {}).values():
            for message in (update or {}).get("messages", []):
                if isinstance(message, AIMessage):
                    await self._ai(message)
                elif isinstance(message, ToolMessage):
                    await self._tool(message)

    async def _ai(self, message: AIMessage) -> None:
        calls = [
            {"id": call["id"], "name": call["name"], "args": call["args"]}
            for call in message.tool_calls
        ]
        await self._append(
            EventType.MESSAGE, {"role": "ai", "content": _text(message), "tool_calls": calls}
        )
        for call in calls:
            self.tool_calls += 1
            self._tool_started[call["id"]] = (call["name"], time.monotonic())
            await self._append(EventType.TOOL_CALL_STARTED, call)
        if not calls:
            self.final_answer = _text(message)
        if message.usage_metadata:
            for key in self.usage:
                self.usage[key] += int(message.usage_metadata.get(key, 0))
            await db_write(execution_usage_record)(
                execution_id=self.execution_id, usage=dict(self.usage), key=self._key()
            )

    async def _tool(self, message: ToolMessage) -> None:
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
        await self._append(
            EventType.TOOL_CALL_FAILED if failed else EventType.TOOL_CALL_COMPLETED, data
        )
        await self._append(
            EventType.MESSAGE,
            {"role": "tool", "content": _text(message), "tool_call_id": message.tool_call_id, "name": name},
        )
