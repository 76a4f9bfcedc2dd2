"""WebSocket consumers: one execution's event stream, and the phase feed."""
from executions.consumers.execution import ExecutionConsumer
from executions.consumers.feed import ExecutionFeedConsumer

__all__ = ["ExecutionConsumer", "ExecutionFeedConsumer"]
