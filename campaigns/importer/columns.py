"""Which CSV column feeds which lead field: common header spellings, ``--map``, custom fields."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dialer.errors import InputError

__all__ = ["FIELDS", "ColumnPlan", "parse_maps", "plan_columns"]

# Lead fields an import fills, each with the header spellings recognised (compared lower-case,
# without spaces, dashes, dots or underscores). Other columns become custom fields.
FIELDS: dict[str, tuple[str, ...]] = {
    "phone": (
        "phone",
        "phonenumber",
        "phoneno",
        "phonenum",
        "telephone",
        "telephonenumber",
        "tel",
        "mobile",
        "mobilephone",
        "mobilenumber",
        "cell",
        "cellphone",
        "cellnumber",
        "primaryphone",
        "homephone",
        "contactnumber",
        "contactphone",
        "msisdn",
        "number",
    ),
    "first_name": ("firstname", "first", "fname", "givenname", "forename"),
    "last_name": ("lastname", "last", "lname", "surname", "familyname"),
    "email": ("email", "emailaddress", "mail"),
    "address": ("address", "address1", "addressline1", "street", "streetaddress"),
    "city": ("city", "town"),
    "state": ("state", "st", "province", "stateprovince", "statecode", "region"),
    "zip": ("zip", "zipcode", "zip5", "postal", "postalcode", "postcode"),
    "consent_type": ("consenttype", "consent"),
    "consent_date": ("consentdate", "optindate"),
    "consent_source": ("consentsource", "optinsource"),
    "ebr_purchase_date": ("ebrpurchasedate", "lastpurchasedate", "purchasedate"),
    "ebr_inquiry_date": ("ebrinquirydate", "inquirydate"),
    "written_permission": ("writtenpermission",),
    "debt_id": ("debtid", "accountnumber"),
    "line_type": ("linetype", "phonetype"),
}


def _key(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.lower())


@dataclass(frozen=True)
class ColumnPlan:
    header: tuple[str, ...]
    fields: dict[str, int]  # lead field -> column index
    custom: tuple[tuple[str, int], ...]  # custom field name -> column index


def parse_maps(maps: Sequence[str]) -> dict[str, str]:
    """``["phone=Cell", "zip=Postal"]`` -> ``{"phone": "Cell", "zip": "Postal"}``."""
    parsed: dict[str, str] = {}
    for item in maps:
        field, sep, column = item.partition("=")
        field = field.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise InputError(f"--map {item!r}: expected FIELD=COLUMN, e.g. phone=Cell")
        if field not in FIELDS:
            raise InputError(
                f"--map {item!r}: unknown field {field!r} (known: {', '.join(FIELDS)})"
            )
        parsed[field] = column.strip()
    return parsed


def plan_columns(header: Sequence[str], maps: dict[str, str], source: str) -> ColumnPlan:
    """Assign columns to fields: ``--map`` first, then the first column with a known spelling."""
    fields: dict[str, int] = {}
    for field, column in maps.items():
        fields[field] = _find(header, column, f"--map {field}={column}", source)
    for field, spellings in FIELDS.items():
        if field in fields:
            continue
        for rank in spellings:
            index = next((i for i, h in enumerate(header) if _key(h) == rank), None)
            if index is not None and index not in fields.values():
                fields[field] = index
                break
    if "phone" not in fields:
        raise InputError(
            f"{source} has no phone column (columns: {', '.join(header)}); name one with "
            "--map phone=COLUMN: nothing imported"
        )
    used = set(fields.values())
    custom = tuple((h, i) for i, h in enumerate(header) if i not in used)
    return ColumnPlan(tuple(header), fields, custom)


def _find(header: Sequence[str], column: str, option: str, source: str) -> int:
    exact = [i for i, h in enumerate(header) if h == column]
    loose = [i for i, h in enumerate(header) if h.lower() == column.lower()]
    if exact or loose:
        return (exact or loose)[0]
    raise InputError(f"{option}: {source} has no column {column!r} (columns: {', '.join(header)})")
