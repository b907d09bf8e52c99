"""Reporting cycles: annual, mid-term and final windows in which units submit."""
