"""Console fixtures: a migrated SQLite database with one user per role, a fake engine, a client."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import Engine
from starlette.types import ASGIApp

from dialer.access.roles import Role
from dialer.access.sessions import SessionStore
from dialer.access.users import add_user
from dialer.storage import make_engine, session_factory, upgrade
from dialer.web.app import build_app
from dialer.web.console import Console, console_app
from tests.dialer.web.console.fake_backend import FakeBackend

if TYPE_CHECKING:
    from playwright.sync_api import Browser

START = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
USERS = {
    "alice": Role.AGENT,
    "bob": Role.AGENT,
    "sue": Role.SUPERVISOR,
    "ada": Role.ADMIN,
    "carl": Role.COMPLIANCE,
    "dave": Role.AGENT,  # gets locked out
}


@dataclass
class ManualClock:
    """A clock the test moves by hand (sessions only ask ``now``)."""

    at: datetime = START
    steps: list[timedelta] = field(default_factory=list)

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta


@pytest.fixture(scope="module")
def users_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path = Path(tmp_path_factory.mktemp("console")) / "dialer.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with session_factory(engine).begin() as db:
        for name, role in USERS.items():
            add_user(db, name, role, PASSWORD, START, display_name=name.title())
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def backend() -> FakeBackend:
    fake = FakeBackend(now=START)
    fake.add_campaign(1, "Spring renewals")
    fake.add_campaign(2, "Survey", mode="preview")
    return fake


@pytest.fixture
def console(users_db: Engine, clock: ManualClock, backend: FakeBackend) -> Console:
    sessions = SessionStore(session_factory(users_db), clock)  # type: ignore[arg-type]
    return Console(backend=backend, sessions=sessions)


@pytest.fixture
def app(console: Console) -> ASGIApp:
    return build_app(None, console_app(console))


@pytest.fixture
def new_client(app: ASGIApp) -> Callable[[], AsyncClient]:
    """Another browser: a client with its own cookies."""
    return lambda: AsyncClient(
        transport=ASGITransport(app=app),
        base_url="http://testserver",
        follow_redirects=True,
        headers={"Accept": "text/html,*/*"},  # as a browser asks for a page
    )


@pytest.fixture
async def client(new_client: Callable[[], AsyncClient]) -> AsyncIterator[AsyncClient]:
    async with new_client() as c:
        yield c


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


async def sign_in(client: AsyncClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; returns the session's CSRF token."""
    page = await client.get("/console/login")
    response = await client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 200, response.text  # followed the redirect to the home page
    return csrf_of(response.text)


@pytest.fixture
def browser() -> Iterator[Browser]:
    """The system Chromium, headless, for the browser tests."""
    from tests.dialer.web.console.browser import chromium_path

    path = chromium_path()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a shared, busy machine
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()
