"""Creating, listing and changing users; checking a login. Functions over an ORM session."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dialer.access.models import User, WebSession
from dialer.access.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from dialer.access.roles import Role
from dialer.errors import ConflictError, InputError, NotFoundError

__all__ = [
    "Lockout",
    "UserInfo",
    "add_user",
    "authenticate",
    "check_password_rules",
    "get_user",
    "list_users",
    "set_active",
    "set_password",
]

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
# scrypt of a throwaway password, so an unknown username costs as much as a wrong password
_DUMMY_HASH = hash_password("not-a-real-password", salt=b"\0" * 16)


@dataclass(frozen=True, slots=True)
class UserInfo:
    """A user as the console and the CLI see it (never the hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool


@dataclass(frozen=True, slots=True)
class Lockout:
    """After ``max_failures`` wrong passwords in a row, refuse the user for ``duration``."""

    max_failures: int = 5
    duration: timedelta = timedelta(minutes=15)


def _info(user: User) -> UserInfo:
    return UserInfo(user.id, user.username, user.display_name, user.role, user.active)


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _find(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise NotFoundError(f"no user named {username!r}")
    return user


def add_user(
    session: Session, username: str, role: Role, password: str, at: datetime, display_name: str = ""
) -> UserInfo:
    if not _USERNAME.fullmatch(username):
        raise InputError(
            f"username {username!r} must be 2-80 characters: lowercase letters, digits, . _ -"
        )
    check_password_rules(password)
    if session.scalars(select(User.id).where(User.username == username)).first() is not None:
        raise ConflictError(f"user {username!r} exists already")
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        password_hash=hash_password(password),
        active=True,
        created_at=at,
        password_changed_at=at,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return _info(user)


def list_users(session: Session) -> list[UserInfo]:
    return [_info(u) for u in session.scalars(select(User).order_by(User.username))]


def get_user(session: Session, user_id: int) -> UserInfo | None:
    user = session.get(User, user_id)
    return None if user is None else _info(user)


def _end_sessions(session: Session, user_id: int) -> None:
    session.execute(delete(WebSession).where(WebSession.user_id == user_id))


def set_password(session: Session, username: str, password: str, at: datetime) -> None:
    """Change the password and sign the user out everywhere."""
    check_password_rules(password)
    user = _find(session, username)
    user.password_hash = hash_password(password)
    user.password_changed_at = at
    user.failed_logins, user.locked_until = 0, None
    _end_sessions(session, user.id)


def set_active(session: Session, username: str, active: bool) -> None:
    """Enable or disable a user; disabling signs the user out everywhere."""
    user = _find(session, username)
    user.active = active
    if active:
        user.failed_logins, user.locked_until = 0, None
    else:
        _end_sessions(session, user.id)


def authenticate(
    session: Session, username: str, password: str, at: datetime, lockout: Lockout | None = None
) -> UserInfo | None:
    """The active user with these credentials, or None: unknown, wrong password, disabled, or
    locked after repeated failures (each costs one scrypt, so they look alike)."""
    lockout = lockout or Lockout()
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None or (user.locked_until is not None and user.locked_until > at):
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, user.password_hash):
        user.failed_logins += 1
        if user.failed_logins >= lockout.max_failures:
            user.failed_logins, user.locked_until = 0, at + lockout.duration
        return None
    if not user.active:
        return None
    user.failed_logins, user.locked_until = 0, None
    return _info(user)
