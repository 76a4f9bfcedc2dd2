"""The signature scheme, checked with the verification snippet docs/webhooks.md prints."""
import time

from executions.webhooks.signing import signature, signed_headers
from tests.webhooks.conftest import SECRET, docs_verifier

BODY = '{"id":"0b8e","type":"execution.completed"}'


def headers(**extra) -> dict:
    return signed_headers(
        secret=SECRET, body=BODY, event_id="0b8e", event_type="execution.completed", delivery_id="d1", **extra
    )


def test_the_documented_snippet_verifies_a_real_signature():
    verify = docs_verifier()

    assert verify(SECRET, headers()["Stigmer-Signature"], BODY.encode())


def test_the_snippet_refuses_a_changed_body_another_secret_or_an_old_timestamp():
    verify = docs_verifier()
    header = headers()["Stigmer-Signature"]

    assert not verify(SECRET, header, BODY.replace("completed", "failed").encode())
    assert not verify("another-secret-0123456789", header, BODY.encode())
    assert not verify(SECRET, headers(timestamp=int(time.time()) - 3600)["Stigmer-Signature"], BODY.encode())
    assert not verify(SECRET, "garbage", BODY.encode())


def test_the_header_signs_timestamp_and_body():
    sent = headers(timestamp=1_700_000_000)

    assert sent["Stigmer-Signature"] == f"t=1700000000,v1={signature(SECRET, 1_700_000_000, BODY)}"
    assert sent["Stigmer-Event-Id"] == "0b8e" and sent["Stigmer-Event-Type"] == "execution.completed"
