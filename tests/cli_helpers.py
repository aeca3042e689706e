"""Run the real `dialer` app in-process against a given database."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from cli import app


def run_cli(db_url: str, *args: str, input: str | None = None) -> Result:
    runner = CliRunner()
    env = {"DIALER_DATABASE_URL": db_url, "DIALER_CONFIG": "/nonexistent/dialer.toml"}
    return runner.invoke(app, list(args), env=env, input=input, catch_exceptions=False)
