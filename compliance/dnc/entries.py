"""Company and campaign do-not-call lists: add, remove, look up, list, history.

The engine calls :func:`add_company_dnc` when an agent records a do-not-call disposition or a
callee opts out by key press. The caller owns the session (and commits).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from compliance.dnc.models import DncEntry
from compliance.dnc.numbers import normalize_phone
from dialer.errors import NotFoundError

__all__ = [
    "active_entries",
    "add_campaign_dnc",
    "add_company_dnc",
    "add_dnc",
    "add_dnc_many",
    "dnc_history",
    "list_dnc",
    "remove_dnc",
]

_IN_CHUNK = 500


def add_company_dnc(
    session: Session,
    phone: str,
    *,
    at: datetime,
    by: str,
    reason: str | None = None,
    source: str = "manual",
) -> tuple[DncEntry, bool]:
    """List ``phone`` for every campaign; ``(entry, False)`` if it was listed already."""
    return add_dnc(session, phone, campaign_id=None, at=at, by=by, reason=reason, source=source)


def add_campaign_dnc(
    session: Session,
    campaign_id: int,
    phone: str,
    *,
    at: datetime,
    by: str,
    reason: str | None = None,
    source: str = "manual",
) -> tuple[DncEntry, bool]:
    """List ``phone`` for one campaign; ``(entry, False)`` if it was listed already."""
    return add_dnc(
        session, phone, campaign_id=campaign_id, at=at, by=by, reason=reason, source=source
    )


def add_dnc(
    session: Session,
    phone: str,
    *,
    campaign_id: int | None,
    at: datetime,
    by: str,
    reason: str | None = None,
    source: str = "manual",
) -> tuple[DncEntry, bool]:
    """Add an active listing unless there is one; returns the listing and whether it is new."""
    phone = normalize_phone(phone)
    existing = _active(session, phone, campaign_id)
    if existing is not None:
        return existing, False
    entry = DncEntry(
        campaign_id=campaign_id,
        phone=phone,
        added_at=at,
        added_by=by,
        reason=reason or None,
        source=source,
    )
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:  # another process listed it at the same moment
        concurrent = _active(session, phone, campaign_id)
        if concurrent is None:
            raise
        return concurrent, False
    return entry, True


def add_dnc_many(
    session: Session,
    phones: Iterable[str],
    *,
    campaign_id: int | None,
    at: datetime,
    by: str,
    reason: str | None = None,
    source: str = "import",
) -> tuple[int, int]:
    """Bulk :func:`add_dnc` of E.164 numbers: ``(added, already listed)``."""
    wanted = sorted(set(phones))
    company = campaign_id is None
    listed = {e.phone for e in active_entries(session, wanted, campaign_id, company=company)}
    new = [p for p in wanted if p not in listed]
    session.add_all(
        DncEntry(
            campaign_id=campaign_id,
            phone=p,
            added_at=at,
            added_by=by,
            reason=reason or None,
            source=source,
        )
        for p in new
    )
    session.flush()
    return len(new), len(wanted) - len(new)


def remove_dnc(
    session: Session,
    phone: str,
    *,
    campaign_id: int | None = None,
    at: datetime,
    by: str,
    reason: str | None = None,
) -> DncEntry:
    """End the active listing (it stays in the history with who, when and why)."""
    phone = normalize_phone(phone)
    entry = _active(session, phone, campaign_id)
    if entry is None:
        scope = "the company list" if campaign_id is None else f"campaign {campaign_id}'s list"
        raise NotFoundError(f"{phone} is not on {scope}")
    entry.removed_at, entry.removed_by, entry.removal_reason = at, by, reason or None
    session.flush()
    return entry


def _active(session: Session, phone: str, campaign_id: int | None) -> DncEntry | None:
    scope = (
        DncEntry.campaign_id.is_(None)
        if campaign_id is None
        else (DncEntry.campaign_id == campaign_id)
    )
    query = select(DncEntry).where(DncEntry.phone == phone, DncEntry.removed_at.is_(None), scope)
    return session.scalars(query).first()


def active_entries(
    session: Session, phones: Iterable[str], campaign_id: int | None, *, company: bool = True
) -> list[DncEntry]:
    """Active listings of ``phones``: company ones (unless ``company=False``) and, if
    ``campaign_id`` is given, those of that campaign's list."""
    wanted = sorted(set(phones))
    scopes: list[ColumnElement[bool]] = []
    if company:
        scopes.append(DncEntry.campaign_id.is_(None))
    if campaign_id is not None:
        scopes.append(DncEntry.campaign_id == campaign_id)
    if not scopes:
        return []
    scope = or_(*scopes)
    found: list[DncEntry] = []
    for lo in range(0, len(wanted), _IN_CHUNK):
        query = select(DncEntry).where(
            DncEntry.phone.in_(wanted[lo : lo + _IN_CHUNK]), DncEntry.removed_at.is_(None), scope
        )
        found.extend(session.scalars(query))
    return found


def list_dnc(
    session: Session, *, campaign_id: int | None = None, include_removed: bool = False
) -> Sequence[DncEntry]:
    """The company list (or one campaign's), oldest first."""
    scope = (
        DncEntry.campaign_id.is_(None)
        if campaign_id is None
        else (DncEntry.campaign_id == campaign_id)
    )
    query = select(DncEntry).where(scope).order_by(DncEntry.added_at, DncEntry.id)
    if not include_removed:
        query = query.where(DncEntry.removed_at.is_(None))
    return session.scalars(query).all()


def dnc_history(session: Session, phone: str | None = None) -> Sequence[DncEntry]:
    """Every listing ever made (of one number, or all), active or removed, oldest first."""
    query = select(DncEntry).order_by(DncEntry.added_at, DncEntry.id)
    if phone is not None:
        query = query.where(DncEntry.phone == normalize_phone(phone))
    return session.scalars(query).all()
