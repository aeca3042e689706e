"""Who may use the console: users with roles, scrypt password hashes, server-side sessions."""

from dialer.access.roles import Permission, Role, allowed
from dialer.access.sessions import Authenticated, SessionPolicy, SessionStore
from dialer.access.users import UserInfo, add_user, list_users, set_active, set_password

__all__ = [
    "Authenticated",
    "Permission",
    "Role",
    "SessionPolicy",
    "SessionStore",
    "UserInfo",
    "add_user",
    "allowed",
    "list_users",
    "set_active",
    "set_password",
]
