"""The runner API's credential: `Authorization: Runner <token>` (a RunnerToken).

A runner is not a user: its token authenticates no user (request.user stays
anonymous) and opens only /api/v1/runner/; a user's token there is refused
with 403 (executions/api/permissions.py, IsRunner).
"""
from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from executions.services.runner_tokens import runner_token_check

KEYWORD = "Runner"


class RunnerTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace") != KEYWORD:
            return None  # not a runner's header: the next scheme may take it
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Expected 'Authorization: Runner <token>'.")
        try:
            token = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid runner token.") from None
        record = runner_token_check(token)
        if record is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked runner token.")
        return AnonymousUser(), record

    def authenticate_header(self, request) -> str:
        return KEYWORD


class RunnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "executions.api.authentication.RunnerTokenAuthentication"
    name = "runnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey", "in": "header", "name": "Authorization",
            "description": "`Runner <token>`, a token from `manage.py issue_runner_token`.",
        }
