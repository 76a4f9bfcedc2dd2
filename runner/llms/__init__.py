"""Chat models for the agent runner: `resolve_chat_model` plus the offline scripted model."""

from runner.llms.resolve import (
    UnknownModelError,
    describe_model,
    is_offline,
    resolve_chat_model,
)
from runner.llms.scripted import ScriptedChatModel

__all__ = [
    "ScriptedChatModel",
    "UnknownModelError",
    "describe_model",
    "is_offline",
    "resolve_chat_model",
]
