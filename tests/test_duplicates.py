"""Duplicate detection and merge planning (pure part; the database part is in test_services)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from citekit import services
from citekit.cli import app
from citekit.config import get_settings
from citekit.duplicates import (
    DuplicateIndex,
    DuplicatePair,
    clusters,
    find_duplicates,
    normalise_title,
    plan_merge,
)
from citekit.errors import Conflict, NotFound, VersionConflict
from citekit.model import Source, validate_source
from citekit.storage import make_engine, session_scope
from citekit.storage.tables import ArticleRow, CitationRow, ClaimRow


def src(**fields: Any) -> Source:
    fields.setdefault("type", "book")
    return validate_source(fields)


def deutscher(**fields: Any) -> Source:
    base: dict[str, Any] = {
        "key": "deutscher1963prophet",
        "title": "The Prophet Outcast: Trotsky 1929–1940",
        "creators": [{"family": "Deutscher", "given": "Isaac"}],
        "issued": "1963",
        "publisher": "Oxford University Press",
    }
    base.update(fields)
    return src(**base)


def test_normalised_title() -> None:
    assert normalise_title("‘The Prophet Outcast- Trotsky 1929–1940’") == normalise_title(
        "Prophet outcast: Trotsky, 1929-1940"
    )
    assert normalise_title("Émigrés") == "emigres"


def test_same_doi_in_different_spellings() -> None:
    a = src(title="One", DOI="10.1000/ABC")
    b = src(title="Another title entirely", DOI="https://doi.org/10.1000/abc")
    assert find_duplicates([a, b]) == [DuplicatePair(0, 1, ("same DOI",))]


def test_same_isbn_in_10_and_13_digit_forms() -> None:
    a = src(title="One", ISBN="0-306-40615-2")
    b = src(title="Two", ISBN="9780192810656 978-0-306-40615-7")
    c = src(title="Three", ISBN="9780192810656")
    pairs = find_duplicates([a, b, c])
    assert [(p.first, p.second, p.reasons) for p in pairs] == [
        (0, 1, ("same ISBN",)),
        (1, 2, ("same ISBN",)),
    ]
    assert clusters(pairs) == [[0, 1, 2]]


@pytest.mark.parametrize(
    ("change", "duplicate"),
    [
        ({"title": "Prophet Outcast - Trotsky, 1929-1940"}, True),
        ({"issued": "1964"}, True),  # a year apart: reprint or a typo
        ({"issued": "1965"}, False),
        ({"creators": [{"family": "Deutscher"}, {"family": "Smith"}]}, True),
        ({"creators": [{"family": "Carr"}]}, False),
        ({"title": "The Prophet Armed"}, False),
        ({"issued": None}, False),
    ],
)
def test_title_year_and_creator(change: dict[str, Any], duplicate: bool) -> None:
    other = deutscher(key="other", **change)
    assert bool(find_duplicates([deutscher(), other])) is duplicate


def test_records_without_creators_or_years_match_on_title() -> None:
    a = src(type="graphic", title="Trotsky in 1918", URL="https://x.org/a.jpg")
    b = src(type="graphic", title="Trotsky in 1918", URL="https://x.org/b.jpg")
    assert find_duplicates([a, b])[0].reasons == ("same title, year and creator",)


def test_no_self_pairs_and_every_pair_once() -> None:
    records = [deutscher(key=f"k{i}", ISBN="0-306-40615-2") for i in range(4)]
    pairs = find_duplicates(records)
    assert len(pairs) == 6 and all(p.first < p.second for p in pairs)
    assert all(p.reasons == ("same ISBN", "same title, year and creator") for p in pairs)


def test_merge_fills_unites_and_keeps_conflicts() -> None:
    keep = deutscher(id="1", version=3, ISBN="0-306-40615-2", extra={"x": "1"})
    other = deutscher(
        key="deutscher1964prophet",
        title="Prophet Outcast - Trotsky, 1929-1940",
        issued="1964",
        publisher="Oxford UP",
        creators=[
            {"family": "Deutscher", "given": "I."},
            {"family": "Smith", "given": "J.", "role": "translator"},
        ],
        **{"publisher-place": "London"},
        ISBN="978-0-306-40615-7 9780192810656",
        extra={"x": "2", "y": "3"},
    )
    plan = plan_merge(keep, other)
    merged = plan.merged
    assert (merged.id, merged.key, merged.version) == ("1", "deutscher1963prophet", 3)
    assert merged.title == keep.title and merged.year == 1963
    assert merged.publisher_place == "London" and plan.filled == ["publisher-place"]
    assert merged.isbn == "0306406152 9780192810656"
    assert [c.family for c in merged.creators] == ["Deutscher", "Smith"]
    assert plan.added_creators == ["J. Smith"]
    assert {c.field: (c.kept, c.other) for c in plan.conflicts} == {
        "title": (keep.title, other.title),
        "issued": ("1963", "1964"),
        "publisher": ("Oxford University Press", "Oxford UP"),
        "extra.x": ("1", "2"),
    }
    # Nothing of the other record is lost: every losing value is in extra.
    assert merged.extra == {
        "x": "1",
        "y": "3",
        "title-merged": other.title,
        "issued-merged": "1964",
        "publisher-merged": "Oxford UP",
        "x-merged": "2",
        "merged-from": ["deutscher1964prophet"],
    }


def test_merging_twice_keeps_both_losing_values() -> None:
    first = plan_merge(deutscher(), deutscher(key="b", publisher="B")).merged
    second = plan_merge(first, deutscher(key="c", publisher="C")).merged
    assert second.extra["publisher-merged"] == "B"
    assert second.extra["publisher-merged-2"] == "C"
    assert second.extra["merged-from"] == ["b", "c"]


def test_equal_values_differing_only_in_case_and_spaces_are_no_conflict() -> None:
    plan = plan_merge(deutscher(), deutscher(key="b", publisher="oxford  university press"))
    assert plan.conflicts == [] and "publisher-merged" not in plan.merged.extra


# -- stored records: find and merge (SQLite and PostgreSQL) --------------------------------------


def _article_with_claims(session: Session, count: int) -> list[str]:
    """An article with ``count`` claims; returns the claim ids."""
    article = ArticleRow.model_validate(
        {"id": "ART1", "title": "T", "text": "One. Two. Three.", "text_hash": "x"}
    )
    session.add(article)
    ids = []
    for i in range(count):
        claim = ClaimRow.model_validate(
            {"id": f"CLM{i}", "article_id": "ART1", "text": "One.", "exact": "One."}
        )
        session.add(claim)
        ids.append(claim.id)
    session.flush()
    return ids


def _link(session: Session, claim: str, source: str, page: str = "", **fields: Any) -> None:
    row = CitationRow.model_validate(
        {
            "id": f"L{claim}{source}{page}"[:16],
            "claim_id": claim,
            "source_id": source,
            "locator_label": "page" if page else "",
            "locator_value": page,
            **fields,
        }
    )
    session.add(row)
    session.flush()


def test_find_duplicates_in_the_library(session: Session) -> None:
    services.add_source(session, data=deutscher())
    services.add_source(session, data=deutscher(key="again", issued="1964"))
    services.add_source(session, data=src(title="Something else", key="else"))
    (match,) = services.find_duplicates(session)
    assert (match.first.key, match.second.key) == ("deutscher1963prophet", "again")
    assert match.reasons == ["same title, year and creator"]


def test_merge_moves_every_claim_link(session: Session) -> None:
    keep = services.add_source(session, data=deutscher(ISBN="0-306-40615-2"))
    other = services.add_source(
        session,
        data=deutscher(key="dup", publisher="Oxford UP", **{"publisher-place": "London"}),
    )
    assert keep.id and other.id
    claims = _article_with_claims(session, 3)
    _link(session, claims[0], keep.id, "45")
    _link(session, claims[0], other.id, "45", quotation="the planet without a visa")
    _link(session, claims[1], other.id, "12")
    _link(session, claims[2], other.id)

    report = services.merge_sources(session, keep="deutscher1963prophet", other="dup")

    assert report.removed == "dup" and report.filled == ["publisher-place"]
    assert report.links_moved == 2 and report.links_dropped == 1
    assert report.conflicts == [
        {
            "field": "publisher",
            "kept": "Oxford University Press",
            "other": "Oxford UP",
            "saved_as": "publisher-merged",
        }
    ]
    with pytest.raises(NotFound):
        services.get_source(session, ref="dup")
    merged = services.get_source(session, ref=keep.id)
    assert merged.version == keep.version + 1
    assert merged.publisher_place == "London"
    assert merged.extra["publisher-merged"] == "Oxford UP"
    assert merged.extra["merged-from"] == ["dup"]
    links = session.exec(select(CitationRow)).all()
    assert {(link.claim_id, link.locator_value) for link in links} == {
        (claims[0], "45"),
        (claims[1], "12"),
        (claims[2], ""),
    }
    assert all(link.source_id == keep.id for link in links)
    # The dropped twin lent its quotation to the link that stays.
    (kept_link,) = [link for link in links if link.claim_id == claims[0]]
    assert kept_link.quotation == "the planet without a visa"
    assert services.find_duplicates(session) == []


def test_merge_refuses_itself_and_stale_versions(session: Session) -> None:
    keep = services.add_source(session, data=deutscher())
    services.add_source(session, data=deutscher(key="dup"))
    with pytest.raises(Conflict):
        services.merge_sources(session, keep=keep.key or "", other=keep.id or "")
    with pytest.raises(VersionConflict):
        services.merge_sources(session, keep="dup", other=keep.id or "", other_version=99)
    with pytest.raises(NotFound):
        services.merge_sources(session, keep="dup", other="nosuchkey")
    assert services.count_sources(session) == 2


def test_cli_duplicates_and_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CITEKIT_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        engine = make_engine(url)
        with session_scope(engine) as session:
            services.add_source(session, data=deutscher())
            services.add_source(session, data=deutscher(key="dup", publisher="Oxford UP"))
        engine.dispose()
        runner = CliRunner()
        found = runner.invoke(app, ["duplicates", "--json"])
        assert json.loads(found.stdout) == [
            {
                "first": "deutscher1963prophet",
                "second": "dup",
                "reasons": ["same title, year and creator"],
            }
        ]
        merged = runner.invoke(app, ["merge", "deutscher1963prophet", "dup", "--yes", "--json"])
        assert merged.exit_code == 0, merged.output
        report = json.loads(merged.stdout)
        assert report["removed"] == "dup"
        assert report["source"]["extra"]["publisher-merged"] == "Oxford UP"
        assert json.loads(runner.invoke(app, ["duplicates", "--json"]).stdout) == []
        again = runner.invoke(app, ["merge", "deutscher1963prophet", "dup", "--yes"])
        assert again.exit_code == 1 and "dup" in again.output
    finally:
        get_settings.cache_clear()


def test_an_index_finds_the_stored_twin_of_a_new_record() -> None:
    index = DuplicateIndex([src(title="Other"), deutscher()])
    assert index.matches(deutscher(key="new", issued="1964")) == [
        (1, ("same title, year and creator",))
    ]
    assert index.matches(src(title="Unrelated")) == []
    assert index.add(src(title="Unrelated")) == 2
    assert index.matches(src(title="unrelated!")) == [(2, ("same title, year and creator",))]
