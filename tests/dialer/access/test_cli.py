"""`dialer user ...` in-process against a real database."""

from __future__ import annotations

from pathlib import Path

from dialer.access.sessions import SessionStore
from dialer.clock import RealClock
from dialer.storage import make_engine, session_factory
from tests.cli_helpers import run_cli


def test_user_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dialer.db'}"
    assert run_cli(url, "init").exit_code == 0
    added = run_cli(url, "user", "add", "alice", "--role", "agent", "--password", "s3cret-pass")
    assert added.exit_code == 0, added.output
    assert "added alice (agent)" in added.output
    prompted = run_cli(
        url,
        "user",
        "add",
        "sue",
        "--role",
        "supervisor",
        "--name",
        "Sue",
        input="pw-of-sue\npw-of-sue\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert run_cli(url, "user", "disable", "alice").exit_code == 0
    listing = run_cli(url, "user", "list").output
    assert "alice\tagent\tdisabled" in listing
    assert "sue\tsupervisor\tactive\tSue" in listing
    assert run_cli(url, "user", "enable", "alice").exit_code == 0
    assert run_cli(url, "user", "passwd", "alice", "--password", "an0ther-pass").exit_code == 0
    engine = make_engine(url)
    store = SessionStore(session_factory(engine), RealClock())
    assert store.sign_in("alice", "an0ther-pass") is not None
    assert store.sign_in("sue", "pw-of-sue") is not None
    engine.dispose()


def test_user_errors_are_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dialer.db'}"
    run_cli(url, "init")
    run_cli(url, "user", "add", "alice", "--role", "agent", "--password", "s3cret-pass")
    cases = [
        (
            ("user", "add", "alice", "--role", "agent", "--password", "s3cret-pass"),
            "exists already",
            4,
        ),
        (
            ("user", "add", "bob", "--role", "agent", "--password", "short"),
            "a password needs at least 8 characters",
            2,
        ),
        (("user", "disable", "nobody"), "no user named 'nobody'", 3),
    ]
    for args, message, code in cases:
        result = run_cli(url, *args)
        assert result.exit_code == code
        assert (
            result.output.strip().splitlines() == [f"error: {message}"] or message in result.output
        )
        assert "Traceback" not in result.output
