"""MLA 9th edition: golden files over every item type and the demo library, manual examples."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from citekit.formats import csljson
from citekit.model import Source, validate_source
from citekit.render import render_bibliography
from citekit.render.backends import render
from citekit.render.styles import CitationItem, get_style
from citekit.render.styles.modern_language_association import (
    ModernLanguageAssociation,
    mla_pages,
)

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "modern-language-association"
RECORDS = HERE / "golden" / "records-every-type.json"
DEMO = HERE.parent.parent / "references" / "trotsky-last-exile" / "sources.json"
UPDATE = os.environ.get("CITEKIT_UPDATE_GOLDEN") == "1"


def fixture_records() -> list[Source]:
    return [validate_source(r) for r in json.loads(RECORDS.read_text(encoding="utf-8"))]


def demo_records() -> list[Source]:
    return list(csljson.parse(DEMO.read_text(encoding="utf-8")).records)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with CITEKIT_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("html", "html"), ("markdown", "md")])
def test_golden_every_item_type(fmt: str, suffix: str) -> None:
    text = render_bibliography(fixture_records(), style="modern-language-association", format=fmt)
    check_golden(f"records.{suffix}", text)


def test_golden_demo_library_grouped() -> None:
    text = render_bibliography(demo_records(), style="mla", grouped=True)
    check_golden("demo-grouped.txt", text)


def test_golden_citations() -> None:
    records = fixture_records()
    style = ModernLanguageAssociation().with_library(records)
    lines = [
        render(style.cite([CitationItem.of(r, "45")]), "text")
        for r in sorted(records, key=style.sort_key)
    ]
    check_golden("citations.txt", "\n".join(lines) + "\n")


def entry(data: dict) -> str:
    return render(get_style("mla").bibliography_entry(validate_source(data)), "text")


def test_manual_journal_article_example() -> None:
    # the MLA Handbook (9th ed.) example of a journal article
    record = {
        "type": "article-journal",
        "title": "Redefining Reading: The Impact of Digital Communication Media",
        "container-title": "PMLA",
        "volume": "128",
        "issue": "1",
        "issued": "2013-01",
        "page": "193-200",
        "creators": [{"family": "Baron", "given": "Naomi S."}],
    }
    assert entry(record) == (
        "Baron, Naomi S. “Redefining Reading: The Impact of Digital Communication Media.” PMLA, "
        "vol. 128, no. 1, Jan. 2013, pp. 193–200."
    )
    cite = get_style("mla").cite([CitationItem.of(validate_source(record), "p. 194")])
    assert render(cite, "text") == "(Baron 194)"


def test_manual_book_examples() -> None:
    assert (
        entry(
            {
                "type": "book",
                "title": "Beloved",
                "publisher": "Vintage Books",
                "issued": "2004",
                "creators": [{"family": "Morrison", "given": "Toni"}],
            }
        )
        == "Morrison, Toni. Beloved. Vintage Books, 2004."
    )
    assert (
        entry(
            {
                "type": "book",
                "title": "The Crown of Columbus",
                "publisher": "HarperCollins Publishers",
                "issued": "1999",
                "creators": [
                    {"family": "Dorris", "given": "Michael"},
                    {"family": "Erdrich", "given": "Louise"},
                ],
            }
        )
        == "Dorris, Michael, and Louise Erdrich. The Crown of Columbus. HarperCollins Publishers, "
        "1999."
    )


def test_page_ranges_as_the_handbook_abbreviates() -> None:
    assert mla_pages("201–9") == "pp. 201–09"
    assert mla_pages("96-113") == "pp. 96–113"
    assert mla_pages("1608-1774") == "pp. 1608–1774"
    assert mla_pages("1") == "p. 1"


def test_repeated_author_and_short_titles_in_text() -> None:
    records = fixture_records()
    text = render_bibliography(records, style="mla")
    # works by one author sort by title ignoring "The"; the author is not repeated
    lines = [line for line in text.splitlines() if line.startswith(("Trotsky, Leon.", "---."))]
    assert [line.split(". ")[1][:12] for line in lines] == [
        "“Letter to N",
        "My Life: An ",
        "The Revoluti",
        "The Stalin S",
        "“Stalin Seek",
    ]
    style = ModernLanguageAssociation().with_library(records)
    by_key = {r.key: r for r in records}
    cite = style.cite([CitationItem.of(by_key["trotsky1960life"], "12")])
    assert render(cite, "text") == "(Trotsky, My Life 12)"
    assert render(style.cite([CitationItem.of(by_key["deutscher1963prophet"], "45")]), "text") == (
        "(Deutscher 45)"
    )
