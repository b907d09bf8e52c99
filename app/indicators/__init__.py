"""The committee's indicator catalogue: what is measured, shared by every target on it."""
