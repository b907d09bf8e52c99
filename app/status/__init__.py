"""The rules service: status, flags and explanation per target and goal."""
