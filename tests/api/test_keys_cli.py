"""``citekit keys create|list|revoke``: the keys the API accepts come from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from citekit.cli import app
from citekit.config import Settings, get_settings
from citekit.storage import make_engine

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    monkeypatch.setenv("CITEKIT_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_create_list_revoke(database: str) -> None:
    created = runner.invoke(
        app, ["keys", "create", "--scope", "write", "--name", "plugin", "--json"]
    )
    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout)
    assert key["scope"] == "write" and key["token"].startswith(key["prefix"])

    engine = make_engine(database)
    client = TestClient(create_app(engine=engine, settings=Settings(load_demo=False)))
    headers = {"Authorization": f"Bearer {key['token']}"}
    book = {"type": "book", "title": "My Life"}
    assert client.post("/sources", json=book, headers=headers).status_code == 201

    listed = runner.invoke(app, ["keys", "list", "--json"])
    assert [k["id"] for k in json.loads(listed.stdout)] == [key["id"]]
    assert key["token"] not in listed.stdout

    revoked = runner.invoke(app, ["keys", "revoke", key["prefix"]])
    assert revoked.exit_code == 0, revoked.output
    assert client.post("/sources", json=book, headers=headers).status_code == 401
    engine.dispose()


def test_bad_scope_and_unknown_key_are_messages(database: str) -> None:
    bad = runner.invoke(app, ["keys", "create", "--scope", "admin"])
    assert bad.exit_code == 1 and "read or write" in bad.output
    missing = runner.invoke(app, ["keys", "revoke", "nope"])
    assert missing.exit_code == 1 and "no API key" in missing.output
