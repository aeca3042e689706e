"""Opt-outs and do-not-call dispositions: the number goes on the company DNC list at once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from compliance.dnc import add_company_dnc

__all__ = ["add_to_company_dnc"]


def add_to_company_dnc(
    sessions: sessionmaker[Session], phone: str, at: datetime, *, by: str, source: str
) -> None:
    """Commit the listing now (not batched with the tick): it must hold before any next dial."""
    with sessions.begin() as session:
        add_company_dnc(session, phone, at=at, by=by, reason="opt-out", source=source)
