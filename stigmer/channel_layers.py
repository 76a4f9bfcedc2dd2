"""The Redis channel layer's configuration, shared by settings and tests."""
from stigmer.config import env


def redis_channel_layer(url: str, **config) -> dict:
    # redis-py 8 reads with a 5 s socket timeout by default, as long as the
    # layer's blocking BZPOPMIN: an idle WebSocket's receive then fails with
    # "Timeout reading" and the socket drops (django/channels_redis#422).
    # The read must outlast the pop.
    # The pool does not wait for a free connection: one push more than it holds
    # fails (a live token lost). A runner holding many runs in flight pushes
    # for each at once (docs/benchmarks.md, "Runs in flight").
    host = {"address": url, "socket_timeout": 15, "max_connections": env("STIGMER_REDIS_MAX_CONNECTIONS")}
    return {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [host], **config}}
