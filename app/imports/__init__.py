"""Bulk import of observations: many units, years and indicators in one all-or-nothing request."""
