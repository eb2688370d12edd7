"""One round trip per registered format: records → write → parse gives the same records back."""

from __future__ import annotations

from pathlib import Path

import pytest

from citekit.formats import BUILTINS, csljson, get_format
from citekit.model import Source

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile" / "sources.json"

# Formats whose writer does not produce something the same format reads back as records.
NOT_ROUND_TRIP = {
    "plaintext": "its writer renders a Chicago bibliography; the reader's accuracy is measured "
    "in test_plaintext.py",
}
# Formats that keep every ``extra`` field, whichever format it came from. BibTeX and BibLaTeX
# keep the fields they read themselves (extra["bibtex"]) and nothing else.
KEEPS_FOREIGN_EXTRA = {"csljson", "ris"}

ROUND_TRIP = [name for name in BUILTINS if name not in NOT_ROUND_TRIP]

EDGE_CASES = [
    Source(
        key="braces",
        type="article-journal",
        title="Braces } { and 100% of #hash @at \\backslash ~tilde",
        container_title="Journal of {Odd} Titles",
        creators=[
            {"family": "Gaulle", "given": "Charles", "non_dropping_particle": "de"},
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
            {"literal": "Commission of Inquiry into the Charges Made Against Leon Trotsky"},
        ],
        issued="1932/1933",
        volume="12",
        issue="3",
        page="726–769",
        doi="10.1093/acprof:oso/9780199283095.001.0001",
    ),
    Source(
        key="unicode",
        type="book",
        title="Моя жизнь: Опыт автобиографии",
        creators=[{"family": "Троцкий", "given": "Лев"}],
        issued="1930",
        publisher_place="Berlin",
        publisher="Granit",
        url="https://example.org/a_(1)%26b?x=1&y=~z",
        isbn="9780192851185",
    ),
]


@pytest.fixture(scope="module")
def demo() -> list[Source]:
    return csljson.parse(DEMO.read_text(encoding="utf-8")).records


def _typed(source: Source) -> dict:
    return source.model_dump(exclude={"extra"})


@pytest.mark.parametrize("name", sorted(NOT_ROUND_TRIP))
def test_formats_left_out_are_registered(name: str) -> None:
    assert name in BUILTINS


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_demo_library_round_trip(name: str, demo: list[Source]) -> None:
    fmt = get_format(name)
    result = fmt.parse(fmt.write(demo))
    assert result.failures == []
    assert [_typed(r) for r in result.records] == [_typed(r) for r in demo]
    if name in KEEPS_FOREIGN_EXTRA:
        assert [r.extra for r in result.records] == [r.extra for r in demo]


@pytest.mark.parametrize("name", ROUND_TRIP)
@pytest.mark.parametrize("source", EDGE_CASES, ids=lambda s: s.key)
def test_edge_cases_round_trip(name: str, source: Source) -> None:
    fmt = get_format(name)
    result = fmt.parse(fmt.write([source]))
    assert result.failures == []
    assert [_typed(r) for r in result.records] == [_typed(source)]


@pytest.mark.parametrize("name", ROUND_TRIP)
def test_writing_twice_gives_the_same_text(name: str, demo: list[Source]) -> None:
    fmt = get_format(name)
    first = fmt.write(demo)
    assert fmt.write(fmt.parse(first).records) == first
