"""Garbage collection for a long-running engine process, so no tick waits on a full collection.

Each tick allocates thousands of short-lived objects (the pacing snapshot's views, rows, events).
With CPython's default thresholds a young collection runs every 700 allocations, in the middle
of building them; the survivors are promoted, and the promotions count towards a full collection,
which walks every live object (calls in flight, the hopper, timers) and, at 1,000 agents and
3,000 calls, stalled a tick for 60 to 90 ms. :func:`settle` (once, after set-up) moves the set-up's
objects out of the collector's sight (:func:`gc.freeze`; they are still freed by reference
counting when dropped) and makes young collections rarer, so that the per-tick garbage is
already gone when one runs, and full collections rarer still. Cyclic garbage is still collected.
"""

from __future__ import annotations

import gc

__all__ = ["settle"]

YOUNG = 20_000  # allocations between young collections (CPython's default: 700)
MIDDLE = 50  # young collections between middle ones (default: 10)
OLD = 1_000  # middle collections between full ones, at most (default: 10)


def settle() -> None:
    """Collect once, freeze the survivors, and raise the collection thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, OLD)
