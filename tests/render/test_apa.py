"""APA 7th edition: golden files over every item type and the demo library, manual examples."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from citekit.formats import csljson
from citekit.model import Name, Source, validate_source
from citekit.render import render_bibliography
from citekit.render.backends import render
from citekit.render.styles import CitationItem, get_style
from citekit.render.styles.apa import Apa, author_list, full_range, initials

HERE = Path(__file__).parent
GOLDEN = HERE / "golden" / "apa"
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
    check_golden(
        f"records.{suffix}", render_bibliography(fixture_records(), style="apa", format=fmt)
    )


def test_golden_demo_library_grouped() -> None:
    check_golden("demo-grouped.txt", render_bibliography(demo_records(), style="apa", grouped=True))


def test_golden_citations() -> None:
    records = fixture_records()
    style = Apa().with_library(records)
    lines = [
        render(style.cite([CitationItem.of(r, "45")]), "text")
        for r in sorted(records, key=style.sort_key)
    ]
    check_golden("citations.txt", "\n".join(lines) + "\n")


def entry(data: dict) -> str:
    return render(get_style("apa").bibliography_entry(validate_source(data)), "text")


def test_manual_journal_article_example() -> None:
    # APA 7, 10.1 example 1 (title stored in sentence case, as APA wants it)
    record = {
        "type": "article-journal",
        "title": "Emotions in storybooks: A comparison of storybooks that represent ethnic and "
        "racial groups in the United States",
        "container-title": "Psychology of Popular Media Culture",
        "volume": "8",
        "issue": "3",
        "page": "207-217",
        "issued": "2019",
        "DOI": "10.1037/ppm0000185",
        "creators": [
            {"family": "Grady", "given": "Jessica Stoltzfus"},
            {"family": "Her", "given": "Malina"},
            {"family": "Moreno", "given": "Geena"},
            {"family": "Perez", "given": "Catherine"},
            {"family": "Yelinek", "given": "Jillian"},
        ],
    }
    assert entry(record) == (
        "Grady, J. S., Her, M., Moreno, G., Perez, C., & Yelinek, J. (2019). Emotions in "
        "storybooks: A comparison of storybooks that represent ethnic and racial groups in the "
        "United States. Psychology of Popular Media Culture, 8(3), 207–217. "
        "https://doi.org/10.1037/ppm0000185"
    )
    html = render(get_style("apa").bibliography_entry(validate_source(record)), "html")
    assert "<i>Psychology of Popular Media Culture</i>, <i>8</i>(3)" in html
    cite = get_style("apa").cite([CitationItem.of(validate_source(record), "p. 210")])
    assert render(cite, "text") == "(Grady et al., 2019, p. 210)"


def test_manual_book_example_with_edition() -> None:
    # APA 7, 10.2 example 18
    record = {
        "type": "book",
        "title": "The psychology of prejudice: From attitudes to social action",
        "edition": "2",
        "publisher": "American Psychological Association",
        "issued": "2019",
        "DOI": "10.1037/0000168-000",
        "creators": [{"family": "Jackson", "given": "Lynne M."}],
    }
    assert entry(record) == (
        "Jackson, L. M. (2019). The psychology of prejudice: From attitudes to social action "
        "(2nd ed.). American Psychological Association. https://doi.org/10.1037/0000168-000"
    )


def test_names_initials_and_long_author_lists() -> None:
    assert initials("Shao-Hsun") == "S.-H."
    assert initials("J.R.R.") == "J. R. R."
    many = [Name(family=f"Author{i:02d}", given="Ann") for i in range(1, 23)]
    text = author_list(many)
    # 21 or more authors: the first 19, an ellipsis, then the last (APA 9.8)
    assert text.startswith("Author01, A., Author02, A.,")
    assert "Author19, A., . . . Author22, A." in text and "Author20" not in text


def test_page_ranges_in_full() -> None:
    assert full_range("201–9") == "201–209"
    assert full_range("1-34, 101-8") == "1–34, 101–108"


def test_year_suffixes_and_same_author_collapse() -> None:
    records = fixture_records()
    style = Apa().with_library(records)
    by_key = {r.key: r for r in records}
    cited = style.cite(
        [CitationItem.of(by_key["trotsky1937stalin"]), CitationItem.of(by_key["trotsky1960life"])]
    )
    assert render(cited, "text") == "(Trotsky, 1937c, 1960)"
    text = render_bibliography(records, style="apa")
    assert "Trotsky, L. (1937b). The Revolution Betrayed (M. Eastman, Trans.)." in text


def test_no_author_cites_title_and_undated_gets_retrieval_date() -> None:
    records = fixture_records()
    by_key = {r.key: r for r in records}
    style = Apa().with_library(records)
    cite = style.cite([CitationItem.of(by_key["nyt1940trotsky"])])
    assert render(cite, "text") == "(“Trotsky Dies of Wounds,” 1940)"
    text = render(style.bibliography_entry(by_key["trotsky1918portrait"]), "text")
    assert text == (
        "Trotsky in 1918 [Image]. (n.d.). In Wikimedia Commons. Retrieved December 19, 2024, "
        "from https://commons.wikimedia.org/wiki/File:Trotsky_Portrait.jpg"
    )


def test_titles_are_never_lowercased() -> None:
    text = entry({"type": "book", "title": "Trotsky in Mexico: The USSR and Its Exiles"})
    assert text.startswith("Trotsky in Mexico: The USSR and Its Exiles. (n.d.).")
