"""Region data of lead import (``data/regions.yaml``): NANP regions per campaign country, states."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["nanp_regions", "state_code", "state_codes"]

NANP_COUNTRIES = ("US", "CA")


@cache
def _data() -> dict[str, Any]:
    text = resources.files("campaigns").joinpath("data/regions.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def nanp_regions(country: str) -> frozenset[str]:
    """NANP regions (phonenumbers' codes) callable by a campaign of ``country``; empty if none."""
    regions: list[str] = _data()["nanp_regions"].get(country.upper(), [])
    return frozenset(regions)


@cache
def _names() -> dict[str, str]:
    subdivisions: dict[str, str] = _data()["subdivisions"]
    names = {code: code for code in subdivisions}
    names.update({name.upper(): code for code, name in subdivisions.items()})
    names.update({alias.upper(): code for alias, code in _data()["aliases"].items()})
    return names


def state_code(text: str) -> str | None:
    """``"fl"``, ``"Florida"`` -> ``"FL"``; ``None`` if not a known state or province."""
    return _names().get(" ".join(text.split()).upper().rstrip("."))


def state_codes(description: str) -> tuple[str, ...]:
    """States named by a geocoder description: ``"Miami, FL"``, ``"Nova Scotia/Prince ..."``."""
    tail = description.rsplit(", ", 1)[-1]
    codes = (state_code(part) for part in tail.split("/"))
    return tuple(sorted({c for c in codes if c is not None}))
