"""Storage round trips through the services, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect
from sqlmodel import Session

from citekit import services
from citekit.errors import Conflict, InvalidRecord, NotFound, VersionConflict
from citekit.model import Source
from citekit.storage import session_scope

DEUTSCHER = {
    "type": "book",
    "title": "The Prophet Outcast: Trotsky 1929–1940",
    "creators": [{"family": "Deutscher", "given": "Isaac"}],
    "issued": "1963",
    "publisher": "Oxford University Press",
    "publisher-place": "London",
    "extra": {"bibtex.keywords": "exile; biography"},
}


def test_migrations_create_every_table(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert {"sources", "articles", "claims", "citations", "api_keys", "alembic_version"} <= names


def test_add_get_round_trip_keeps_every_field(session: Session) -> None:
    stored = services.add_source(session, data=DEUTSCHER)
    assert stored.id and len(stored.id) == 10
    assert stored.key == "deutscher1963prophet"
    assert stored.version == 1 and stored.created is not None
    again = services.get_source(session, ref=stored.key)
    assert again == stored
    assert services.get_source(session, ref=stored.id) == stored
    assert again.publisher_place == "London"
    assert again.extra == {"bibtex.keywords": "exile; biography"}
    assert again.creators[0].given == "Isaac"
    assert again.issued is not None and again.issued.year == 1963


def test_keys_are_unique_with_letter_suffixes_and_given_keys_are_kept(session: Session) -> None:
    first = services.add_source(session, data=DEUTSCHER)
    second = services.add_source(session, data=DEUTSCHER)
    third = services.add_source(session, data=DEUTSCHER)
    assert [first.key, second.key, third.key] == [
        "deutscher1963prophet",
        "deutscher1963propheta",
        "deutscher1963prophetb",
    ]
    mine = services.add_source(session, data={**DEUTSCHER, "key": "Deutscher:Outcast"})
    assert mine.key == "Deutscher:Outcast"
    with pytest.raises(Conflict, match="already used"):
        services.add_source(session, data={**DEUTSCHER, "key": "Deutscher:Outcast"})


def test_editing_a_record_keeps_its_key(session: Session) -> None:
    stored = services.add_source(session, data=DEUTSCHER)
    changed = services.patch_source(
        session, ref=stored.key, changes={"title": "Other", "issued": "1970"}
    )
    assert changed.key == stored.key
    assert changed.title == "Other" and changed.version == 2


def test_stale_version_is_refused_and_nothing_changes(engine: Engine) -> None:
    with session_scope(engine) as s:
        stored = services.add_source(s, data=DEUTSCHER)
    with session_scope(engine) as s:
        services.patch_source(s, ref=stored.id, changes={"edition": "2"}, expected_version=1)
    with pytest.raises(VersionConflict) as info, session_scope(engine) as s:
        services.patch_source(s, ref=stored.id, changes={"edition": "3"}, expected_version=1)
    assert info.value.current == 2
    with session_scope(engine) as s:
        current = services.get_source(s, ref=stored.id)
    assert current.edition == "2" and current.version == 2


def test_replace_and_unchanged_write_does_not_bump_version(session: Session) -> None:
    stored = services.add_source(session, data=DEUTSCHER)
    same = services.replace_source(session, ref=stored.id, data=DEUTSCHER, expected_version=1)
    assert same.version == 1
    replaced = services.replace_source(
        session, ref=stored.id, data={**DEUTSCHER, "volume": 2}, expected_version=1
    )
    assert replaced.version == 2 and replaced.volume == "2" and replaced.key == stored.key


def test_invalid_record_names_every_field_and_writes_nothing(engine: Engine) -> None:
    bad = {"type": "book", "DOI": "nonsense", "ISBN": "9780306406158", "URL": "ftp://x.org"}
    with pytest.raises(InvalidRecord) as info, session_scope(engine) as s:
        services.add_source(s, data=DEUTSCHER)
        services.add_source(s, data=bad)
    paths = {e.path for e in info.value.errors}
    assert {"DOI", "ISBN", "URL", "title"} <= paths
    with session_scope(engine) as s:
        assert services.count_sources(s) == 0


def test_batch_with_one_bad_record_is_all_or_nothing(engine: Engine) -> None:
    with pytest.raises(InvalidRecord) as info, session_scope(engine) as s:
        services.add_sources(s, records=[DEUTSCHER, {"type": "webpage", "title": "x"}])
    assert info.value.errors[0].loc[0] == 1
    with session_scope(engine) as s:
        assert services.count_sources(s) == 0


def test_delete_and_not_found(session: Session) -> None:
    stored = services.add_source(session, data=DEUTSCHER)
    with pytest.raises(VersionConflict):
        services.delete_source(session, ref=stored.key, expected_version=5)
    services.delete_source(session, ref=stored.key, expected_version=1)
    with pytest.raises(NotFound, match="deutscher1963prophet"):
        services.get_source(session, ref=stored.key)


RECORDS = [
    DEUTSCHER,
    {
        "type": "book",
        "title": "Trotsky: The Eternal Revolutionary",
        "creators": [
            {"family": "Volkogonov", "given": "Dmitri"},
            {"family": "Shukman", "given": "Harold", "role": "translator"},
        ],
        "issued": "1996",
        "ISBN": "978-0-00-255272-1",
        "group": "secondary",
    },
    {
        "type": "article-magazine",
        "title": "Trotsky Offered Asylum in Mexico",
        "container-title": "History Today",
        "creators": [{"family": "Cavendish", "given": "Richard"}],
        "issued": "2011-12",
        "DOI": "10.1234/ht.61.12",
    },
    {
        "type": "book",
        "title": "My Life",
        "creators": [{"family": "Trotsky", "given": "Leon"}],
        "issued": "1960",
        "group": "primary",
    },
    {
        "type": "graphic",
        "title": "Trotsky in 1918",
        "URL": "https://commons.wikimedia.org/wiki/File:Trotsky_Portrait.jpg",
    },
]


@pytest.fixture
def library(session: Session) -> Session:
    services.add_sources(session, records=RECORDS)
    return session


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 5),
        ({"group": "primary"}, 1),
        ({"group": "image"}, 1),
        ({"type": "book"}, 3),
        ({"year_from": 1960, "year_to": 1996}, 3),
        ({"year_to": 1963}, 2),
        ({"creator": "shukman"}, 1),
        ({"creator": "Trotsky"}, 1),
        ({"q": "trotsky"}, 5),
        ({"q": "ETERNAL revolutionary"}, 1),
        ({"q": "9780002552721"}, 1),
        ({"q": "10.1234/ht.61.12"}, 1),
        ({"q": "1996"}, 1),
        ({"q": "trotsky1960my"}, 1),
        ({"q": "100%_"}, 0),
    ],
)
def test_list_filters(library: Session, filters: dict, expected: int) -> None:
    rows, total = services.list_sources(library, **filters)
    assert total == expected == len(rows)
    assert services.count_sources(library, **filters) == expected


def test_list_sorting_and_paging(library: Session) -> None:
    rows, total = services.list_sources(library, sort="year", direction="desc", start=1, limit=2)
    assert total == 5
    assert [r.year for r in rows] == [1996, 1963]
    with pytest.raises(InvalidRecord, match="unknown sort"):
        services.list_sources(library, sort="colour")


def test_source_model_is_what_storage_returns(library: Session) -> None:
    rows, _ = services.list_sources(library, q="Volkogonov")
    assert isinstance(rows[0], Source)
    assert [c.role for c in rows[0].creators] == ["author", "translator"]


def test_a_savepoint_rolls_back_with_its_transaction(engine: Engine) -> None:
    """Nested transactions must not commit on their own (SQLite's driver would let them)."""
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        with s.begin_nested():
            services.add_source(s, data=DEUTSCHER)
        raise RuntimeError("interrupted")
    with session_scope(engine) as s:
        assert services.count_sources(s) == 0
    with session_scope(engine) as s:
        with pytest.raises(InvalidRecord), s.begin_nested():
            services.add_source(s, data={**DEUTSCHER, "key": "kept"})
            services.add_source(s, data={"type": "book"})
        services.add_source(s, data={**DEUTSCHER, "key": "after"})
    with session_scope(engine) as s:
        assert [x.key for x in services.list_sources(s)[0]] == ["after"]
