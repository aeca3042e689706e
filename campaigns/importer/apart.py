"""Run the producing side of a pipeline in a child process, a few items ahead of the consumer.

The import parses and prepares chunks (pandas, numpy and Python: most of it holds the GIL)
while the database stores the previous ones. In two threads of one process that overlap is
lost: SQLite releases the GIL around every row it inserts and must then wait for the parsing
thread to give it back (up to the interpreter's 5 ms switch interval), so the two sides take
turns. A child process has its own interpreter: both cores work. Items travel pickled.

Order is kept; an exception of the producer is raised in the consumer (as a ``RuntimeError``
naming it when it cannot be pickled); when the consumer stops early (error, Ctrl-C) the child is
terminated. The child ignores Ctrl-C: the parent decides. Where ``fork`` exists and the parent
runs a single thread, the child starts as a copy of the parent (no imports to repeat); otherwise
(forking a process with other threads is unsafe) it is spawned and ``produce`` must be picklable.
"""

from __future__ import annotations

import gc
import multiprocessing
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

__all__ = ["ProducerDied", "apart"]

T = TypeVar("T")
_DONE = "done"
_FAILED = "failed"
_ITEM = "item"
_POLL_S = 0.5


class ProducerDied(RuntimeError):
    """The child process ended without finishing (killed, out of memory)."""


def apart(produce: Callable[[], Iterator[T]], depth: int = 2) -> Generator[T, None, None]:
    """Yield the items of ``produce()``, computed in a child process up to ``depth`` ahead."""
    context = _context()
    slots: Any = context.Queue(maxsize=depth)
    child = context.Process(target=_run, args=(produce, slots), name="import-prepare", daemon=True)
    child.start()
    try:
        while True:
            kind, payload = _next(slots, child)
            if kind == _DONE:
                return
            if kind == _FAILED:
                raise payload
            yield payload
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        slots.close()
        slots.cancel_join_thread()


def _context() -> Any:  # typeshed's BaseContext has no Process
    fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    return multiprocessing.get_context("fork" if fork else "spawn")


def _next(slots: Any, child: Any) -> tuple[str, Any]:
    while True:
        try:
            found: tuple[str, Any] = slots.get(timeout=_POLL_S)
            return found
        except queue.Empty:
            if child.is_alive():
                continue
        try:  # the child may have finished just after its last item was sent
            last: tuple[str, Any] = slots.get(timeout=_POLL_S)
            return last
        except queue.Empty:
            raise ProducerDied(
                f"the import's preparing process stopped (exit code {child.exitcode})"
            ) from None


def _run(produce: Callable[[], Iterator[Any]], slots: Any) -> None:
    """The child: send every item, then ``done`` (or the failure)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()  # short-lived objects only, none in cycles (see run._gc_paused)
    try:
        for item in produce():
            slots.put((_ITEM, item))
        slots.put((_DONE, None))
    except BaseException as exc:  # handed to the parent, raised there
        slots.put((_FAILED, _picklable(exc)))


def _picklable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
