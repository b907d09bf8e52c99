"""Garbage-collector settings for the long-running processes (the service and the worker).

A verdict computation builds tens of thousands of small tuples (one per counted observation), and CPython's default
collector runs a young collection every 700 new objects and, every hundred of those, a full one that walks the whole
heap: the modules, the app, its routes and schemas included. Measured on a 600-target plan with 66,000 observations,
that was a third of the time it takes to read a plan's facts. The objects made at start-up live as long as the
process, so they are frozen out of the collector's view, and young collections run every 50,000 objects: reference
counting still frees almost everything at once; only reference cycles wait a little longer.
"""

import gc

YOUNG_THRESHOLD = 50_000


def tune_garbage_collection() -> None:
    """Freeze what exists now (call once start-up is done) and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
