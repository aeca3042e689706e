"""`dialer user ...`: console users (add, list, passwd, disable, enable)."""

from __future__ import annotations

from typing import Annotated

import typer

from dialer.access.roles import Role
from dialer.access.users import add_user, list_users, set_active, set_password
from dialer.cli_support import open_session
from dialer.clock import RealClock

__all__ = ["app"]

app = typer.Typer(help="Console users and their roles.", no_args_is_help=True)

_PASSWORD_HELP = "Password (prompted, hidden, when omitted; DIALER_USER_PASSWORD also works)."


def _password(value: str | None) -> str:
    if value is not None:
        return value
    entered: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return entered


@app.command("add")
def add(
    ctx: typer.Context,
    username: str,
    role: Annotated[Role, typer.Option(help="agent, supervisor, admin or compliance.")],
    name: Annotated[str, typer.Option(help="Display name (default: the username).")] = "",
    password: Annotated[
        str | None, typer.Option(envvar="DIALER_USER_PASSWORD", help=_PASSWORD_HELP)
    ] = None,
) -> None:
    """Create a user."""
    secret = _password(password)
    with open_session(ctx) as db:
        user = add_user(db, username, role, secret, RealClock().now(), display_name=name)
    typer.echo(f"added {user.username} ({user.role})")


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List users with their role and whether they are active."""
    with open_session(ctx) as db:
        users = list_users(db)
    for user in users:
        state = "active" if user.active else "disabled"
        typer.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name}")


@app.command("passwd")
def passwd(
    ctx: typer.Context,
    username: str,
    password: Annotated[
        str | None, typer.Option(envvar="DIALER_USER_PASSWORD", help=_PASSWORD_HELP)
    ] = None,
) -> None:
    """Change a user's password (signs the user out everywhere)."""
    secret = _password(password)
    with open_session(ctx) as db:
        set_password(db, username, secret, RealClock().now())
    typer.echo(f"password of {username} changed")


@app.command("disable")
def disable(ctx: typer.Context, username: str) -> None:
    """Disable a user (signs the user out everywhere)."""
    with open_session(ctx) as db:
        set_active(db, username, False)
    typer.echo(f"{username} disabled")


@app.command("enable")
def enable(ctx: typer.Context, username: str) -> None:
    """Enable a disabled user."""
    with open_session(ctx) as db:
        set_active(db, username, True)
    typer.echo(f"{username} enabled")
