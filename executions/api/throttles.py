"""Rates of creating executions through the API, per user and per agent
(settings STIGMER_CREATE_RATE_PER_*). Counted in Django's cache, which is
Redis when REDIS_URL is set, so every web process shares the count."""
from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class CreatesPerUser(SimpleRateThrottle):
    scope = "creates-per-user"

    def get_rate(self):
        return settings.STIGMER_CREATE_RATE_PER_USER

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class CreatesPerAgent(SimpleRateThrottle):
    scope = "creates-per-agent"

    def get_rate(self):
        return settings.STIGMER_CREATE_RATE_PER_AGENT

    def get_cache_key(self, request, view):
        agent = request.data.get("agent") if isinstance(request.data, dict) else None
        if not isinstance(agent, str):
            return None  # the create's own validation answers that
        return self.cache_format % {"scope": self.scope, "ident": agent}
