"""The Redis channel layer's configuration, shared by settings and tests."""


def redis_channel_layer(url: str, **config) -> dict:
    # redis-py 8 reads with a 5 s socket timeout by default, as long as the
    # layer's blocking BZPOPMIN: an idle WebSocket's receive then fails with
    # "Timeout reading" and the socket drops (django/channels_redis#422).
    # The read must outlast the pop.
    host = {"address": url, "socket_timeout": 15}
    return {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [host], **config}}
