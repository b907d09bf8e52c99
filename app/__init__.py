"""Plan monitoring API for district Working Committees on Women and Children (妇儿工委)."""
