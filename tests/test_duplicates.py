"""Duplicate detection and merge planning (pure part; the database part is in test_services)."""

from __future__ import annotations

from typing import Any

import pytest

from citekit.duplicates import (
    DuplicatePair,
    clusters,
    find_duplicates,
    normalise_title,
    plan_merge,
)
from citekit.model import Source, validate_source


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
