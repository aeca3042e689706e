"""Shared fixtures. Storage fixtures run on SQLite and on the local PostgreSQL server.

PostgreSQL tests create and drop their own database. When the server is unreachable they skip with
the reason, unless ``DIALER_REQUIRE_POSTGRES=1`` (set by ``.ci/run``), which makes them fail.
"""

from __future__ import annotations

import gc
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dialer.storage import make_engine, session_factory, upgrade

PG_DSN = os.environ.get("DIALER_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")


def _pg_error() -> str | None:
    try:
        with psycopg.connect(PG_DSN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_DSN!r} unreachable: {exc}".strip()


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin DSN of a reachable PostgreSQL server (skip or fail if there is none)."""
    error = _pg_error()
    if error is not None:
        if os.environ.get("DIALER_REQUIRE_POSTGRES") == "1":
            pytest.fail(error)
        pytest.skip(error)
    return PG_DSN


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"dialer_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = psycopg.conninfo.conninfo_to_dict(pg_server)
    host, port, user = params.get("host"), params.get("port", 5432), params.get("user", "postgres")
    yield f"postgresql+psycopg://{user}@{host}:{port}/{name}"
    gc.collect()  # a connection the test leaked warns here, in the test that leaked it
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once per back end."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dialer.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database on each back end."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with session_factory(engine).begin() as s:
        yield s
