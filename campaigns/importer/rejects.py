"""The rejects CSV: every row not imported, with its row number, the reason and its cells.

Cells are written formula-safe (see :mod:`dialer.csv_safe`); the import strips the apostrophe
again, so a corrected rejects file can be imported as it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from dialer.csv_safe import write_safe_rows
from dialer.errors import InputError

__all__ = ["RejectsFile"]


class RejectsFile:
    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self.count = 0
        try:
            self._fh: IO[str] = path.open("w", encoding="utf-8-sig", newline="")
        except OSError as exc:
            raise InputError(f"cannot write the rejects file {path}: {exc.strerror}") from exc
        self._writer = csv.writer(self._fh)
        self._writer.writerow(["row", "reason", *header])

    def write(self, rows: Iterable[Sequence[object]]) -> None:
        self.count += write_safe_rows(self._writer, rows)
        self._fh.flush()

    def __enter__(self) -> RejectsFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._fh.close()
