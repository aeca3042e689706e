"""The :class:`~compliance.api.DncLookup` the rest of the system uses.

It combines the memory-mapped registries (national and states) of the data directory with the
company and campaign tables, and reports facts only: which lists hold a number, and each
registry's data date. Which list applies to which call, staleness and exemptions are the rule
evaluators' business.

A national lookup of a North American number whose area code was not in the imported files
reports a ``national`` hit whose detail says so: calling into an area code whose registry data was
not obtained is itself a violation, so such numbers must be treated as listed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import phonenumbers
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from compliance.api import DncHit
from compliance.dnc.entries import active_entries
from compliance.dnc.models import DncEntry
from compliance.dnc.numbers import NPA_SPAN, e164s_to_nanp
from compliance.dnc.registry import Registry, registry_paths

__all__ = ["CombinedDncLookup", "open_lookup"]

_Stamp = tuple[int, int, int]


class CombinedDncLookup:
    """National + state registries + company + campaign lists, behind ``DncLookup``."""

    def __init__(self, db: Engine | Session, data_dir: Path) -> None:
        self._db = db
        self._data_dir = data_dir
        self._registries: dict[str, Registry] = {}
        self._stamps: dict[str, _Stamp] = {}
        self.refresh()

    @property
    def registries(self) -> Mapping[str, Registry]:
        return dict(self._registries)

    def refresh(self) -> bool:
        """Reopen registry files that were imported since; True if anything changed."""
        found = registry_paths(self._data_dir)
        changed = set(self._registries) - set(found)
        for name in changed:
            del self._registries[name], self._stamps[name]
        for name, path in found.items():
            stamp = _stamp(path)
            if stamp is not None and self._stamps.get(name) != stamp:
                self._registries[name] = Registry.open(path)
                self._stamps[name] = stamp
                changed.add(name)
        return bool(changed)

    def versions(self) -> Mapping[str, date]:
        return {name: reg.data_date for name, reg in sorted(self._registries.items())}

    def lookup(self, phone: str, campaign_id: int) -> tuple[DncHit, ...]:
        return self.lookup_many([phone], campaign_id)[0]

    def lookup_many(
        self, phones: Sequence[str], campaign_id: int | None
    ) -> list[tuple[DncHit, ...]]:
        """:meth:`lookup` for a batch (one query and one vectorized pass per registry).

        ``campaign_id=None`` leaves out every campaign list (company and registries only).
        """
        hits: list[list[DncHit]] = [[] for _ in phones]
        numbers = e164s_to_nanp(phones)
        for name, registry in sorted(self._registries.items(), key=_national_first):
            self._registry_hits(registry, numbers, hits, country=_registry_country(name))
        index: dict[str, list[int]] = {}
        for i, phone in enumerate(phones):
            index.setdefault(phone, []).append(i)
        with self._session() as session:
            entries = active_entries(session, index, campaign_id)
        for entry in sorted(entries, key=lambda e: (e.campaign_id is not None, e.id)):
            for i in index[entry.phone]:
                hits[i].append(_entry_hit(entry))
        return [tuple(h) for h in hits]

    def _registry_hits(
        self,
        registry: Registry,
        numbers: npt.NDArray[np.int64],
        hits: list[list[DncHit]],
        *,
        country: str | None,
    ) -> None:
        version = registry.data_date.isoformat()
        nanp = numbers >= 0
        listed = registry.contains_many(numbers)
        for i in np.flatnonzero(listed).tolist():
            hits[i].append(DncHit(registry.name, version, "registered"))
        if country is None:
            return
        for i in np.flatnonzero(nanp & ~registry.covers_many(numbers)).tolist():
            npa = int(numbers[i]) // NPA_SPAN
            owner = _npa_country(npa)
            if owner is not None and owner != country:
                continue  # another country's number: not this registry's to answer for
            detail = f"area code {npa} is not in the imported registry: treat as listed"
            hits[i].append(DncHit(registry.name, version, detail))

    @contextmanager
    def _session(self) -> Iterator[Session]:
        if isinstance(self._db, Session):
            yield self._db
            return
        with Session(self._db) as session:
            yield session


def _registry_country(list_name: str) -> str | None:
    """The country a national registry answers for (``"national"``: US); None for state lists."""
    if list_name == "national":
        return "US"
    prefix, _, country = list_name.partition(":")
    return country if prefix == "national" else None


@cache
def _npa_country(npa: int) -> str | None:
    """The NANP country of an area code (US, CA, or a Caribbean nation), from phonenumbers."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(f"+1{npa}2345678"))


def _national_first(item: tuple[str, Registry]) -> tuple[bool, str]:
    return item[0] != "national", item[0]


def _stamp(path: Path) -> _Stamp | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _entry_hit(entry: DncEntry) -> DncHit:
    detail = f"added by {entry.added_by} ({entry.source})"
    if entry.reason:
        detail += f": {entry.reason}"
    return DncHit(entry.list_name, entry.added_at.isoformat(), detail)


def open_lookup(db: Engine | Session, data_dir: Path) -> CombinedDncLookup:
    """The DNC lookup over ``data_dir``'s registries and the database's company/campaign lists.

    With an ``Engine`` each lookup uses a short session of its own (it sees entries committed
    by other processes at once); with a ``Session`` it runs inside the caller's transaction.
    """
    return CombinedDncLookup(db, data_dir)
