"""Webhooks: subscriptions of the committee office, and signed delivery of outbox events by the worker."""
