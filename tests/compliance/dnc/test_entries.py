"""Company and campaign lists on SQLite and PostgreSQL: add, remove, history, bulk, export."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from campaigns.models import Campaign
from compliance.dnc import (
    add_campaign_dnc,
    add_company_dnc,
    dnc_history,
    list_dnc,
    open_lookup,
    remove_dnc,
)
from compliance.dnc.entries import add_dnc_many
from compliance.dnc.listfile import read_phone_file, safe_cell, write_entries_csv
from dialer.errors import InputError, NotFoundError

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _campaign(session: Session, name: str = "Spring") -> int:
    c = Campaign(
        name=name, purpose="telemarketing", caller_id="+14155552671", created_at=T0, updated_at=T0
    )
    session.add(c)
    session.flush()
    return c.id


def test_add_is_idempotent_and_normalizes(session: Session) -> None:
    first, new = add_company_dnc(
        session, "(212) 555-0100", at=T0, by="agent 7", reason="asked", source="agent"
    )
    again, new_again = add_company_dnc(session, "+12125550100", at=T0, by="ivr", source="keypress")
    assert (new, new_again) == (True, False)
    assert again.id == first.id
    assert first.phone == "+12125550100"
    with pytest.raises(InputError):
        add_company_dnc(session, "not a number", at=T0, by="x")


def test_removal_keeps_history_and_readding_makes_a_new_row(session: Session) -> None:
    add_company_dnc(session, "+12125550100", at=T0, by="agent 7", reason="asked")
    remove_dnc(session, "+12125550100", at=T0 + timedelta(days=1), by="ops", reason="wrong number")
    with pytest.raises(NotFoundError):
        remove_dnc(session, "+12125550100", at=T0, by="ops")
    add_company_dnc(session, "+12125550100", at=T0 + timedelta(days=2), by="ivr", source="keypress")
    rows = dnc_history(session, "+12125550100")
    assert [(r.added_by, r.removed_by, r.removal_reason) for r in rows] == [
        ("agent 7", "ops", "wrong number"),
        ("ivr", None, None),
    ]
    assert rows[0].removed_at == T0 + timedelta(days=1)
    assert [e.added_by for e in list_dnc(session)] == ["ivr"]
    assert len(list_dnc(session, include_removed=True)) == 2


def test_campaign_lists_are_separate(session: Session) -> None:
    a, b = _campaign(session, "A"), _campaign(session, "B")
    add_campaign_dnc(session, a, "+12125550100", at=T0, by="ops")
    _, new = add_campaign_dnc(session, b, "+12125550100", at=T0, by="ops")
    assert new
    remove_dnc(session, "+12125550100", campaign_id=a, at=T0, by="ops")
    assert [e.campaign_id for e in list_dnc(session, campaign_id=b)] == [b]
    assert list_dnc(session, campaign_id=a) == []
    assert list_dnc(session) == []  # the company list is untouched
    with pytest.raises(NotFoundError, match="campaign"):
        remove_dnc(session, "+12125550100", campaign_id=a, at=T0, by="ops")


def test_bulk_add_counts_duplicates(session: Session) -> None:
    c = _campaign(session)
    add_campaign_dnc(session, c, "+12125550100", at=T0, by="ops")
    added, already = add_dnc_many(
        session,
        ["+12125550100", "+12125550101", "+12125550101"],
        campaign_id=c,
        at=T0,
        by="ops",
    )
    assert (added, already) == (1, 1)
    assert add_dnc_many(session, ["+12125550100"], campaign_id=None, at=T0, by="ops") == (1, 0)


def test_lookup_sees_entries_committed_elsewhere(engine: Engine, tmp_path: Path) -> None:
    lookup = open_lookup(engine, tmp_path)
    assert lookup.versions() == {}
    assert lookup.lookup("+12125550100", 1) == ()
    with Session(engine) as s, s.begin():
        c = _campaign(s)
        add_company_dnc(s, "+12125550100", at=T0, by="agent 7", reason="asked", source="agent")
        add_campaign_dnc(s, c, "+12125550101", at=T0, by="ops")
    (hit,) = lookup.lookup("+12125550100", c)
    assert (hit.list_name, hit.version) == ("company", T0.isoformat())
    assert "agent 7" in hit.detail
    assert "asked" in hit.detail
    batch = lookup.lookup_many(["+12125550101", "+12125550100", "+12125550101"], c)
    assert [[h.list_name for h in hits] for hits in batch] == [
        [f"campaign:{c}"],
        ["company"],
        [f"campaign:{c}"],
    ]
    assert lookup.lookup_many(["+12125550101"], None) == [()]


def test_export_escapes_formula_cells(session: Session, tmp_path: Path) -> None:
    add_company_dnc(session, "+12125550100", at=T0, by="=HYPERLINK(1)", reason="@SUM(A1)")
    add_company_dnc(session, "+12125550101", at=T0, by="-2+3", reason="plain, with comma")
    out = tmp_path / "dnc.csv"
    assert write_entries_csv(list_dnc(session), out, {}) == 2
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["phone"] for r in rows] == ["'+12125550100", "'+12125550101"]
    assert [r["added_by"] for r in rows] == ["'=HYPERLINK(1)", "'-2+3"]
    assert [r["reason"] for r in rows] == ["'@SUM(A1)", "plain, with comma"]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        (None, ""),
        ("", ""),
    ],
)
def test_safe_cell(value: str | None, cell: str) -> None:
    assert safe_cell(value) == cell


def test_phone_file_reports_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "list.csv"
    src.write_text("phone,name\n(212) 555-0100,Ann\n\nnope,Bob\n+442071838750\n")
    phones, bad = read_phone_file(src)
    assert phones == ["+12125550100", "+442071838750"]
    assert [(b.line, b.text) for b in bad] == [(4, "nope,Bob")]
