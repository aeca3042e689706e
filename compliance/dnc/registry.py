"""A do-not-call registry (national or one state's), memory-mapped, answering batch lookups.

Reopening costs a header read and an ``mmap``; a lookup is a handful of vectorized array
operations and one byte fetched per number (:meth:`Registry.contains_many`).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt

from compliance.dnc.bitfile import RegistryMeta, read_bitmap
from compliance.dnc.numbers import FIRST_VALID, NPA_SPAN
from dialer.errors import InputError

__all__ = [
    "Registry",
    "list_name_for",
    "national_list_name",
    "registry_dir",
    "registry_path",
    "registry_paths",
]

_BATCH = 1 << 18  # numbers per vectorized step: keeps the temporaries in cache
_STATE = re.compile(r"^[A-Z]{2}$")
SUFFIX = ".dncbits"
_NANP_REGISTRIES = {"US": "national", "CA": "national:CA"}


def national_list_name(country: str) -> str:
    """``"US"`` -> ``"national"``; ``"CA"`` -> ``"national:CA"`` (the list the rules require).

    Only NANP registries fit the per-area-code bitmaps; the UK's TPS does not (yet)."""
    code = country.upper()
    if code not in _NANP_REGISTRIES:
        raise InputError(f"no importable national registry for {country!r} (known: US, CA)")
    return _NANP_REGISTRIES[code]


def registry_dir(data_dir: Path) -> Path:
    return data_dir / "dnc"


def list_name_for(state: str | None) -> str:
    """``None`` -> ``"national"``; ``"fl"``/``"US-FL"`` -> ``"state:FL"``."""
    if state is None:
        return "national"
    code = state.upper().removeprefix("US-")
    if not _STATE.match(code):
        raise InputError(f"state must be a two-letter code such as FL, not {state!r}")
    return f"state:{code}"


def registry_path(data_dir: Path, list_name: str) -> Path:
    return registry_dir(data_dir) / (list_name.replace(":", "-") + SUFFIX)


def registry_paths(data_dir: Path) -> dict[str, Path]:
    """Every registry file in the data directory, by list name."""
    folder = registry_dir(data_dir)
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        found[path.name.removesuffix(SUFFIX).replace("-", ":", 1)] = path
    return found


class Registry:
    """One imported list: its data date, coverage and a vectorized membership test."""

    def __init__(self, meta: RegistryMeta, bits: npt.NDArray[np.uint8], path: Path | None = None):
        self.meta = meta
        self.path = path
        self._bits = bits.reshape(-1)
        self._slot = np.full(1000, -1, dtype=np.int64)
        self._slot[list(meta.area_codes)] = np.arange(len(meta.area_codes), dtype=np.int64)
        self._covered = np.zeros(1000, dtype=bool)
        self._covered[list(meta.covered_area_codes)] = True

    @classmethod
    def open(cls, path: Path) -> Registry:
        meta, bits = read_bitmap(path)
        return cls(meta, bits, path)

    @property
    def name(self) -> str:
        return self.meta.list_name

    @property
    def data_date(self) -> date:
        return date.fromisoformat(self.meta.data_date)

    def bitmaps(self) -> npt.NDArray[np.uint8]:
        """The bitmaps, one row of 1.25 MB per area code of ``meta.area_codes`` (read-only)."""
        return self._bits.reshape(len(self.meta.area_codes), -1)

    def __len__(self) -> int:
        return self.meta.numbers

    def contains(self, number: int) -> bool:
        return bool(self.contains_many(np.array([number], dtype=np.int64))[0])

    def contains_many(self, numbers: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """For each 10-digit number (int64), whether it is on the list. Invalid numbers: False."""
        values = np.asarray(numbers, dtype=np.int64).reshape(-1)
        out = np.zeros(len(values), dtype=bool)
        if len(self._bits) == 0:
            return out
        for lo in range(0, len(values), _BATCH):
            out[lo : lo + _BATCH] = self._contains_batch(values[lo : lo + _BATCH])
        return out

    def _contains_batch(self, values: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        valid = (values >= FIRST_VALID) & (values < 1000 * NPA_SPAN)
        npa, sub = np.divmod(np.where(valid, values, 0), NPA_SPAN)
        slot = self._slot[npa]
        valid &= slot >= 0
        pos = np.where(valid, slot * NPA_SPAN + sub, 0)
        byte = self._bits[pos >> 3]
        bit: npt.NDArray[np.uint8] = (byte >> (pos & 7).astype(np.uint8)) & np.uint8(1)
        listed: npt.NDArray[np.bool_] = valid & (bit != 0)
        return listed

    def covers_many(self, numbers: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        """For each number, whether its area code was in the imported files."""
        values = np.asarray(numbers, dtype=np.int64).reshape(-1)
        valid = (values >= FIRST_VALID) & (values < 1000 * NPA_SPAN)
        covered: npt.NDArray[np.bool_] = self._covered[np.where(valid, values // NPA_SPAN, 0)]
        return valid & covered
