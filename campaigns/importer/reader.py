"""Reading a lead CSV in chunks with pandas, every cell as text, row numbers kept exact.

Rows with more fields than the header are read into overflow columns (and rejected later); rows
with far too many fields, which pandas must skip, are reported by row number.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Generator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.errors import ParserError, ParserWarning

from campaigns.importer.source import CsvSource
from dialer.errors import InputError

__all__ = ["CHUNK_ROWS", "RawChunk", "read_chunks"]

CHUNK_ROWS = 100_000
_SKIPPED = re.compile(r"Skipping line (\d+)")


@dataclass(frozen=True)
class RawChunk:
    cells: list[npt.NDArray[np.object_]]  # one object array of str per column
    rows: npt.NDArray[np.int64]  # row numbers (header = row 1)
    skipped: list[int]  # rows pandas could not read (too many fields), reported here once
    position: int  # bytes of the file consumed so far


def read_chunks(
    source: CsvSource, fh: BinaryIO, rows: int = CHUNK_ROWS
) -> Generator[RawChunk, None, None]:
    width = len(source.header)
    names = [f"c{i}" for i in range(2 * width + 8)]
    reader = pd.read_csv(
        fh,
        sep=source.delimiter,
        encoding=source.encoding,
        header=None,
        names=names,
        skiprows=source.skip,
        dtype=object,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        skipinitialspace=True,
        on_bad_lines="warn",
        index_col=False,
        chunksize=rows,
        engine="c",
    )
    skipped: list[int] = []
    seen = 0
    try:
        while True:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ParserWarning)
                try:
                    frame = next(reader)
                except StopIteration:
                    break
                except (ParserError, UnicodeDecodeError) as exc:
                    raise InputError(f"cannot read {source.path}: {exc}") from exc
            new = [int(m) for w in caught for m in _SKIPPED.findall(str(w.message))]
            skipped.extend(new)
            if len(frame) == 0 and not new:
                continue
            numbers = np.arange(seen, seen + len(frame), dtype=np.int64) + source.skip + 1
            for bad in sorted(skipped):
                numbers[numbers >= bad] += 1
            seen += len(frame)
            cells = [frame[name].to_numpy(dtype=object) for name in names]
            last = max((i for i, c in enumerate(cells) if i < width or (c != "").any()), default=0)
            yield RawChunk(cells[: max(last + 1, width)], numbers, new, fh.tell())
    finally:
        reader.close()  # also when the caller stops early
