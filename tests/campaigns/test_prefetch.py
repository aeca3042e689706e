import threading
from collections.abc import Iterator

import pytest

from campaigns.importer.prefetch import prefetch


def test_order_is_kept() -> None:
    assert list(prefetch(iter(range(50)), depth=2)) == list(range(50))


def test_producer_errors_reach_the_consumer() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise ValueError("bad row")

    stream = prefetch(items())
    assert next(stream) == 1
    with pytest.raises(ValueError, match="bad row"):
        next(stream)


def test_consumer_stopping_early_stops_the_producer() -> None:
    produced = []

    def items() -> Iterator[int]:
        for i in range(1000):
            produced.append(i)
            yield i

    for item in prefetch(items()):
        if item == 3:
            break
    assert len(produced) < 10
    assert not any(t.name == "import-prefetch" for t in threading.enumerate())
