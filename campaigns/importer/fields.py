"""Typed lead fields from text cells, a column at a time: dates, consent, flags, ZIP, state.

Each parser returns the values to store and a mask of cells it could not understand (empty cells
are always fine: they mean "not given").
"""

from __future__ import annotations

import re
from json.encoder import encode_basestring

import numpy as np
import numpy.typing as npt
import pandas as pd

from campaigns.enums import ConsentType, LineType
from campaigns.regions import state_code

__all__ = [
    "parse_choice",
    "parse_date",
    "parse_flag",
    "parse_state",
    "parse_text",
    "parse_zip",
    "to_json_objects",
]

Obj = npt.NDArray[np.object_]
Mask = npt.NDArray[np.bool_]

CONSENT = {
    "expresswritten": ConsentType.EXPRESS_WRITTEN.value,
    "pewc": ConsentType.EXPRESS_WRITTEN.value,
    "written": ConsentType.EXPRESS_WRITTEN.value,
    "express": ConsentType.EXPRESS.value,
    "none": ConsentType.NONE.value,
    "no": ConsentType.NONE.value,
}
LINE = {
    "wireless": LineType.WIRELESS.value,
    "mobile": LineType.WIRELESS.value,
    "cell": LineType.WIRELESS.value,
    "landline": LineType.LANDLINE.value,
    "fixed": LineType.LANDLINE.value,
    "voip": LineType.VOIP.value,
    "unknown": LineType.UNKNOWN.value,
}
FLAG = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}
_ZIP = re.compile(r"(\d{5})(?:-?(\d{4}))?")
_SHORT_ZIP = re.compile(r"(\d{3,4})(?:\.0*)?")


def _clean(cells: Obj) -> pd.Series:
    return pd.Series(cells, dtype=object).str.strip()


def parse_text(cells: Obj, limit: int) -> tuple[Obj, Mask]:
    """Text as given (``None`` when empty); too long for the column -> bad."""
    lengths = np.fromiter(map(len, cells), dtype=np.int64, count=len(cells))
    values = cells.copy()
    values[lengths == 0] = None
    return values, lengths > limit


def parse_choice(cells: Obj, choices: dict[str, str], default: str) -> tuple[Obj, Mask]:
    keys = _clean(cells).str.lower().str.replace(r"[\s_\-]", "", regex=True)
    values = keys.map(choices)
    bad = values.isna() & (keys != "")
    return values.fillna(default).to_numpy(dtype=object), bad.to_numpy()


def parse_flag(cells: Obj) -> tuple[Obj, Mask]:
    keys = _clean(cells).str.lower()
    values = keys.map(FLAG)
    bad = values.isna() & (keys != "")
    flags: Obj = np.array(values.fillna(False).astype(bool).tolist(), dtype=object)
    faults: Mask = bad.to_numpy(dtype=bool)
    return flags, faults


def parse_date(cells: Obj) -> tuple[Obj, Mask]:
    """ISO ``2024-03-31`` or US ``3/31/2024`` -> ``"2024-03-31"``."""
    text = _clean(cells)
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    us = parsed.isna() & (text != "")
    parsed[us] = pd.to_datetime(text[us], format="%m/%d/%Y", errors="coerce")
    bad = parsed.isna() & (text != "")
    values = np.full(len(cells), None, dtype=object)
    good = parsed.notna().to_numpy()
    values[good] = parsed[good].dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    return values, bad.to_numpy()


def parse_zip(cells: Obj) -> tuple[Obj, npt.NDArray[np.int64], Obj]:
    """(ZIP as stored, its 5-digit int or -1, the raw cell when not a ZIP else ``None``).

    ``02134``, ``02134-1234``, ``021341234``; ``2134`` and ``2134.0`` (a spreadsheet dropped the
    leading zero) -> ``02134``.
    """
    stored = np.full(len(cells), None, dtype=object)
    zip5 = np.full(len(cells), -1, dtype=np.int64)
    unknown = np.full(len(cells), None, dtype=object)
    series = pd.Series(cells, dtype=object)
    plain = ((series.str.len() == 5) & series.str.isdigit()).to_numpy(dtype=bool)
    stored[plain] = cells[plain]
    zip5[plain] = series[plain].astype(np.int64).to_numpy()
    for i in np.flatnonzero(~plain & (cells != "")).tolist():
        raw = cells[i]
        text = raw.strip()
        if not text:
            continue
        if found := _ZIP.fullmatch(text):
            stored[i] = found.group(1) + (f"-{found.group(2)}" if found.group(2) else "")
            zip5[i] = int(found.group(1))
        elif found := _SHORT_ZIP.fullmatch(text):
            stored[i] = found.group(1).zfill(5)
            zip5[i] = int(found.group(1))
        else:
            unknown[i] = raw
    return stored, zip5, unknown


def parse_state(cells: Obj) -> tuple[Obj, Obj]:
    """(postal code or ``None``, the raw cell when not a known state else ``None``)."""
    text = _clean(cells)
    codes = {v: state_code(v) for v in text.unique() if v}
    values = text.map(codes).to_numpy(dtype=object)
    values[pd.isna(values)] = None
    unknown = np.full(len(cells), None, dtype=object)
    odd = (values == None) & (text != "").to_numpy()  # noqa: E711
    unknown[odd] = cells[odd]
    return values, unknown


def to_json_objects(columns: list[tuple[str, Obj]], size: int) -> Obj:
    """One JSON object text per row from named string columns; empty or ``None`` cells left out."""
    if not columns:
        return np.full(size, "{}", dtype=object)
    body = np.full(size, "", dtype=object)
    for name, values in columns:
        key = "," + encode_basestring(name) + ":"
        given = np.array([bool(v) for v in values], dtype=bool)
        if given.any():
            body[given] = body[given] + np.array(
                [key + encode_basestring(v) for v in values[given]], dtype=object
            )
    return np.array(["{" + b[1:] + "}" for b in body], dtype=object)
