"""Roles and what each may do. The server checks a permission on every request."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROLE_PERMISSIONS", "Permission", "Role", "allowed"]


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    COMPLIANCE = "compliance"  # read only


class Permission(StrEnum):
    TAKE_CALLS = "take_calls"  # the agent console: own state, own calls only
    WATCH = "watch"  # the supervisor view (campaign and agent figures, no lead data)
    CONTROL_CAMPAIGNS = "control_campaigns"  # start, pause, change dial mode


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset({Permission.TAKE_CALLS}),
    Role.SUPERVISOR: frozenset({Permission.WATCH, Permission.CONTROL_CAMPAIGNS}),
    Role.ADMIN: frozenset({Permission.WATCH, Permission.CONTROL_CAMPAIGNS}),
    Role.COMPLIANCE: frozenset({Permission.WATCH}),
}


def allowed(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]
