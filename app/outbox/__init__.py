"""The outbox: events written in the transaction of the change they report, read in a gap-free order."""
