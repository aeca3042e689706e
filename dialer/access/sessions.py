"""Server-side web sessions: a random token in the cookie, its hash and expiry in the database.

A session ends after ``idle`` without a request or ``absolute`` after sign-in, whichever comes
first; each carries its own CSRF token, which every state-changing request must echo.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from dialer.access.models import WebSession
from dialer.access.users import Lockout, UserInfo, authenticate, get_user
from dialer.clock import Clock

__all__ = ["Authenticated", "SessionPolicy", "SessionStore"]


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle: timedelta = timedelta(minutes=30)
    absolute: timedelta = timedelta(hours=12)
    lockout: Lockout = field(default_factory=Lockout)


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A live session: who, and the CSRF token its forms must carry."""

    user: UserInfo
    csrf_token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    """Sign in, resolve a cookie, sign out; time comes from the injected clock."""

    def __init__(
        self, factory: sessionmaker[Session], clock: Clock, policy: SessionPolicy | None = None
    ) -> None:
        self._factory = factory
        self._clock = clock
        self.policy = policy or SessionPolicy()

    def sign_in(self, username: str, password: str) -> tuple[str, Authenticated] | None:
        """A new session token for these credentials, or None if they are wrong."""
        now = self._clock.now()
        with self._factory.begin() as db:
            user = authenticate(db, username, password, now, self.policy.lockout)
            if user is None:
                return None
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            db.add(
                WebSession(
                    token_hash=_digest(token),
                    user_id=user.id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + min(self.policy.idle, self.policy.absolute),
                )
            )
            db.execute(delete(WebSession).where(WebSession.expires_at <= now))
        return token, Authenticated(user, csrf)

    def resolve(self, token: str) -> Authenticated | None:
        """The session's user if the token is live and the user active. Each request, and each
        heartbeat of an open console's live stream, slides the idle expiry."""
        if not token:
            return None
        now = self._clock.now()
        with self._factory.begin() as db:
            row = db.get(WebSession, _digest(token))
            if row is None:
                return None
            if row.expires_at <= now:
                db.delete(row)
                return None
            user = get_user(db, row.user_id)
            if user is None or not user.active:
                return None
            row.last_seen_at = now
            row.expires_at = min(now + self.policy.idle, row.created_at + self.policy.absolute)
            return Authenticated(user, row.csrf_token)

    def sign_out(self, token: str) -> None:
        with self._factory.begin() as db:
            db.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))
