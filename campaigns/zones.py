"""Candidate time zones and states of a called party, from offline data, for whole columns.

Three sources, each turned once into a lookup array:

* the ZIP code (``zipcodes`` package: each ZIP's IANA zone and state);
* the stated state or province, when the ZIP is missing or unknown (every zone of its ZIPs and
  of its area codes);
* the number's area code and exchange (``phonenumbers``' time-zone and geocoder data, longest
  prefix). Prefixes covering the whole NANP (toll-free and other non-geographic codes) are not a
  resolution.

Every candidate is kept: a lead's zones are those of its address and of its number together, and
the compliance layer uses the most restrictive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from zoneinfo import available_timezones

import numpy as np
import numpy.typing as npt
import zipcodes
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.tzdata import TIMEZONE_DATA

from campaigns.regions import state_code, state_codes

__all__ = ["SetPool", "ZoneTables", "zone_of_state", "zone_tables"]

I32 = npt.NDArray[np.int32]


class SetPool:
    """Interned sorted tuples of names; id 0 is the empty tuple. Each has its JSON text."""

    def __init__(self) -> None:
        self.items: list[tuple[str, ...]] = [()]
        self.json: list[str] = ["[]"]
        self._ids: dict[tuple[str, ...], int] = {(): 0}
        self._unions: dict[tuple[int, int], int] = {}

    def id_of(self, names: Iterable[str]) -> int:
        if isinstance(names, tuple) and names in self._ids:
            return self._ids[names]
        key = tuple(sorted(set(names)))
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self.items)
            self.items.append(key)
            self.json.append(json.dumps(list(key)))
        return found

    def union(self, a: I32, b: I32) -> I32:
        """Element-wise union of two id columns (computed once per distinct pair)."""
        pairs = a.astype(np.int64) * (1 << 31) + b
        unique, inverse = np.unique(pairs, return_inverse=True)
        ids = np.array([self._union(int(p >> 31), int(p & 0x7FFFFFFF)) for p in unique], np.int32)
        result: I32 = ids[inverse.reshape(-1)]
        return result

    def _union(self, a: int, b: int) -> int:
        key = (a, b)
        if key not in self._unions:
            self._unions[key] = self.id_of(self.items[a] + self.items[b])
        return self._unions[key]


class ZoneTables:
    """Lookup arrays: ZIP -> zones/state, NPA-NXX -> zones/states, state -> zones."""

    def __init__(self) -> None:
        self.zones = SetPool()
        self.states = SetPool()
        valid = available_timezones()
        self.zip_zone = np.zeros(100_000, dtype=np.int32)
        self.zip_state = np.zeros(100_000, dtype=np.int32)
        by_state: dict[str, set[str]] = {}
        for entry in zipcodes.list_all():  # type: ignore[no-untyped-call]
            zone, state, code = entry["timezone"], entry["state"], entry["zip_code"]
            if not code.isdigit() or zone not in valid:
                continue
            self.zip_zone[int(code)] = self.zones.id_of([zone])
            self.zip_state[int(code)] = self.states.id_of([state])
            by_state.setdefault(state, set()).add(zone)
        self.npa_zone = self._prefix_table(
            {k: [z for z in v if z in valid] for k, v in TIMEZONE_DATA.items()}, self.zones
        )
        described = cache(state_codes)  # many prefixes share a description
        geo = {
            k: described(v["en"])
            for k, v in GEOCODE_DATA.items()
            if k.startswith("1") and 4 <= len(k) <= 7 and "en" in v
        }
        self.npa_state = self._prefix_table(geo, self.states)
        for key, states in geo.items():
            if len(key) == 4 and key.startswith("1") and key in TIMEZONE_DATA:
                for state in states:
                    by_state.setdefault(state, set()).update(TIMEZONE_DATA[key])
        self.state_zone = {s: self.zones.id_of(z & valid) for s, z in by_state.items()}
        self.state_id = {s: self.states.id_of([s]) for s in by_state}

    @staticmethod
    def _prefix_table(data: Mapping[str, Iterable[str]], pool: SetPool) -> I32:
        """NPA*1000+NXX -> set id, from NANP prefixes ``1NPA[NXX]``, the longest one winning."""
        table = np.zeros(1_000_000, dtype=np.int32)
        keys = sorted((k for k in data if k.startswith("1") and 4 <= len(k) <= 7), key=len)
        for key in keys:
            digits = key[1:]
            span = 10 ** (6 - len(digits))
            start = int(digits) * span
            table[start : start + span] = pool.id_of(data[key])
        return table

    def resolve(
        self, npa_nxx: npt.NDArray[np.int64], zip5: npt.NDArray[np.int64], states: list[str | None]
    ) -> tuple[I32, I32]:
        """Zone-set and state-set ids per row. ``-1`` marks an unknown NPA-NXX or ZIP."""
        known_zip = zip5 >= 0
        zip_zone = np.where(known_zip, self.zip_zone[np.maximum(zip5, 0)], 0)
        zip_state = np.where(known_zip, self.zip_state[np.maximum(zip5, 0)], 0)
        stated_zone = np.array([self.state_zone.get(s or "", 0) for s in states], dtype=np.int32)
        stated = np.array([self.state_id.get(s or "", 0) for s in states], dtype=np.int32)
        known_npa = npa_nxx >= 0
        npa_zone = np.where(known_npa, self.npa_zone[np.maximum(npa_nxx, 0)], 0)
        npa_state = np.where(known_npa, self.npa_state[np.maximum(npa_nxx, 0)], 0)
        address_zone = np.where(zip_zone > 0, zip_zone, stated_zone).astype(np.int32)
        zones = self.zones.union(address_zone, npa_zone.astype(np.int32))
        both = self.states.union(zip_state.astype(np.int32), stated)
        return zones, self.states.union(both, npa_state.astype(np.int32))


@cache
def zone_tables() -> ZoneTables:
    """The tables, built once per process (about a second)."""
    return ZoneTables()


def zone_of_state(state: str) -> tuple[str, ...]:
    """Every candidate zone of a state or province (by code or name)."""
    tables = zone_tables()
    code = state_code(state)
    return tables.zones.items[tables.state_zone.get(code or "", 0)]
