"""Change notifications for the console's live streams: notify a key, every watcher wakes.

A watcher that has not caught up yet is woken once, however many changes happened meanwhile
(the console re-reads the whole view anyway).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Hashable

__all__ = ["Changes"]


class Changes:
    def __init__(self) -> None:
        self._watchers: defaultdict[Hashable, set[asyncio.Queue[None]]] = defaultdict(set)

    def notify(self, key: Hashable) -> None:
        for queue in self._watchers.get(key, ()):
            if queue.empty():
                queue.put_nowait(None)

    def notify_all(self) -> None:
        for key in list(self._watchers):
            self.notify(key)

    async def watch(self, key: Hashable) -> AsyncIterator[object]:
        queue: asyncio.Queue[None] = asyncio.Queue(maxsize=1)
        self._watchers[key].add(queue)
        try:
            while True:
                await queue.get()
                yield key
        finally:
            self._watchers[key].discard(queue)
            if not self._watchers[key]:
                del self._watchers[key]
