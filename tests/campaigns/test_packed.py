import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from campaigns.importer.packed import TextColumn, pack, unpack


@given(st.lists(st.one_of(st.none(), st.text())))
def test_text_and_none_round_trip(values: list[str | None]) -> None:
    column = np.array([*values, None], dtype=object)[:-1]  # keeps strings as objects
    assert unpack(pack(column)) == values


def test_text_travels_as_one_string() -> None:
    packed = pack(np.array(["a", None, "b"], dtype=object))
    assert isinstance(packed, TextColumn)
    assert packed.text == "a\0\0b"


def test_other_values_travel_as_they_are() -> None:
    flags = np.array([True, False], dtype=object)
    assert unpack(pack(flags)) == [True, False]
    nul = np.array(["a\0b", "c"], dtype=object)
    assert not isinstance(pack(nul), TextColumn)
    assert unpack(pack(nul)) == ["a\0b", "c"]
