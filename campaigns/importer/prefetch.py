"""Run the producing side of a pipeline one step ahead, in a background thread.

The import parses and prepares chunk N+1 (pandas and numpy, partly without the GIL) while the
database stores chunk N (SQLite works without the GIL too), so both cores of a small machine
are used. Order is kept; an exception of the producer is raised in the consumer; when the
consumer stops early (error, Ctrl-C) the producer stops at its next step.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

__all__ = ["prefetch"]

T = TypeVar("T")
_DONE = object()


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield ``items`` in order, computing up to ``depth`` of them ahead in a thread."""
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failure(exc))

    worker = threading.Thread(target=produce, name="import-prefetch", daemon=True)
    worker.start()
    try:
        while (item := slots.get()) is not _DONE:
            if isinstance(item, _Failure):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
