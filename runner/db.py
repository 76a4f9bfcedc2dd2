"""ORM access from async activities: off the event loop, stale connections closed."""
from channels.db import database_sync_to_async as db  # noqa: F401
