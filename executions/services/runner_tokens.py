"""Runner tokens: issued, checked and revoked here (the runner API's authentication)."""
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils import timezone

from executions.models import RunnerToken

PREFIX = "srt_"  # recognisable in a leak scanner, never a user's API token


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def runner_token_issue(*, name: str, rotate: bool = False) -> str:
    """A new token for the runner `name` (its old one replaced when `rotate`);
    the only time the token is seen. ValueError if `name` has one and not `rotate`."""
    try:
        validate_slug(name)
    except ValidationError:
        raise ValueError(f"runner name {name!r}: letters, digits, '-' and '_' only") from None
    token = PREFIX + secrets.token_urlsafe(32)
    existing = RunnerToken.objects.filter(name=name).first()
    if existing is not None and not rotate:
        raise ValueError(f"runner {name!r} has a token already (--rotate replaces it)")
    if existing is not None:
        existing.digest, existing.revoked, existing.last_used_at = _digest(token), False, None
        existing.save(update_fields=["digest", "revoked", "last_used_at"])
    else:
        RunnerToken.objects.create(name=name, digest=_digest(token))
    return token


def runner_token_check(token: str) -> RunnerToken | None:
    """The live token record for `token`, or None; notes when it was last used
    (at most once a minute, so a busy runner does not write on every call)."""
    record = RunnerToken.objects.filter(digest=_digest(token), revoked=False).first()
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        RunnerToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record
