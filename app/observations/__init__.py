"""Observations: the values units report for an indicator, by sex, age group and area, and the checks on them."""
