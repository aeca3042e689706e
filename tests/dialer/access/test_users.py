"""Users and sessions in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dialer.access import Role, SessionPolicy, SessionStore, add_user, list_users, set_active
from dialer.access.models import User, WebSession
from dialer.access.users import Lockout, authenticate, set_password
from dialer.errors import ConflictError, InputError, NotFoundError
from dialer.storage import session_factory

AT = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@dataclass
class Clock:
    at: datetime = AT

    def now(self) -> datetime:
        return self.at


def test_add_list_and_authenticate(session: Session) -> None:
    add_user(session, "alice", Role.AGENT, "s3cret-pass", AT, display_name="Alice A.")
    add_user(session, "carl", Role.COMPLIANCE, "s3cret-pass", AT)
    assert [(u.username, u.role, u.active) for u in list_users(session)] == [
        ("alice", Role.AGENT, True),
        ("carl", Role.COMPLIANCE, True),
    ]
    user = authenticate(session, "alice", "s3cret-pass", AT)
    assert user is not None
    assert user.display_name == "Alice A."
    assert authenticate(session, "alice", "wrong-pass", AT) is None
    assert authenticate(session, "nobody", "s3cret-pass", AT) is None
    stored = session.scalars(select(User.password_hash)).first()
    assert stored is not None
    assert "s3cret" not in stored


def test_bad_users_are_refused(session: Session) -> None:
    add_user(session, "alice", Role.AGENT, "s3cret-pass", AT)
    with pytest.raises(ConflictError, match="exists already"):
        add_user(session, "alice", Role.ADMIN, "s3cret-pass", AT)
    with pytest.raises(InputError, match="at least 8"):
        add_user(session, "bob", Role.AGENT, "short", AT)
    with pytest.raises(InputError, match="username"):
        add_user(session, "Bob Smith", Role.AGENT, "s3cret-pass", AT)
    with pytest.raises(NotFoundError):
        set_active(session, "nobody", False)


def test_disabled_users_cannot_sign_in_and_lose_their_sessions(engine: Engine) -> None:
    factory = session_factory(engine)
    store = SessionStore(factory, Clock())  # type: ignore[arg-type]
    with factory.begin() as db:
        add_user(db, "alice", Role.AGENT, "s3cret-pass", AT)
    signed = store.sign_in("alice", "s3cret-pass")
    assert signed is not None
    token, auth = signed
    assert store.resolve(token) == auth
    with factory.begin() as db:
        set_active(db, "alice", False)
    assert store.resolve(token) is None
    assert store.sign_in("alice", "s3cret-pass") is None
    with factory.begin() as db:
        set_active(db, "alice", True)
        assert db.scalars(select(WebSession)).all() == []
    assert store.sign_in("alice", "s3cret-pass") is not None


def test_a_new_password_ends_every_session(engine: Engine) -> None:
    factory = session_factory(engine)
    store = SessionStore(factory, Clock())  # type: ignore[arg-type]
    with factory.begin() as db:
        add_user(db, "alice", Role.AGENT, "s3cret-pass", AT)
    signed = store.sign_in("alice", "s3cret-pass")
    assert signed is not None
    with factory.begin() as db:
        set_password(db, "alice", "n3w-password", AT)
    assert store.resolve(signed[0]) is None
    assert store.sign_in("alice", "s3cret-pass") is None
    assert store.sign_in("alice", "n3w-password") is not None


def test_sessions_expire_and_only_hashes_are_stored(engine: Engine) -> None:
    factory, clock = session_factory(engine), Clock()
    store = SessionStore(factory, clock, SessionPolicy(idle=timedelta(minutes=10)))  # type: ignore[arg-type]
    with factory.begin() as db:
        add_user(db, "sue", Role.SUPERVISOR, "s3cret-pass", AT)
    signed = store.sign_in("sue", "s3cret-pass")
    assert signed is not None
    token = signed[0]
    with factory() as db:
        assert token not in {row.token_hash for row in db.scalars(select(WebSession))}
    clock.at += timedelta(minutes=9)
    assert store.resolve(token) is not None
    clock.at += timedelta(minutes=11)
    assert store.resolve(token) is None
    assert store.resolve("") is None
    assert store.resolve("forged") is None
    with factory() as db:
        assert db.scalars(select(WebSession)).all() == []  # the expired row is gone


def test_repeated_failures_lock_the_user_for_a_while(session: Session) -> None:
    add_user(session, "alice", Role.AGENT, "s3cret-pass", AT)
    lockout = Lockout(max_failures=3, duration=timedelta(minutes=15))
    for _ in range(2):
        assert authenticate(session, "alice", "guess", AT, lockout) is None
    assert authenticate(session, "alice", "s3cret-pass", AT, lockout) is not None  # resets
    for _ in range(3):
        assert authenticate(session, "alice", "guess", AT, lockout) is None
    later = AT + timedelta(minutes=14)
    assert authenticate(session, "alice", "s3cret-pass", later, lockout) is None  # locked
    assert authenticate(session, "alice", "s3cret-pass", AT + timedelta(minutes=15), lockout)
    for _ in range(3):
        authenticate(session, "alice", "guess", AT, lockout)
    set_password(session, "alice", "n3w-password", AT)  # an admin's reset unlocks
    assert authenticate(session, "alice", "n3w-password", AT, lockout) is not None
