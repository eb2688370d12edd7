"""API fixtures: a TestClient over the parametrised ``engine`` (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from citekit import services
from citekit.config import Settings
from citekit.storage import session_scope


def make_client(engine: Engine, **settings: object) -> TestClient:
    """A client for an app on ``engine`` with explicit settings (nothing read from the env)."""
    options: dict[str, object] = {"load_demo": False, **settings}
    return TestClient(create_app(engine=engine, settings=Settings(**options)))


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with make_client(engine) as test_client:
        yield test_client


def _key(engine: Engine, scope: str) -> str:
    with session_scope(engine) as session:
        _, token = services.create_api_key(session, scope=scope, name=f"test {scope}")
    return token


@pytest.fixture
def write_headers(engine: Engine) -> dict[str, str]:
    return {"Authorization": f"Bearer {_key(engine, 'write')}"}


@pytest.fixture
def read_headers(engine: Engine) -> dict[str, str]:
    return {"Authorization": f"Bearer {_key(engine, 'read')}"}


BOOK = {
    "type": "book",
    "title": "The Prophet Outcast: Trotsky 1929–1940",
    "creators": [{"family": "Deutscher", "given": "Isaac"}],
    "issued": "1963",
    "publisher": "Oxford University Press",
    "publisher-place": "London",
}


@pytest.fixture
def book_data() -> dict[str, object]:
    """A valid book record in CSL spelling, not stored."""
    return dict(BOOK)


@pytest.fixture
def book(client: TestClient, write_headers: dict[str, str]) -> dict[str, object]:
    """A stored book, as the API returned it."""
    response = client.post("/sources", json=BOOK, headers=write_headers)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def client_with(engine: Engine) -> Iterator[Callable[..., TestClient]]:
    """Build clients whose app has other settings: ``client_with(require_read_key=True)``."""
    opened: list[TestClient] = []

    def build(**settings: object) -> TestClient:
        test_client = make_client(engine, **settings)
        opened.append(test_client.__enter__())
        return test_client

    yield build
    for test_client in opened:
        test_client.__exit__(None, None, None)


@pytest.fixture
def demo(engine: Engine) -> int:
    """The demo library (sources, article, curated links) in the database; returns #sources."""
    with session_scope(engine) as session:
        return services.load_demo_library(session)
