import multiprocessing
import os
import threading
from collections.abc import Iterator

import pytest

from campaigns.importer.apart import ProducerDied, apart


def numbers() -> Iterator[int]:
    yield from range(50)


def test_order_is_kept() -> None:
    assert list(apart(numbers, depth=2)) == list(range(50))


def test_items_are_made_in_another_process() -> None:
    def pids() -> Iterator[int]:
        yield os.getpid()

    assert list(apart(pids)) != [os.getpid()]


def test_producer_errors_reach_the_consumer() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("bad row")

    stream = apart(items)
    assert next(stream) == 1
    with pytest.raises(ValueError, match="bad row"):
        next(stream)


def test_an_unpicklable_error_is_named() -> None:
    class Local(Exception):  # a local class cannot be pickled
        pass

    def items() -> Iterator[int]:
        raise Local("odd")
        yield 0

    with pytest.raises(RuntimeError, match="Local: odd"):
        list(apart(items))


def test_a_producer_that_dies_is_reported() -> None:
    def items() -> Iterator[int]:
        os._exit(3)  # as if killed: no exception to send
        yield 0

    with pytest.raises(ProducerDied, match="exit code 3"):
        list(apart(items))


def test_consumer_stopping_early_stops_the_producer() -> None:
    def endless() -> Iterator[int]:
        i = 0
        while True:
            yield i
            i += 1

    stream = apart(endless)
    for item in stream:
        if item == 3:
            break
    stream.close()
    assert multiprocessing.active_children() == []


def test_a_process_with_other_threads_spawns_instead_of_forking() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert list(apart(numbers)) == list(range(50))  # a module-level function: picklable
    finally:
        stop.set()
        other.join()
