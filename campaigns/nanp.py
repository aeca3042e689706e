"""Validity of 10-digit NANP numbers ``NPA NXX XXXX``, vectorized over int64 arrays.

The rules: area code (NPA) and exchange (NXX) start with 2-9 and are not N11; the area code is
in service in the campaign's country (per ``phonenumbers``' metadata); the fictional range
555-0100..555-0199 is refused unless test numbers are allowed. ``phonenumbers`` decides validity
per area code once (a probe of each exchange block); the few area codes whose validity depends
on the exchange (mostly Caribbean) are checked number by number.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import phonenumbers

from campaigns.regions import nanp_regions

__all__ = ["Reason", "validate_nanp"]

I64 = npt.NDArray[np.int64]
_BY_NUMBER = -2  # validity depends on the exchange: ask phonenumbers per number
_INVALID = -1


class Reason:
    """Why a phone number is rejected (the keys of the import summary)."""

    MISSING = "missing phone number"
    NOT_A_NUMBER = "not a phone number"
    WRONG_LENGTH = "wrong length"
    AREA_CODE = "invalid area code"
    EXCHANGE = "invalid exchange"
    NOT_IN_SERVICE = "area code not in service"
    OTHER_COUNTRY = "outside the campaign's country"
    FICTIONAL = "fictional 555-01XX number"
    TRUNCATED = "truncated by a spreadsheet"


def _probe(npa: int, nxx: int) -> phonenumbers.PhoneNumber:
    return phonenumbers.PhoneNumber(
        country_code=1, national_number=npa * 10**7 + nxx * 10**4 + 2345
    )


class _NpaTable:
    """Per area code: an index into :attr:`regions`, ``_INVALID`` or ``_BY_NUMBER``.

    Area codes are classified on first sight (a few hundred in a national list, ~1 ms each).
    """

    def __init__(self) -> None:
        self.kind = np.full(1000, _INVALID, dtype=np.int16)
        self.regions: list[str] = []
        self._known = np.zeros(1000, dtype=bool)
        self._known[:200] = True

    def classify(self, npas: I64) -> npt.NDArray[np.int16]:
        clipped = np.clip(npas, 0, 999)
        for npa in np.unique(clipped[~self._known[clipped]]).tolist():
            self.kind[npa] = self._classify(npa)
            self._known[npa] = True
        kind: npt.NDArray[np.int16] = self.kind[clipped]
        return kind

    def _classify(self, npa: int) -> int:
        if npa % 100 == 11:
            return _INVALID
        region = phonenumbers.region_code_for_number(_probe(npa, 234))
        if region is None:
            some = (_probe(npa, nxx) for nxx in range(200, 1000, 37))
            return _BY_NUMBER if any(map(phonenumbers.is_valid_number, some)) else _INVALID
        probes = [_probe(npa, nxx) for nxx in range(200, 1000, 37)]
        if not all(phonenumbers.is_valid_number_for_region(p, region) for p in probes):
            return _BY_NUMBER
        if region not in self.regions:
            self.regions.append(region)
        return self.regions.index(region)


@cache
def _npa_table() -> _NpaTable:
    return _NpaTable()


def _region_ok(kind: npt.NDArray[np.int16], country: str) -> npt.NDArray[np.bool_]:
    allowed = nanp_regions(country)
    table = _npa_table()
    ok = np.array([r in allowed for r in table.regions] + [False, False], dtype=bool)
    result: npt.NDArray[np.bool_] = ok[kind]  # -1 and -2 fall on the two trailing False
    return result


def validate_nanp(
    numbers: I64, country: str = "US", *, allow_test_numbers: bool = False
) -> npt.NDArray[np.object_]:
    """The reason each 10-digit number is refused, or ``None`` where it is valid."""
    npa = numbers // 10**7
    nxx = numbers // 10**4 % 1000
    line = numbers % 10**4
    kind = _npa_table().classify(npa)
    reasons = np.full(len(numbers), None, dtype=object)
    rules: list[tuple[npt.NDArray[np.bool_], str]] = [
        ((nxx == 555) & (line >= 100) & (line <= 199) & (not allow_test_numbers), Reason.FICTIONAL),
        ((kind >= 0) & ~_region_ok(kind, country), Reason.OTHER_COUNTRY),
        (kind == _INVALID, Reason.NOT_IN_SERVICE),
        ((nxx < 200) | (nxx % 100 == 11), Reason.EXCHANGE),
        ((npa < 200) | (npa > 999) | (npa % 100 == 11), Reason.AREA_CODE),
    ]
    for mask, reason in rules:  # the last rule that matches wins: the most basic fault
        reasons[mask] = reason
    basic = np.isin(reasons, [Reason.EXCHANGE, Reason.AREA_CODE])
    allowed = nanp_regions(country)
    for i in np.flatnonzero((kind == _BY_NUMBER) & ~basic):
        reasons[i] = _check_one(int(numbers[i]), allowed) or reasons[i]
    return reasons


def _check_one(number: int, allowed: frozenset[str]) -> str | None:
    parsed = phonenumbers.PhoneNumber(country_code=1, national_number=number)
    if not phonenumbers.is_valid_number(parsed):
        return Reason.NOT_IN_SERVICE
    if phonenumbers.region_code_for_number(parsed) not in allowed:
        return Reason.OTHER_COUNTRY
    return None
