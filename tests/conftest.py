"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL tests read ``CITEKIT_TEST_POSTGRES_URL`` (``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
Without it they are skipped, unless ``CITEKIT_REQUIRE_POSTGRES=1`` (set by CI), which turns the
skip into a failure so that a CI run cannot pass without PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import Session

from citekit.storage import make_engine, session_scope

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "references" / "trotsky-last-exile"
POSTGRES_URL = os.environ.get("CITEKIT_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("CITEKIT_REQUIRE_POSTGRES") == "1"


def _postgres_schema_engine() -> Iterator[Engine]:
    """A fresh schema of its own for one test, dropped afterwards (tests may run in parallel)."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("CITEKIT_REQUIRE_POSTGRES=1 but CITEKIT_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests need CITEKIT_TEST_POSTGRES_URL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is not reachable: {exc}")
    engine = make_engine(
        POSTGRES_URL,
        connect_args={"options": f"-csearch_path={schema}"},
        pool_size=5,
        max_overflow=5,
    )
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'citekit.db'}")
        yield sqlite_engine
        sqlite_engine.dispose()
    else:
        yield from _postgres_schema_engine()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed at the end of the test (like one request)."""
    with session_scope(engine) as s:
        yield s


@pytest.fixture(scope="session")
def demo_sources() -> list:
    """The demo library's sources as records (read with the CSL-JSON reader)."""
    from citekit.formats import csljson

    result = csljson.parse((DEMO_DIR / "sources.json").read_text(encoding="utf-8"))
    assert not result.failures, result.failures
    return result.records


CHECKS_DIR = ROOT.parent / "shared" / "checks"
REQUIRE_CHECKS = os.environ.get("CITEKIT_REQUIRE_CHECKS") == "1"


def _checks_missing() -> str | None:
    import shutil

    venv = Path(os.environ.get("CHECKS_VENV", "/tmp/checks-venv"))
    node = Path(os.environ.get("CHECKS_NODE_DIR", "/tmp/checks-node"))
    if not CHECKS_DIR.is_dir():
        return f"{CHECKS_DIR} is missing"
    if not (venv / "bin" / "python").exists() or not (node / "node_modules").is_dir():
        return "the real-client checks are not installed (run ../shared/checks/setup.sh)"
    for tool in ("pandoc", "bibtex", "biber"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (run ../shared/checks/setup.sh)"
    return None


@pytest.fixture
def real_client_check():
    """``real_client_check("bibtex", path)`` runs ../shared/checks/check_bibtex.sh on a file and
    returns (passed, output). Skips when the tools are missing, fails instead under CI."""
    import subprocess

    missing = _checks_missing()
    if missing:
        if REQUIRE_CHECKS:
            pytest.fail(f"CITEKIT_REQUIRE_CHECKS=1 but {missing}")
        pytest.skip(missing)

    def run(kind: str, path: Path, **env: str) -> tuple[bool, str]:
        script = CHECKS_DIR / f"check_{kind}.sh"
        proc = subprocess.run(
            ["bash", str(script), str(path)],
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, **env},
        )
        return proc.returncode == 0, proc.stdout + proc.stderr

    return run
