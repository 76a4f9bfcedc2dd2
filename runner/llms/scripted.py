"""The offline, deterministic `scripted:<name>` chat model.

It answers from the conversation alone, so the whole agent loop (real tool calls, tool results,
memory through a checkpointer, token streaming, usage) runs without a network and gives the same
output every time: the demo agent works out of the box and tests can assert exact answers.
"""

import asyncio
import hashlib
import json
import re
import time
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolCall,
    ToolMessage,
    UsageMetadata,
)
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field

LONG_ANSWER_WORDS = 200
FAILURE_MESSAGE = "scripted model failure (requested by scripted:fail)"

_ARITHMETIC_RUN = re.compile(r"[\d\s().+\-*/%]+")
_HAS_OPERATION = re.compile(r"\d\s*\)*\s*(?:\*\*|//|[-+*/%])\s*[-+(\s]*\d")
_SLEEP = re.compile(r"\bsleep\s+(?:for\s+)?(\d+(?:\.\d+)?)", re.IGNORECASE)
_TIME = re.compile(r"\btime\b", re.IGNORECASE)
_ZONE = re.compile(r"\b[A-Z][A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?\b")
# "call <tool> with <JSON object>", or just "call <tool>", as the whole message.
_CALL = re.compile(r"^\s*call\s+([A-Za-z0-9_.\-]+)(?:\s+with\s+(.*?))?\s*$", re.IGNORECASE | re.DOTALL)
_RECALL = re.compile(r"\b(?:previous|before)\b", re.IGNORECASE)
_TOKEN = re.compile(r"\S+\s*")
_TOOL_ANSWERS = {
    "calculator": "The result is {}.",
    "current_time": "It is {}.",
    "sleep": "Done: {}.",
}
_FILLER = "the scripted model streams this long answer one word at a time".split()

def find_arithmetic(text: str) -> str | None:
    """The first arithmetic expression in the text: "What is 6*7?" -> "6*7"."""
    for match in _ARITHMETIC_RUN.finditer(text):
        candidate = match.group().strip()
        # A run of allowed characters may pick up a bracket from the surrounding prose.
        while candidate.count("(") > candidate.count(")") and candidate.startswith("("):
            candidate = candidate[1:].strip()
        while candidate.count(")") > candidate.count("(") and candidate.endswith(")"):
            candidate = candidate[:-1].strip()
        if _HAS_OPERATION.search(candidate):
            return candidate
    return None


class ScriptedCallError(ValueError):
    """A "call <tool> with <JSON>" message whose arguments are not a JSON object."""


def requested_call(text: str) -> tuple[str, dict[str, Any]] | None:
    """The tool call a "call <tool> with <JSON object>" message asks for.

    Any tool name is called, bound or not, as a misbehaving model might: an
    unknown one comes back as the tool node's error, so tests can drive an
    allowlist too.
    """
    match = _CALL.match(text)
    if not match:
        return None
    name, raw = match.group(1), match.group(2)
    try:
        args = json.loads(raw) if raw else {}
    except json.JSONDecodeError as exc:
        raise ScriptedCallError(f"the arguments for {name} are not JSON: {exc}") from exc
    if not isinstance(args, dict):
        raise ScriptedCallError(f"the arguments for {name} must be a JSON object, got {raw}")
    return name, args


def requested_calls(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Several "call <tool> with <JSON object>" lines, one call each: the
    calls of one model turn. Empty unless there are two or more and every line is one."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2 or not all(_CALL.match(line) for line in lines):
        return []
    return [requested_call(line) for line in lines]


def _choose_tools(text: str, bound: set[str]) -> list[tuple[str, dict[str, Any]]]:
    if several := requested_calls(text):
        return several
    chosen = _choose_tool(text, bound)
    return [chosen] if chosen else []


def _choose_tool(text: str, bound: set[str]) -> tuple[str, dict[str, Any]] | None:
    # One tool call per turn: an explicit "call X with {...}" first, then by
    # priority: sleep > calculator > current_time.
    if requested := requested_call(text):
        return requested
    if "sleep" in bound and (match := _SLEEP.search(text)):
        return "sleep", {"seconds": float(match.group(1))}
    if "calculator" in bound and (expression := find_arithmetic(text)):
        return "calculator", {"expression": expression}
    if "current_time" in bound and _TIME.search(text):
        zone = _ZONE.search(text)
        return "current_time", {"timezone": zone.group()} if zone else {}
    return None


def _after_tool(message: ToolMessage) -> str:
    if message.status == "error":
        return f"The tool failed: {message.text}"
    template = _TOOL_ANSWERS.get(message.name or "", f"The {message.name} tool returned: {{}}.")
    return template.format(message.text)


def _call_id(messages: Sequence[BaseMessage], index: int = 0) -> str:
    # Derived from the conversation so a replayed step produces the same id.
    transcript = json.dumps([[m.type, m.text] for m in messages] + [index])
    return "call_" + hashlib.sha256(transcript.encode()).hexdigest()[:24]


class ScriptedChatModel(BaseChatModel):
    """Deterministic offline chat model. It replies to the last message:

    - "call <tool> with <JSON object>" (or "call <tool>") as the whole message calls that
      tool with those arguments, whichever tools are bound; several such lines make as many
      calls in one turn;
    - a human message that asks for a bound tool's job gets one real tool call, by priority
      "sleep N" > an arithmetic expression (calculator) > the word "time" (current_time);
    - a tool result gets an answer quoting it ("The result is 42.", "The tool failed: ...");
      with `tool_calls=N` (model option `{"tool_calls": N}`, default 1) the first call of the
      turn is repeated until N results are in, then answered: long transcripts for benchmarks;
    - a question containing "previous" or "before" quotes the earlier human message;
    - anything else gets "Scripted answer to: <question>", or `answer_words` filler words
      (200 for `scripted:long`). `scripted:fail` raises on every call.
    """

    # A typo in `options` should fail loudly rather than be ignored.
    model_config = ConfigDict(extra="forbid")

    name: str = "demo"
    token_delay: float = Field(default=0.0, ge=0.0)
    answer_words: int | None = Field(default=None, ge=1)
    tool_calls: int = Field(default=1, ge=1)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"name": self.name, "answer_words": self.answer_words}

    def bind_tools(
        self, tools: Sequence[Any], *, tool_choice: str | None = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools like a real provider: their schemas reach `_generate` as `tools`.

        `tool_choice` is accepted for compatibility and ignored: the script decides.
        """
        return self.bind(tools=[convert_to_openai_tool(t) for t in tools], **kwargs)

    def _plain_answer(self, messages: Sequence[BaseMessage]) -> str:
        asked = [m.text for m in messages if isinstance(m, HumanMessage)]
        question = asked[-1] if asked else ""
        words = self.answer_words or (LONG_ANSWER_WORDS if self.name == "long" else None)
        if words:
            return " ".join(_FILLER[i % len(_FILLER)] for i in range(words))
        if _RECALL.search(question):
            if len(asked) < 2:
                return "You have not asked anything before."
            return f'You asked before: "{asked[-2]}"'
        return f"Scripted answer to: {question}"

    def _reply(self, messages: list[BaseMessage], tools: list[dict] | None) -> AIMessage:
        # `tools` holds the OpenAI-format schemas that bind_tools attached.
        if self.name == "fail":
            raise RuntimeError(FAILURE_MESSAGE)
        bound = {t["function"]["name"] for t in tools or []}
        last = messages[-1] if messages else None
        try:
            chosen = _choose_tools(last.text, bound) if isinstance(last, HumanMessage) else []
        except ScriptedCallError as exc:
            return AIMessage(content=f"I cannot make that call: {exc}.")
        if chosen:
            calls = [
                ToolCall(name=name, args=args, id=_call_id(messages, index), type="tool_call")
                for index, (name, args) in enumerate(chosen)
            ]
            return AIMessage(content="", tool_calls=calls)
        if isinstance(last, ToolMessage):
            return self._repeat_call(messages) or AIMessage(content=_after_tool(last))
        return AIMessage(content=self._plain_answer(messages))

    def _repeat_call(self, messages: list[BaseMessage]) -> AIMessage | None:
        """The turn's first tool call again, while fewer than `tool_calls` results are in."""
        turn: list[BaseMessage] = []
        for message in reversed(messages):
            if isinstance(message, HumanMessage):
                break
            turn.append(message)
        results = [m for m in turn if isinstance(m, ToolMessage)]
        calls = [c for m in reversed(turn) if isinstance(m, AIMessage) for c in m.tool_calls]
        if not calls or len(results) >= self.tool_calls or results[0].status == "error":
            return None
        first = calls[0]
        call = ToolCall(name=first["name"], args=first["args"], id=_call_id(messages), type="tool_call")
        return AIMessage(content="", tool_calls=[call])

    def _chunks(self, messages: list[BaseMessage], **kwargs: Any) -> list[ChatGenerationChunk]:
        """One chunk per token (a word and its trailing space); a tool call is one chunk."""
        reply = self._reply(messages, kwargs.get("tools"))
        if reply.tool_calls:
            chunks = [
                tool_call_chunk(name=call["name"], args=json.dumps(call["args"]), id=call["id"], index=index)
                for index, call in enumerate(reply.tool_calls)
            ]
            parts = [AIMessageChunk(content="", tool_call_chunks=chunks)]
        else:
            parts = [AIMessageChunk(content=t) for t in _TOKEN.findall(reply.text)]
            parts = parts or [AIMessageChunk(content="")]
        # Usage goes on the last chunk only, because adding chunks sums their usage.
        input_tokens = sum(len(m.text.split()) for m in messages)
        parts[-1].usage_metadata = UsageMetadata(
            input_tokens=input_tokens,
            output_tokens=len(parts),
            total_tokens=input_tokens + len(parts),
        )
        parts[-1].chunk_position = "last"
        return [ChatGenerationChunk(message=part) for part in parts]

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        # Built from the same chunks as a stream, so both paths give the same message.
        return generate_from_stream(iter(self._chunks(messages, **kwargs)))

    async def _agenerate(self, messages, stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        # Cheap and pure: skip the default hop to a worker thread.
        return self._generate(messages, **kwargs)

    def _stream(self, messages, stop=None, run_manager=None, **kwargs: Any):
        for index, chunk in enumerate(self._chunks(messages, **kwargs)):
            if index and self.token_delay:
                time.sleep(self.token_delay)
            yield chunk

    async def _astream(self, messages, stop=None, run_manager=None, **kwargs: Any):
        for index, chunk in enumerate(self._chunks(messages, **kwargs)):
            if index and self.token_delay:
                await asyncio.sleep(self.token_delay)  # cancellable between tokens
            yield chunk
