"""Columns of text sent between processes as one string each: cheap to pickle and to split.

Pickling an array of 100,000 strings pickles (and memoizes) each one; joining them with NUL
characters and splitting them again on the other side costs a fraction of that. A column that
holds something else than text and ``None``, or text that contains a NUL, travels as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["TextColumn", "pack", "unpack"]

_SEP = "\0"


@dataclass(frozen=True)
class TextColumn:
    text: str  # the values joined by NUL ("" for None)
    size: int
    nones: npt.NDArray[np.bool_] | None  # where the value is None (None: nowhere)


def pack(values: npt.NDArray[Any]) -> TextColumn | npt.NDArray[Any]:
    """``values`` (an object array) as a :class:`TextColumn` when it is text (or ``None``)."""
    nones: npt.NDArray[np.bool_] = values == None  # noqa: E711
    strings = np.where(nones, "", values) if nones.any() else values
    try:
        text = _SEP.join(strings.tolist())
    except TypeError:  # not text
        return values
    if text.count(_SEP) != max(len(values) - 1, 0):
        return values
    return TextColumn(text, len(values), nones if nones.any() else None)


def unpack(column: TextColumn | npt.NDArray[Any]) -> list[Any]:
    """The values of a packed column, as a list."""
    if not isinstance(column, TextColumn):
        values: list[Any] = column.tolist()
        return values
    if column.size == 0:
        return []
    parts: list[Any] = column.text.split(_SEP)
    if column.nones is None:
        return parts
    table = np.array(parts, dtype=object)
    table[column.nones] = None
    restored: list[Any] = table.tolist()
    return restored
