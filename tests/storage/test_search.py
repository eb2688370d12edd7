"""Search (``list_sources(q=...)``) through the full-text index (SQLite FTS5 trigram, PostgreSQL
pg_trgm) gives what a plain substring scan gives, and the index follows inserts, updates and
deletes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from citekit import services
from citekit.storage import repository as repo
from citekit.storage import session_scope
from citekit.storage.tables import SourceRow

RECORDS = [
    {
        "type": "book",
        "key": "deutscher1963",
        "title": "The Prophet Outcast: Trotsky 1929–1940",
        "creators": [{"family": "Deutscher", "given": "Isaac"}],
        "issued": "1963",
        "publisher": "Oxford University Press",
    },
    {
        "type": "book",
        "key": "broue1988",
        "title": "Trotsky",
        "creators": [{"family": "Broué", "given": "Pierre"}],
        "issued": "1988",
        "publisher": "Fayard",
    },
    {
        "type": "article-journal",
        "key": "swain2006",
        "title": "Trotsky and the Russian Revolution: 100% of it, on_line",
        "container-title": "Revolutionary Russia",
        "creators": [{"family": "Swain", "given": "Geoffrey"}],
        "issued": "2006",
        "DOI": "10.1080/09546540600000001",
    },
    {
        "type": "book",
        "key": "service2009",
        "title": 'Trotsky: A "Biography"',
        "creators": [{"family": "Service", "given": "Robert"}],
        "issued": "2009",
        "ISBN": "9780674036154",
    },
    {
        "type": "book",
        "key": "volkogonov1996",
        "title": "Trotsky: The Eternal Revolutionary",
        "creators": [{"family": "Volkogonov", "given": "Dmitri"}],
        "issued": "1996",
    },
]

QUERIES = [
    "trotsky",
    "TROTSKY revolution",
    "revol",
    "broue",  # accent-folded: Broué
    "Broué",
    "ou",  # two letters: below the trigram length
    "ou trotsky",
    "100%",
    "on_line",
    "on_",
    '"biography"',
    "biography",
    "10.1080/09546540600000001",
    "swain2006",
    "1963",
    "9780674036154",
    "nothing-like-this",
    "tr ts",
    "the",
]


def _expected(session: Session, q: str) -> list[str]:
    """Keys whose stored search text holds every folded word of ``q``, or DOI / key matches,
    checked in Python over every row (no index involved)."""
    words = repo.fold(q).split()
    keys = []
    for row in session.exec(select(SourceRow)):
        if all(w in row.search_text or row.doi == w or row.key == q.strip() for w in words):
            keys.append(row.key)
    return sorted(keys)


@pytest.fixture
def library(session: Session) -> Session:
    services.add_sources(session, records=RECORDS)
    session.flush()
    return session


@pytest.mark.parametrize("q", QUERIES)
def test_search_matches_a_substring_scan(library: Session, q: str) -> None:
    found, total = services.list_sources(library, q=q)
    assert [s.key for s in found] == _expected(library, q)
    assert total == len(found)
    assert services.count_sources(library, q=q) == total


def test_search_finds_what_it_should(library: Session) -> None:
    keys = {s.key for s in services.list_sources(library, q="revolution")[0]}
    assert keys == {"swain2006", "volkogonov1996"}
    assert [s.key for s in services.list_sources(library, q="Broue")[0]] == ["broue1988"]
    doi = services.list_sources(library, q="10.1080/09546540600000001")[0]
    assert [s.key for s in doi] == ["swain2006"]


def test_paging_and_totals_with_a_query(library: Session) -> None:
    every = [s.key for s in services.list_sources(library, q="trotsky")[0]]
    assert len(every) == 5
    for limit in (1, 2, 5, 10):
        for start in (0, 1, 4, 5, 7):
            page, total = services.list_sources(library, q="trotsky", start=start, limit=limit)
            assert total == 5
            assert [s.key for s in page] == every[start : start + limit]
    desc, total = services.list_sources(library, q="trotsky", direction="desc", limit=2)
    assert [s.key for s in desc] == every[::-1][:2] and total == 5
    by_year, _ = services.list_sources(library, q="trotsky", sort="year", limit=3)
    assert [s.key for s in by_year] == ["deutscher1963", "broue1988", "volkogonov1996"]


def test_query_with_other_filters(library: Session) -> None:
    found, total = services.list_sources(library, q="trotsky", type="book", year_from=1990)
    assert [s.key for s in found] == ["service2009", "volkogonov1996"] and total == 2
    assert services.count_sources(library, q="revolution", type="book") == 1


def test_index_follows_updates_and_deletes(engine: Engine) -> None:
    with session_scope(engine) as session:
        services.add_sources(session, records=RECORDS)
    with session_scope(engine) as session:
        services.patch_source(session, ref="broue1988", changes={"title": "Léon Trotsky, exilé"})
        services.delete_source(session, ref="volkogonov1996")
    with session_scope(engine) as session:
        assert [s.key for s in services.list_sources(session, q="exile")[0]] == ["broue1988"]
        assert "broue1988" in [s.key for s in services.list_sources(session, q="leon")[0]]
        revolution = [s.key for s in services.list_sources(session, q="revolutionary")[0]]
        assert revolution == ["swain2006"]  # "Revolutionary Russia"; volkogonov1996 is gone
        for q in QUERIES:
            assert [s.key for s in services.list_sources(session, q=q)[0]] == _expected(session, q)


def test_sqlite_uses_the_full_text_index(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 table is SQLite's")
    with engine.connect() as connection:
        plan = connection.execute(
            text("EXPLAIN QUERY PLAN SELECT rowid FROM sources_fts WHERE search_text MATCH 'abc'")
        ).all()
    assert any("VIRTUAL TABLE" in str(step) for step in plan)


def test_postgres_has_a_trigram_index(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the pg_trgm index is PostgreSQL's")
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_sources_search_trgm'")
        ).all()
    assert found and "gin_trgm_ops" in found[0][0]
