"""Opening a lead CSV: encoding, delimiter and header, decided before any row is imported.

Encoding: a byte-order mark (UTF-8, UTF-16) wins; otherwise the whole file is checked as strict
UTF-8 (fast, streamed), then as cp1252; latin-1, which decodes any byte, is the last resort.
Delimiter: the one of comma, semicolon, tab and pipe that splits the first lines into the most
consistent number (above one) of fields.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dialer.errors import InputError

__all__ = ["CsvSource", "open_source"]

DELIMITERS = (",", ";", "\t", "|")
_BLOCK = 8 << 20
_SAMPLE = 64 << 10
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class CsvSource:
    path: Path
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    size: int
    skip: int = 1  # records up to and including the header (blank lines before it count)


def open_source(path: Path) -> CsvSource:
    """Describe ``path``, a readable, non-empty CSV; else raise :class:`InputError`."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_SAMPLE)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if size == 0:
        raise InputError(f"{path} is empty: nothing imported")
    encoding = _encoding(path, head)
    sample = _decode_sample(head, encoding, complete=size <= _SAMPLE)
    if "\x00" in sample:
        raise InputError(
            f"{path} is not a text CSV file (it contains binary data): nothing imported"
        )
    if not sample.strip():
        raise InputError(f"{path} is empty: nothing imported")
    delimiter = _delimiter(sample)
    header, skip = _header(sample, delimiter)
    return CsvSource(path, encoding, delimiter, header, size, skip)


def _encoding(path: Path, head: bytes) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    for name in ("utf-8", "cp1252"):
        if _decodes(path, name):
            return name
    return "latin-1"


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as fh:
            while block := fh.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode_sample(head: bytes, encoding: str, *, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head, final=complete)
    return text if complete else text[: text.rfind("\n") + 1] or text


def _rows(sample: str, delimiter: str, *, keep_blank: bool = False) -> list[list[str]]:
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for row in reader:
            if row or keep_blank:
                rows.append(row)
            if len(rows) >= 50:
                break
    except csv.Error:
        pass
    return rows


def _delimiter(sample: str) -> str:
    def score(delimiter: str) -> tuple[float, int]:
        counts = [len(r) for r in _rows(sample, delimiter)]
        if not counts or counts[0] < 2:
            return (0.0, 0)
        fields, seen = Counter(counts).most_common(1)[0]
        return (seen / len(counts), fields)

    best = max(DELIMITERS, key=score)
    return best if score(best)[1] > 1 else ","


def _header(sample: str, delimiter: str) -> tuple[tuple[str, ...], int]:
    rows = _rows(sample, delimiter, keep_blank=True)
    skip = next((i + 1 for i, row in enumerate(rows) if any(c.strip() for c in row)), 0)
    if not skip:
        raise InputError("the file has no header line: nothing imported")
    names = [" ".join(n.split()) or f"column {i + 1}" for i, n in enumerate(rows[skip - 1])]
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return tuple(unique), skip
