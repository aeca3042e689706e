"""One chunk of CSV rows -> lead column values ready to insert, and the reasons rows fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import phonenumbers
from phonenumbers import timezone as pn_timezone

from campaigns.enums import ConsentType, LeadStatus, LineType
from campaigns.importer.columns import ColumnPlan
from campaigns.importer.fields import (
    CONSENT,
    LINE,
    parse_choice,
    parse_date,
    parse_flag,
    parse_state,
    parse_text,
    parse_zip,
    to_json_objects,
)
from campaigns.phones import normalize_phones
from campaigns.zones import zone_tables

__all__ = ["RAGGED", "UNRESOLVED", "Chunk", "ChunkRules", "prepare"]

Obj = npt.NDArray[np.object_]
Values = dict[str, npt.NDArray[Any]]
RAGGED = "more fields than the header"
UNRESOLVED = "no time zone from ZIP, state or area code"

# Text fields and their column lengths (campaigns.models.Lead).
TEXT_LIMITS = {
    "first_name": 120,
    "last_name": 120,
    "email": 200,
    "address": 300,
    "city": 120,
    "consent_source": 200,
    "debt_id": 64,
}
DATES = ("consent_date", "ebr_purchase_date", "ebr_inquiry_date")


@dataclass(frozen=True)
class ChunkRules:
    plan: ColumnPlan
    country: str
    allow_test_numbers: bool


@dataclass
class Chunk:
    """Parsed rows: ``reason`` is ``None`` for the rows to insert; ``values`` hold their columns."""

    rows: npt.NDArray[np.int64]  # row numbers in the file (header = 1)
    cells: list[Obj]  # original cells, header columns then overflow
    reason: Obj
    blank: npt.NDArray[np.bool_]
    keys: npt.NDArray[np.int64]  # E.164 digits as an integer (dedup key), 0 when rejected
    values: Values = field(default_factory=dict)


def prepare(cells: list[Obj], rows: npt.NDArray[np.int64], rules: ChunkRules) -> Chunk:
    plan = rules.plan
    width = len(plan.header)
    size = len(rows)
    empty = [c == "" for c in cells]
    blank = np.logical_and.reduce(empty) if cells else np.ones(size, bool)
    reason = np.full(size, None, dtype=object)
    phones = normalize_phones(
        cells[plan.fields["phone"]], rules.country, allow_test_numbers=rules.allow_test_numbers
    )
    values: Values = {"phone": phones.e164}
    custom: list[tuple[str, Obj]] = [(name, cells[i]) for name, i in plan.custom]
    faults = _fields(cells, plan, values, custom)
    faults.reverse()  # the first fault found (phone first) is reported
    for bad, why in faults:
        reason[bad] = why
    reason[~phones.ok] = phones.reason[~phones.ok]
    if len(cells) > width:
        reason[~np.logical_and.reduce(empty[width:])] = RAGGED
    reason[blank] = None
    custom.append(("phone_extension", phones.extension))
    values["custom"] = to_json_objects(custom, size)
    keys = np.zeros(size, dtype=np.int64)
    good = np.flatnonzero((reason == None) & ~blank)  # noqa: E711
    keys[good] = [int(p[1:]) for p in phones.e164[good]]
    _zones(values, keys, good)
    return Chunk(rows, cells, reason, blank, keys, values)


def _fields(
    cells: list[Obj], plan: ColumnPlan, values: Values, custom: list[tuple[str, Obj]]
) -> list[tuple[npt.NDArray[np.bool_], str]]:
    size = len(cells[0])
    faults: list[tuple[npt.NDArray[np.bool_], str]] = []
    none = np.full(size, None, dtype=object)
    for name, limit in TEXT_LIMITS.items():
        if name in plan.fields:
            values[name], bad = parse_text(cells[plan.fields[name]], limit)
            faults.append((bad, f"{name} longer than {limit} characters"))
        else:
            values[name] = none
    for name in DATES:
        values[name] = none
        if name in plan.fields:
            values[name], bad = parse_date(cells[plan.fields[name]])
            faults.append((bad, f"invalid {name} (use YYYY-MM-DD or M/D/YYYY)"))
    values["consent_type"] = np.full(size, ConsentType.NONE.value, dtype=object)
    if "consent_type" in plan.fields:
        values["consent_type"], bad = parse_choice(
            cells[plan.fields["consent_type"]], CONSENT, ConsentType.NONE.value
        )
        faults.append((bad, "invalid consent_type (express_written, express or none)"))
    values["line_type"] = np.full(size, LineType.UNKNOWN.value, dtype=object)
    if "line_type" in plan.fields:
        values["line_type"], bad = parse_choice(
            cells[plan.fields["line_type"]], LINE, LineType.UNKNOWN.value
        )
        faults.append((bad, "invalid line_type (wireless, landline, voip or unknown)"))
    values["written_permission"] = np.full(size, False, dtype=object)
    if "written_permission" in plan.fields:
        values["written_permission"], bad = parse_flag(cells[plan.fields["written_permission"]])
        faults.append((bad, "invalid written_permission (yes or no)"))
    values["zip"], values["zip5"] = none, np.full(size, -1, dtype=np.int64)
    if "zip" in plan.fields:
        values["zip"], values["zip5"], raw = parse_zip(cells[plan.fields["zip"]])
        custom.append(("zip", raw))
    values["state"] = none
    if "state" in plan.fields:
        values["state"], raw = parse_state(cells[plan.fields["state"]])
        custom.append(("state", raw))
    return faults


def _zones(values: Values, keys: npt.NDArray[np.int64], good: npt.NDArray[np.intp]) -> None:
    tables = zone_tables()
    nanp = (keys >= 10**10) & (keys < 2 * 10**10)
    npa_nxx = np.where(nanp, keys // 10**4 % 10**6, -1)
    zip5 = np.asarray(values["zip5"], dtype=np.int64)
    zone_ids, state_ids = tables.resolve(npa_nxx[good], zip5[good], list(values["state"][good]))
    other = np.flatnonzero(~nanp[good])
    if len(other):
        found = np.array([_zones_of(int(keys[good[i]]), tables.zones) for i in other], np.int32)
        zone_ids[other] = tables.zones.union(zone_ids[other], found)
    size = len(keys)
    timezones = np.full(size, None, dtype=object)
    states = np.full(size, None, dtype=object)
    timezones[good] = np.array(tables.zones.json, dtype=object)[zone_ids]
    states[good] = np.array(tables.states.json, dtype=object)[state_ids]
    status = np.full(size, LeadStatus.NEW.value, dtype=object)
    status_reason = np.full(size, None, dtype=object)
    unresolved = good[zone_ids == 0]
    status[unresolved] = LeadStatus.NOT_DIALABLE.value
    status_reason[unresolved] = UNRESOLVED
    values.update(timezones=timezones, states=states, status=status, status_reason=status_reason)


def _zones_of(key: int, pool: Any) -> int:
    """Zones of a number outside the NANP, from phonenumbers (country-wide ones included)."""
    zones = pn_timezone.time_zones_for_number(phonenumbers.parse(f"+{key}"))
    return int(pool.id_of(z for z in zones if z != pn_timezone.UNKNOWN_TIMEZONE))
