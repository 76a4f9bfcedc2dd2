"""The event loop the long-running processes use: uvloop where installed.

The workers and the web process spend a fifth of their CPU in the event
loop itself (measured by `make bench`); uvloop does that work in C.
"""
import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def loop_run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:  # optional: the standard loop works the same, slower
        return asyncio.run(main)
    return uvloop.run(main)
