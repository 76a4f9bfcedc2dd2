"""Webhooks (docs/webhooks.md): which log events become webhook events and
what they carry (events.py), and how a delivery is signed (signing.py). The
outbox and its workflow are in services/webhook_deliveries.py and
temporal/webhook_*.py."""
