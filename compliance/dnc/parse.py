"""Parsing FTC-style registry files: fast and vectorized for clean lines, defensive for the rest.

Accepted lines (surrounding spaces, quotes and ``\\r`` tolerated):

* ``AAAEEESSSS`` (one 10-digit number per line, the full-list format);
* ``AAA,EEESSSS`` (area code, number) and the same with ``;``, ``|``, tab or space separators;
* ``1AAAEEESSSS`` or punctuated forms such as ``(AAA) EEE-SSSS``;
* any of the above with extra fields, as in change lists: an action flag (``A``/``add``/``+``
  for an addition, ``D``/``del``/``delete``/``-`` for a deletion) and fields such as dates, which
  are ignored unless they form the only 10-digit number of the line.

Blank lines are skipped. Anything else is *malformed*: reported with its line number and skipped;
the good lines of the file are kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from compliance.dnc.numbers import is_valid_nanp

__all__ = ["Action", "BadLine", "ParsedChunk", "iter_chunks", "parse_chunk", "parse_line"]

CHUNK_BYTES = 8 << 20  # about 750,000 lines: the temporaries of one block stay under 100 MB
_NL, _CR, _COMMA, _ZERO = 10, 13, 44, 48


class Action(Enum):
    ADD = "add"
    DELETE = "delete"


_FLAGS = {
    **dict.fromkeys(("a", "add", "added", "addition", "i", "ins", "insert", "+"), Action.ADD),
    **dict.fromkeys(
        ("d", "del", "delete", "deleted", "deletion", "r", "rem", "remove", "removed", "-"),
        Action.DELETE,
    ),
}
_SPLIT = re.compile(r"[,;|\s]+")
_PUNCT = re.compile(r"[()\-.]")


@dataclass(frozen=True, slots=True)
class BadLine:
    source: str
    line: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.reason}: {self.text!r}"


@dataclass
class ParsedChunk:
    adds: npt.NDArray[np.int64]
    deletes: npt.NDArray[np.int64]
    lines: int
    bad: list[BadLine] = field(default_factory=list)
    unflagged: int = 0  # change-list lines without a flag (given the file's default action)


def iter_chunks(stream: BinaryIO, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Blocks of whole lines (each ends with a newline, except maybe the file's last)."""
    carry = b""
    while block := stream.read(size):
        block = carry + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            carry = block
            continue
        carry = block[cut:]
        yield block[:cut]
    if carry:
        yield carry


def _line_bounds(
    b: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    ends = np.flatnonzero(b == _NL).astype(np.int64)
    if len(b) and b[-1] != _NL:
        ends = np.append(ends, len(b))
    starts = np.empty_like(ends)
    if len(ends):
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        has_cr = ends > starts
        has_cr[has_cr] = b[ends[has_cr] - 1] == _CR
        ends = ends - has_cr
    return starts, ends


def _digits(
    b: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], cols: tuple[int, ...]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    value = np.zeros(len(starts), dtype=np.int64)
    ok = np.ones(len(starts), dtype=bool)
    for col in cols:
        digit = b[starts + col] - np.uint8(_ZERO)  # wraps below '0', so one comparison
        ok &= digit <= 9
        value *= 10
        value += digit
    return value, ok


_PLAIN = tuple(range(10))
_COMMA_FORM = (0, 1, 2, 4, 5, 6, 7, 8, 9, 10)


def _fast_numbers(
    b: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Numbers of the clean lines and a mask of those lines (the rest go to :func:`parse_line`)."""
    numbers = np.zeros(len(starts), dtype=np.int64)
    done = np.zeros(len(starts), dtype=bool)
    plain = np.flatnonzero(length == 10)
    comma = np.flatnonzero(length == 11)
    comma = comma[b[starts[comma] + 3] == _COMMA]
    for rows, cols in ((plain, _PLAIN), (comma, _COMMA_FORM)):
        value, ok = _digits(b, starts[rows], cols)
        sub = value % 10_000_000
        ok &= (value >= 2_000_000_000) & (sub >= 2_000_000)
        numbers[rows] = value
        done[rows] = ok
    return numbers, done


def parse_line(text: str, change_list: bool) -> tuple[int, Action | None] | str | None:
    """One line: ``(number, flag or None)``, ``None`` if blank, or the reason it is malformed."""
    tokens = [t.strip("\"'") for t in _SPLIT.split(text.strip().lstrip("\ufeff"))]
    tokens = [t for t in tokens if t]
    if not tokens:
        return None
    flags = {_FLAGS[t.lower()] for t in tokens if t.lower() in _FLAGS}
    if len(flags) > 1:
        return "both an addition and a deletion flag"
    flag = flags.pop() if flags else None
    if flag is Action.DELETE and not change_list:
        return "deletion flag in a full list (import change lists with --change-list)"
    groups = [d for t in tokens if (d := _PUNCT.sub("", t)).isascii() and d.isdigit()]
    number = _pick_number(groups)
    if number is None:
        return "no 10-digit phone number"
    if not is_valid_nanp(number):
        return "not a valid North American number (area code and exchange start with 2-9)"
    return number, flag


def _pick_number(groups: list[str]) -> int | None:
    whole = [g[-10:] for g in groups if len(g) == 10 or (len(g) == 11 and g[0] == "1")]
    if len(whole) == 1:
        return int(whole[0])
    if whole:
        return None
    for i in range(len(groups)):
        for width in (2, 3):
            parts = groups[i : i + width]
            if len(parts) == width and [len(p) for p in parts] in ([3, 7], [3, 3, 4]):
                return int("".join(parts))
    return None


def parse_chunk(
    data: bytes,
    source: str,
    first_line: int,
    *,
    change_list: bool = False,
    default: Action = Action.ADD,
) -> ParsedChunk:
    """Parse a block of whole lines; line numbers start at ``first_line + 1``."""
    b = np.frombuffer(data, dtype=np.uint8)
    starts, ends = _line_bounds(b)
    numbers, done = _fast_numbers(b, starts, ends - starts)
    adds, deletes = [numbers[done]], []
    if default is Action.DELETE:
        adds, deletes = [], [numbers[done]]
    result = ParsedChunk(np.empty(0, np.int64), np.empty(0, np.int64), len(starts))
    result.unflagged = int(done.sum()) if change_list else 0
    extra_add: list[int] = []
    extra_del: list[int] = []
    for row in np.flatnonzero(~done).tolist():
        text = data[starts[row] : ends[row]].decode("latin-1")
        parsed = parse_line(text, change_list)
        if parsed is None:
            continue
        if isinstance(parsed, str):
            result.bad.append(BadLine(source, first_line + row + 1, text[:80], parsed))
            continue
        number, flag = parsed
        if flag is None and change_list:
            result.unflagged += 1
        (extra_del if (flag or default) is Action.DELETE else extra_add).append(number)
    adds.append(np.array(extra_add, dtype=np.int64))
    deletes.append(np.array(extra_del, dtype=np.int64))
    result.adds = np.concatenate(adds)
    result.deletes = np.concatenate(deletes)
    return result
