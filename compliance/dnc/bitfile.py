"""The on-disk registry: one file per list, a JSON header and one bitmap per area code.

Layout of ``<name>.dncbits``::

    b"DNCBITS1"                 magic, 8 bytes
    uint64 little-endian        length H of the JSON header
    H bytes                     JSON header (:class:`RegistryMeta`)
    zero padding                to the next 4096-byte boundary
    n x 1,250,000 bytes         one bitmap per area code, in ``meta.area_codes`` order

Bit ``s`` of an area code's bitmap (byte ``s >> 3``, bit ``s & 7``) is set when the number
``AAA`` + ``s`` (7-digit exchange and subscriber) is on the list. 1.25 MB per area code: about
400 MB for the whole national registry, memory-mapped read-only, so opening it costs only the header
read and many processes share the same pages.

Files are written to a temporary name in the same directory, flushed, then renamed over the old
file (:func:`write_registry`), so a crash never leaves a half-written registry in place.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from compliance.dnc.numbers import NPA_SPAN
from dialer.errors import ComplianceDataError

__all__ = [
    "BYTES_PER_NPA",
    "RegistryMeta",
    "read_bitmap",
    "read_meta",
    "write_registry",
]

MAGIC = b"DNCBITS1"
BYTES_PER_NPA = NPA_SPAN // 8
_ALIGN = 4096


@dataclass(frozen=True)
class RegistryMeta:
    """What a registry file says about itself."""

    list_name: str  # "national" or "state:FL"
    data_date: str  # ISO date of the list as published
    imported_at: str  # ISO instant of the import
    area_codes: tuple[int, ...]  # bitmap order
    covered_area_codes: tuple[int, ...]  # area codes the imported files cover
    numbers: int
    sources: tuple[str, ...] = ()
    history: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # one entry per import

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> RegistryMeta:
        data = json.loads(raw)
        for key in ("area_codes", "covered_area_codes", "sources", "history"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


def _data_offset(header_len: int) -> int:
    return -(-(16 + header_len) // _ALIGN) * _ALIGN


def read_meta(path: Path) -> tuple[RegistryMeta, int]:
    """The header of a registry file and the offset of its bitmaps."""
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
            if len(head) != 16 or head[:8] != MAGIC:
                raise ComplianceDataError(f"{path} is not a DNC registry file")
            (length,) = struct.unpack("<Q", head[8:])
            meta = RegistryMeta.from_json(fh.read(length))
    except (OSError, ValueError, TypeError) as exc:
        raise ComplianceDataError(f"cannot read DNC registry {path}: {exc}") from exc
    expected = _data_offset(length) + len(meta.area_codes) * BYTES_PER_NPA
    size = path.stat().st_size
    if size != expected:
        raise ComplianceDataError(f"DNC registry {path} is truncated ({size} of {expected} bytes)")
    return meta, _data_offset(length)


def read_bitmap(path: Path) -> tuple[RegistryMeta, npt.NDArray[np.uint8]]:
    """The header and a read-only memory map of the bitmaps, shape (area codes, 1.25 MB)."""
    meta, offset = read_meta(path)
    rows = len(meta.area_codes)
    if rows == 0:
        return meta, np.zeros((0, BYTES_PER_NPA), dtype=np.uint8)
    bits = np.memmap(path, dtype=np.uint8, mode="r", offset=offset, shape=(rows, BYTES_PER_NPA))
    return meta, bits


def write_registry(path: Path, meta: RegistryMeta, rows: Sequence[npt.NDArray[np.uint8]]) -> None:
    """Write ``meta`` and one bitmap row per area code, atomically replacing ``path``."""
    if len(rows) != len(meta.area_codes):
        raise ValueError("one bitmap row per area code")
    path.parent.mkdir(parents=True, exist_ok=True)
    header = meta.to_json()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC + struct.pack("<Q", len(header)) + header)
            fh.write(b"\0" * (_data_offset(len(header)) - 16 - len(header)))
            for row in rows:
                fh.write(np.ascontiguousarray(row, dtype=np.uint8).tobytes())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
