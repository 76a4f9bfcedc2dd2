"""How a delivery is signed (docs/webhooks.md has the receiver's side).

`Stigmer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`:
the timestamp is signed with the body, so a receiver can refuse old replays;
`Stigmer-Event-Id` is the same on every delivery of one event (dedupe on it).

The delivery activity is the one place a webhook secret is decrypted.
"""
import hashlib
import hmac
import time

from executions.crypto import credential_keyring

SIGNATURE_HEADER = "Stigmer-Signature"
EVENT_ID_HEADER = "Stigmer-Event-Id"
EVENT_TYPE_HEADER = "Stigmer-Event-Type"
DELIVERY_ID_HEADER = "Stigmer-Delivery-Id"
USER_AGENT = "Stigmer-Webhooks/1"


def endpoint_secret(secret_encrypted: str) -> str:
    return credential_keyring().decrypt(secret_encrypted.encode()).decode()


def signature(secret: str, timestamp: int, body: str) -> str:
    message = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    *, secret: str, body: str, event_id: str, event_type: str, delivery_id: str, timestamp: int | None = None
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: f"t={timestamp},v1={signature(secret, timestamp, body)}",
        EVENT_ID_HEADER: event_id,
        EVENT_TYPE_HEADER: event_type,
        DELIVERY_ID_HEADER: delivery_id,
    }
