"""The API's fast reads against the validated models they stand in for, on both databases.

Records served as stored (``repo.source_record``, ``services.claim_record``) must be byte for
byte what validating the row and dumping the model gives; prepared reads must see a
transaction's own writes; the library version must move with every writing transaction and
nothing else; kept search counts must never outlive the library state they were counted in.
"""

from __future__ import annotations

import json

import pytest
from pydantic_core import to_json
from sqlalchemy import Engine
from sqlmodel import Session, select

from citekit import services
from citekit.storage import library, session_scope
from citekit.storage import repository as repo
from citekit.storage.tables import SourceRow

# Records that exercise every shape a stored record can have: CSL spellings, nested names with
# particles and literals, date ranges and seasons, extra fields, non-ASCII text, many fields.
ODD_SOURCES = [
    {
        "type": "book",
        "title": "Écrits 1928–1940: “L’exil” — tome 1",
        "creators": [
            {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
            {"family": "Gaulle", "given": "Charles", "dropping-particle": "de", "suffix": "Jr."},
            {"literal": "Commission of Inquiry", "role": "editor"},
            {"family": "Sedova", "given": "Natalia", "role": "translator"},
        ],
        "issued": "1932/1933",
        "original-date": "1929",
        "accessed": "2024-05-01",
        "container-title": "Œuvres",
        "collection-title": "Bibliothèque",
        "collection-number": 7,
        "publisher": "Études et Documentation Internationales",
        "publisher-place": "Paris",
        "edition": 2,
        "volume": "1",
        "number-of-volumes": 3,
        "page": "45–67",
        "language": "fr",
        "note": "Preface by Pierre Broué.\nSecond line.",
        "extra": {"bibtex_type": "book", "keywords": ["exile", "Prinkipo"], "rating": 4},
        "ISBN": "978-0-19-281065-6",
        "DOI": "10.1000/XYZ123",
        "URL": "https://example.org/écrits?id=1&x=2",
    },
    {
        "type": "article-journal",
        "title": "A season of letters",
        "creators": [{"family": "Service", "given": "Robert"}],
        "issued": {"season": 3, "date-parts": [[1937]]},
        "container-title": "History Today",
        "volume": "52",
        "issue": "7",
        "ISSN": "0018-2753",
    },
    {"type": "graphic", "title": "Trotsky at Coyoacán", "issued": "c. 1938", "group": "image"},
    {"type": "manuscript", "title": "Diary in exile", "issued": "1935-02-07/1935-04-10"},
]


def _store(engine: Engine, records: list) -> None:
    with session_scope(engine) as session:
        services.add_sources(session, records=records)


def _rows(engine: Engine) -> list[SourceRow]:
    with Session(engine) as session:
        return list(session.exec(select(SourceRow)))


def test_stored_records_equal_the_validated_dump(engine: Engine, demo_sources: list) -> None:
    _store(engine, demo_sources)
    with session_scope(engine) as session:
        for data in ODD_SOURCES:
            services.add_source(session, data=data)
    rows = _rows(engine)
    assert len(rows) == len(demo_sources) + len(ODD_SOURCES)
    for row in rows:
        served = to_json(repo.source_record(row))
        validated = repo.row_to_source(row).model_dump_json(by_alias=True, exclude_none=True)
        assert served == validated.encode(), row.key


def test_listed_records_equal_the_listed_sources(engine: Engine, demo_sources: list) -> None:
    _store(engine, demo_sources)
    with Session(engine) as session:
        for filters in ({}, {"q": "trotsky"}, {"q": "deutscher prophet"}, {"group": "image"}):
            found = services.list_source_records(session, **filters, limit=10)
            sources, total = services.list_sources(session, **filters, limit=10)
            assert found.total == total
            dumped = [s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in sources]
            assert json.loads(found.json) == dumped


def _demo_library(engine: Engine) -> None:
    with session_scope(engine) as session:
        services.load_demo_library(session)


def test_claim_records_equal_the_claim_details(engine: Engine) -> None:
    _demo_library(engine)
    with Session(engine) as session:
        claims = services.list_claims(session)
        assert len(claims) == 80
        cited = 0
        quote = ""
        for claim in claims:
            assert claim.id is not None
            found = services.claim_record(session, ref=claim.id)
            detail = services.claim_with_sources(session, ref=claim.id)
            assert to_json(found.record) == detail.model_dump_json(by_alias=True).encode()
            assert found.version == detail.claim.version
            cited += bool(detail.citations)
            if detail.citations and not quote:
                quote = claim.text
        assert cited == 30
        # A quote instead of an id takes the validated path, and gives the same record.
        by_quote = services.claim_record(session, ref=quote)
        by_id = services.claim_record(session, ref=by_quote.record["claim"]["id"])
        assert to_json(by_quote.record) == to_json(by_id.record)
        assert by_quote.tag == by_id.tag


def test_claim_tag_changes_with_its_citations_and_sources(engine: Engine) -> None:
    _demo_library(engine)
    with Session(engine) as session:
        claim = next(c for c in services.list_claims(session) if c.id)
        before = services.claim_record(session, ref=claim.id or "")
    with session_scope(engine) as session:
        citation = services.add_citation(
            session, claim=claim.id or "", source="deutscher1963prophet", locator="p. 12"
        )
    with Session(engine) as session:
        linked = services.claim_record(session, ref=claim.id or "")
    assert linked.tag != before.tag
    assert linked.version == before.version  # the claim itself did not change
    with session_scope(engine) as session:
        services.patch_source(session, ref="deutscher1963prophet", changes={"note": "vol. 3"})
    with Session(engine) as session:
        patched = services.claim_record(session, ref=claim.id or "")
    assert patched.tag != linked.tag
    sources = [c["source"] for c in patched.record["citations"]]
    assert any(s.get("note") == "vol. 3" for s in sources)
    with session_scope(engine) as session:
        services.delete_citation(session, ref=citation.id or "")
    with Session(engine) as session:
        assert services.claim_record(session, ref=claim.id or "").tag == before.tag


def test_a_prepared_read_sees_its_own_transactions_writes(engine: Engine) -> None:
    _demo_library(engine)
    with session_scope(engine) as session:
        claim = next(c for c in services.list_claims(session) if c.id)
        services.add_citation(
            session, claim=claim.id or "", source="service2010trotsky", locator="3"
        )
        # Not committed yet: read on the session's connection, not a connection of its own.
        found = services.claim_record(session, ref=claim.id or "")
        keys = [c["source"]["key"] for c in found.record["citations"]]
        assert "service2010trotsky" in keys


def _version(engine: Engine) -> tuple[str, int]:
    with Session(engine) as session:
        return library.state(session)


def test_the_library_version_moves_once_per_writing_transaction(
    engine: Engine, demo_sources: list
) -> None:
    uid, start = _version(engine)
    _store(engine, demo_sources)  # eighteen sources, one transaction
    assert _version(engine) == (uid, start + 1)
    with session_scope(engine) as session:
        services.list_sources(session, q="trotsky")
        services.get_source(session, ref="deutscher1963prophet")
    assert _version(engine) == (uid, start + 1)  # reads do not move it
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        services.patch_source(session, ref="deutscher1963prophet", changes={"note": "x"})
        raise RuntimeError("rolled back")
    assert _version(engine) == (uid, start + 1)  # nor does a rolled-back write
    with session_scope(engine) as session:
        services.delete_source(session, ref="deutscher1963prophet")
    assert _version(engine) == (uid, start + 2)


def test_kept_counts_follow_the_library(engine: Engine, demo_sources: list) -> None:
    _store(engine, demo_sources)

    def count(q: str) -> int:
        with Session(engine) as session:
            return services.list_sources(session, q=q, limit=1)[1]

    before = count("trotsky")
    assert before > 1
    assert count("trotsky") == before  # kept, and the same
    with session_scope(engine) as session:
        services.add_source(session, data={"type": "book", "title": "Trotsky in Norway"})
        # Inside the writing transaction the count includes the new source, and is not kept
        # for readers who cannot see it yet.
        assert services.list_sources(session, q="trotsky", limit=1)[1] == before + 1
    assert count("trotsky") == before + 1
    with session_scope(engine) as session:
        services.delete_source(session, ref=services.list_sources(session, q="norway")[0][0].id)
    assert count("trotsky") == before


def test_kept_pages_follow_the_library(engine: Engine, demo_sources: list) -> None:
    _store(engine, demo_sources)

    def page() -> tuple[list[str], int]:
        with Session(engine) as session:
            found = services.list_source_records(session, q="trotsky", limit=50)
            return [r["key"] for r in json.loads(found.json)], found.total

    keys, total = page()
    assert page() == (keys, total)
    assert _version(engine)[0] in repo.KEPT_PAGES
    with session_scope(engine) as session:
        added = services.add_source(session, data={"type": "book", "title": "Trotsky in Norway"})
    after, after_total = page()
    assert added.key in after
    assert after_total == total + 1


def test_nothing_is_kept_when_the_cache_is_off(
    engine: Engine, demo_sources: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citekit.config import get_settings

    monkeypatch.setenv("CITEKIT_SEARCH_CACHE_SIZE", "0")
    get_settings.cache_clear()
    try:
        _store(engine, demo_sources)
        with Session(engine) as session:
            assert services.list_sources(session, q="trotsky", limit=1)[1] > 1
            assert services.list_source_records(session, q="trotsky", limit=1).total > 1
        uid = _version(engine)[0]
        assert uid not in repo.KEPT_COUNTS
        assert uid not in repo.KEPT_PAGES
    finally:
        monkeypatch.delenv("CITEKIT_SEARCH_CACHE_SIZE")
        get_settings.cache_clear()


def test_a_failing_prepared_read_raises_as_sqlalchemy_does_and_leaves_the_pool_sound(
    engine: Engine, demo_sources: list
) -> None:
    import sqlalchemy.exc
    from sqlalchemy import column, select, table

    from citekit.storage.prepared import Prepared

    missing = Prepared(select(table("no_such_table", column("x")).c.x))
    for _ in range(3):  # more often than one connection would be reused
        with pytest.raises(sqlalchemy.exc.DBAPIError) as caught:
            missing.rows(engine, {})
        assert caught.value.statement is not None and "no_such_table" in caught.value.statement
    # The connections went back as they were: a rolled-back transaction still rolls back (a
    # connection left in autocommit would have kept the write).
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        services.add_sources(session, records=demo_sources)
        raise RuntimeError("rolled back")
    with Session(engine) as session:
        assert services.count_sources(session) == 0


def test_kept_values_are_bounded_by_their_weight(engine: Engine) -> None:
    kept: library.Kept[str] = library.Kept(lambda: 10, weigh=len)
    computed: list[str] = []

    def value(text: str) -> str:
        computed.append(text)
        return text

    with Session(engine) as session:
        for text in ("aaaa", "bbbb", "aaaa", "cccc", "bbbb"):
            assert kept.get(session, text, lambda text=text: value(text)) == text
        # Ten units hold two of the four-unit values: "bbbb" went out when "cccc" came in.
        assert computed == ["aaaa", "bbbb", "cccc", "bbbb"]
        heavy = "x" * 11
        assert kept.get(session, heavy, lambda: value(heavy)) == heavy
        assert kept.get(session, heavy, lambda: value(heavy)) == heavy
        assert computed[-2:] == [heavy, heavy]  # heavier than all there is room for: not kept
