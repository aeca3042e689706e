"""Line parsing: the vectorized fast path and the defensive slow path agree with the spec."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.dnc.parse import Action, iter_chunks, parse_chunk, parse_line


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2125550100", (2125550100, None)),
        ("212,5550100", (2125550100, None)),
        (' "212" ; "5550100" ', (2125550100, None)),
        ("12125550100", (2125550100, None)),
        ("(212) 555-0100", (2125550100, None)),
        ("212 555 0100", (2125550100, None)),
        ("2125550100,A,20250102", (2125550100, Action.ADD)),
        ("D,212,5550100", (2125550100, Action.DELETE)),
        ("2125550100\tdelete", (2125550100, Action.DELETE)),
        ("2125550100 -", (2125550100, Action.DELETE)),
        ("   ", None),
        ("", None),
    ],
)
def test_parse_line_accepts(line: str, expected: object) -> None:
    assert parse_line(line, change_list=True) == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("AreaCode,PhoneNumber", "no 10-digit phone number"),
        ("212555010", "no 10-digit phone number"),
        ("21255501000", "no 10-digit phone number"),
        ("2125550100,3055550100", "no 10-digit phone number"),
        ("1125550100", "not a valid North American number"),
        ("2121550100", "not a valid North American number"),
        ("2125550100,A,D", "both an addition and a deletion flag"),
    ],
)
def test_parse_line_rejects(line: str, reason: str) -> None:
    result = parse_line(line, change_list=True)
    assert isinstance(result, str)
    assert result.startswith(reason)


def test_deletion_flag_in_a_full_list_is_malformed() -> None:
    assert "full list" in str(parse_line("2125550100,D", change_list=False))


def test_chunk_keeps_good_lines_and_reports_bad_ones_with_line_numbers() -> None:
    data = b"2125550100\r\n212,5550101\nxyz\n\n2125550102,A\n999\n3055550100"
    chunk = parse_chunk(data, "f.txt", 10)
    assert sorted(chunk.adds.tolist()) == [2125550100, 2125550101, 2125550102, 3055550100]
    assert [(b.line, b.text) for b in chunk.bad] == [(13, "xyz"), (16, "999")]
    assert chunk.lines == 7


def test_change_list_default_action_comes_from_the_file() -> None:
    chunk = parse_chunk(
        b"2125550100\n2125550101,A\n", "del.txt", 0, change_list=True, default=Action.DELETE
    )
    assert chunk.deletes.tolist() == [2125550100]
    assert chunk.adds.tolist() == [2125550101]
    assert chunk.unflagged == 1


def test_chunks_end_on_line_boundaries() -> None:
    text = b"".join(b"%010d\n" % n for n in range(2125550100, 2125550200))
    chunks = list(iter_chunks(io.BytesIO(text + b"2125559999"), size=64))
    assert b"".join(chunks) == text + b"2125559999"
    assert all(c.endswith(b"\n") for c in chunks[:-1])


_STYLES = ("{n}", "{a},{s}", " {n} ", '"{a}","{s}"', "1{n}", "({a}) {e}-{x}")


@given(
    st.lists(
        st.tuples(
            st.integers(2_000_000_000, 9_999_999_999).filter(lambda n: n % 10**7 >= 2_000_000),
            st.sampled_from(_STYLES),
        ),
        max_size=60,
    ),
    st.sampled_from([b"\n", b"\r\n"]),
)
def test_any_accepted_style_parses_back(rows: list[tuple[int, str]], eol: bytes) -> None:
    lines = []
    for n, style in rows:
        s = str(n)
        lines.append(style.format(n=s, a=s[:3], s=s[3:], e=s[3:6], x=s[6:]).encode())
    chunk = parse_chunk(eol.join(lines), "f", 0)
    assert not chunk.bad
    assert np.array_equal(np.sort(chunk.adds), np.sort(np.array([n for n, _ in rows], np.int64)))
