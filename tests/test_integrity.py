"""Integrity checks: each defect of the article's bibliography, reported with field and fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from citekit import services
from citekit.cli import app
from citekit.config import get_settings
from citekit.errors import NotFound, UnsupportedFormat
from citekit.formats import plaintext
from citekit.formats.base import Failure, ParseResult
from citekit.integrity import (
    Finding,
    Severity,
    Summary,
    article_body,
    check_bibliography_text,
    check_entry_text,
    check_mapping,
    check_names_against_text,
    check_order,
    check_parse_result,
    check_source,
    check_sources,
    check_text,
    sort_key,
)
from citekit.model import Source, validate_source
from citekit.storage import make_engine, session_scope
from citekit.storage.tables import ArticleRow

ARTICLE = (
    Path(__file__).resolve().parent.parent / "references" / "trotsky-last-exile" / "article.txt"
)


def src(**fields: Any) -> Source:
    fields.setdefault("type", "book")
    return validate_source(fields)


def book(family: str, title: str, **fields: Any) -> Source:
    """A complete Chicago book record: no findings of its own."""
    base: dict[str, Any] = {
        "title": title,
        "creators": [{"family": family, "given": "A."}],
        "publisher": "Press",
        "publisher-place": "London",
        "issued": "1960",
    }
    base.update(fields)
    return src(**base)


def checks(findings: list[Finding]) -> list[str]:
    return [f.check for f in findings]


def only(findings: list[Finding], check: str) -> Finding:
    found = [f for f in findings if f.check == check]
    assert len(found) == 1, findings
    return found[0]


# -- the article's defects, as hand-built records carry them ----------------------------------


def test_complete_book_has_no_findings() -> None:
    assert check_source(book("Trotsky", "My Life", key="trotsky1960my")) == []


def test_hyphen_for_colon_and_year_range_in_title() -> None:
    record = book("Deutscher", "The Prophet Outcast- Trotsky 1929-1940", key="deutscher1963")
    findings = check_source(record)
    colon = only(findings, "hyphen-for-colon")
    assert colon.field == "title" and colon.key == "deutscher1963"
    assert colon.severity is Severity.WARNING
    assert colon.fix == {"title": "The Prophet Outcast: Trotsky 1929-1940"}
    dash = only(findings, "hyphen-in-range")
    # Fixes on one field accumulate: the last one is the title with every fix applied.
    assert dash.fix == {"title": "The Prophet Outcast: Trotsky 1929–1940"}


def test_hyphen_for_colon_in_an_image_title() -> None:
    record = src(
        type="graphic",
        title="House of Leon Trotsky Museum- Trotsky’s study where he was assassinated",
        URL="https://commons.wikimedia.org/wiki/File:Museo.jpg",
    )
    fix = only(check_source(record), "hyphen-for-colon").fix
    assert fix == {
        "title": "House of Leon Trotsky Museum: Trotsky’s study where he was assassinated"
    }


@pytest.mark.parametrize(
    "title",
    [
        "Trotsky-Zinoviev Letters",
        "Pre- and Post-War Europe",
        "Stalin - A Life",  # a spaced hyphen after a space is a dash, not a glued colon
        "Trotsky 1929–1940",
    ],
)
def test_hyphens_that_are_fine(title: str) -> None:
    assert "hyphen-for-colon" not in checks(check_text("title", title))


def test_site_name_left_in_a_title() -> None:
    record = src(
        type="article-magazine",
        key="cavendish2011",
        title="Trotsky Offered Asylum in Mexico | History Today",
        **{"container-title": "History Today"},
        volume="61",
        issue="12",
        issued="2011-12",
        URL="https://www.historytoday.com/archive/trotsky-offered-asylum-mexico",
    )
    finding = only(check_source(record), "site-name-in-title")
    assert finding.severity is Severity.WARNING
    assert finding.fix == {"title": "Trotsky Offered Asylum in Mexico"}
    assert "History Today" in finding.message


def test_site_name_known_from_the_url_host_with_a_dash() -> None:
    record = src(
        type="webpage",
        title="Trotsky in Exile – Hoover Institution",
        URL="https://www.hoover.org/research/trotsky-exile",
        accessed="2024-12-18",
    )
    assert only(check_source(record), "site-name-in-title").fix == {"title": "Trotsky in Exile"}


def test_a_dash_before_an_unknown_subtitle_is_no_site_name() -> None:
    record = src(type="webpage", title="Exile – The Last Years", URL="https://example.org/x")
    assert "site-name-in-title" not in checks(check_source(record))


def test_volume_and_issue_stored_as_edition() -> None:
    record = src(
        type="article-magazine",
        title="Stalin Seeks My Death",
        **{"container-title": "The Fourth International"},
        issued="1941-08",
        edition="Vol. 2, No. 7 edition",
    )
    finding = only(check_source(record), "issue-as-edition")
    assert finding.field == "edition"
    assert finding.fix == {"edition": None, "volume": "2", "issue": "7"}
    # The fix is a patch that makes a valid record without the finding.
    patched = validate_source({**record.model_dump(by_alias=True), **finding.fix})
    assert (patched.volume, patched.issue, patched.edition) == ("2", "7", None)
    assert "issue-as-edition" not in checks(check_source(patched))


def test_an_ordinal_edition_is_reduced_to_its_number() -> None:
    finding = only(check_source(book("Trotsky", "My Life", edition="2nd ed.")), "edition-format")
    assert finding.severity is Severity.INFO and finding.fix == {"edition": "2"}


def test_doubled_space_and_punctuation_in_fields() -> None:
    record = book("Service", "Trotsky: A Biography", publisher="Pan  Macmillan,,")
    findings = [f for f in check_source(record) if f.field == "publisher"]
    assert checks(findings) == ["doubled-space", "doubled-punctuation"]
    assert findings[-1].fix == {"publisher": "Pan Macmillan,"}


@pytest.mark.parametrize("text", ["Trotsky...", "Jr., and", "et al., eds", "Vol. 2, No. 7"])
def test_punctuation_that_is_fine(text: str) -> None:
    assert check_text("container-title", text) == []


def test_doubled_space_in_a_name() -> None:
    record = book(
        "Patenaude", "Trotsky", creators=[{"family": "Patenaude", "given": "Bertrand  M."}]
    )
    finding = only(check_source(record), "name-typography")
    assert finding.field == "creators.0.given"
    assert finding.fix == {
        "creators": [{"family": "Patenaude", "given": "Bertrand M.", "role": "author"}]
    }


def test_fields_chicago_needs() -> None:
    sedov = src(
        title="The Red Book",
        creators=[{"family": "Sedov", "given": "Leon"}],
        publisher="New Park Publications",
        issued="1980",
    )
    assert [f.field for f in check_source(sedov) if f.check == "style-needs"] == ["publisher-place"]
    betrayed = src(title="The Revolution Betrayed", creators=[{"family": "Trotsky"}], issued="1937")
    fields = [f.field for f in check_source(betrayed) if f.check == "style-needs"]
    assert fields == ["publisher", "publisher-place"]
    page = src(
        type="webpage",
        title="Trotsky in Exile",
        **{"container-title": "Hoover Institution"},
        issued="2010-04-21",
        URL="https://www.hoover.org/research/trotsky-exile",
    )
    finding = only(check_source(page), "style-needs")
    assert finding.field == "accessed" and finding.severity is Severity.WARNING
    journal = src(type="article-journal", title="X", **{"container-title": "J"}, issued="2000")
    assert "volume or issue" in only(check_source(journal), "style-needs").message


def test_impossible_dates() -> None:
    early = src(
        type="webpage",
        title="Page",
        URL="https://example.org/",
        issued="2010",
        accessed="1985-01-01",
    )
    messages = [f.message for f in check_source(early) if f.check == "date-impossible"]
    assert len(messages) == 2
    assert any("before the web" in m for m in messages)
    assert any("before the source was issued" in m for m in messages)
    same_month = src(
        type="webpage",
        title="P",
        URL="https://example.org/",
        issued="2010-04",
        accessed="2010-04-01",
    )
    assert "date-impossible" not in checks(check_source(same_month))
    reprint = book("Trotsky", "My Life", issued="1930", **{"original-date": "1960"})
    assert only(check_source(reprint), "date-impossible").field == "original-date"


def test_url_with_the_sentence_period() -> None:
    record = book("Sedov", "The Red Book", URL="https://www.marxists.org/red/index.htm.")
    finding = only(check_source(record), "url-trailing-punctuation")
    assert finding.fix == {"URL": "https://www.marxists.org/red/index.htm"}


def test_doi_hiding_in_the_url() -> None:
    record = book("X", "Y", URL="https://doi.org/10.1000/xyz123")
    assert only(check_source(record), "doi-in-url").fix == {"DOI": "10.1000/xyz123"}


# -- raw mappings: what does not validate is still reported ---------------------------------------


def test_raw_mapping_with_bad_identifiers_and_dates() -> None:
    raw = {
        "type": "book",
        "key": "bad1",
        "title": "The Prophet Outcast- Trotsky",
        "ISBN": "0-306-40615-3",
        "ISSN": "0378-5954",
        "DOI": "11.1000/xyz",
        "URL": "ftp://example.org/x",
        "issued": "1963-02-30",
    }
    findings = check_mapping(raw, line=12)
    errors = {f.field: f for f in findings if f.severity is Severity.ERROR}
    assert set(errors) == {"ISBN", "ISSN", "DOI", "URL", "issued"}
    assert all(f.key == "bad1" and f.line == 12 for f in findings)
    assert "check digit would be 2" in errors["ISBN"].message
    assert "day 30" in errors["issued"].message
    # The text checks still run on the fields that are there.
    assert "hyphen-for-colon" in checks(findings)


def test_raw_mapping_that_validates_gets_the_record_checks() -> None:
    findings = check_mapping({"type": "book", "title": "X", "ISBN": "978-0-306-40615-7"}, index=3)
    assert {f.field for f in findings} == {"publisher", "publisher-place", "issued"}
    assert all(f.index == 3 for f in findings)


def test_isbn_13_hint() -> None:
    (finding,) = check_mapping(
        {
            "type": "book",
            "title": "X",
            "ISBN": "9780306406151",
            "publisher": "P",
            "publisher-place": "L",
            "issued": "1963",
        }
    )
    assert finding.field == "ISBN" and "check digit would be 7" in finding.message


# -- raw entry text ---------------------------------------------------------------------------


def test_entry_text_defects() -> None:
    line = "Service, Robert. Trotsky: A Biography. London: Pan Macmillan, 2010.. Volkognov, Dmitri."
    (finding,) = check_entry_text(line, line=99)
    assert finding.check == "doubled-punctuation" and finding.line == 99
    assert "2010.." in finding.message
    (space,) = check_entry_text("Cavendish. ‘T’. History Today  61, no. 12 (December 2011).")
    assert space.check == "doubled-space" and "Today  61" in space.message
    (edition,) = check_entry_text("The Fourth International, August 1941, Vol. 2, No. 7 edition.")
    assert edition.check == "issue-as-edition" and "Vol. 2, No. 7 edition" in edition.message


def test_entry_text_leaves_urls_alone() -> None:
    text = "Page. https://example.org/a...b--c.htm [Accessed 18 Dec 2024]."
    assert check_entry_text(text) == []
    spaced = "Image, via Wikimedia Commons, https://commons.wikimedia.org/x.jpg   [Accessed 2024]."
    assert checks(check_entry_text(spaced)) == ["doubled-space"]


# -- across records ---------------------------------------------------------------------------


def test_entries_out_of_order_within_a_group() -> None:
    primary = [
        book("Sedov", "The Red Book", group="primary", key="sedov"),
        book("Serge", "The Life and Death of Leon Trotsky", group="primary", key="serge"),
        book("Trotsky", "The Revolution Betrayed", group="primary", key="betrayed"),
        book("Trotsky", "Stalin Seeks My Death", group="primary", key="stalin"),
        book("Trotsky", "Trotsky’s Diary in Exile 1935", group="primary", key="diary"),
        book("Trotsky", "My Life", group="primary", key="mylife"),
        book("Dewey", "Not Guilty", group="primary", key="dewey"),
        book("Cavendish", "Trotsky Offered Asylum", group="secondary", key="cavendish"),
        src(type="graphic", title="Trotsky in 1918", URL="https://x.org/a.jpg"),
        src(type="graphic", title="Lenin Speech in 1920", URL="https://x.org/b.jpg"),
    ]
    findings = check_order(primary)
    assert [(f.key, f.index) for f in findings] == [("mylife", 5), ("dewey", 6)]
    assert "'betrayed'" in findings[0].message and "'sedov'" in findings[1].message
    # Images follow the order of the figures; checking them is a choice.
    images = check_order(primary, unordered_groups=())
    assert len(images) == 3 and images[-1].index == 9


def test_sort_key_ignores_leading_articles_quotes_and_accents() -> None:
    assert sort_key(book("Trotsky", "The Revolution Betrayed")) < sort_key(
        book("Trotsky", "‘Stalin Seeks My Death’")
    )
    assert sort_key(book("Émile", "X"))[0] == "emile"


def test_name_spelt_differently_in_the_article() -> None:
    text = "Biographer of Trotsky, Dmitri Volkogonov, argued... Natalia Sedova and Leon Sedov."
    library = [
        book("Volkognov", "Trotsky: The Eternal Revolutionary", key="volkogonov1996"),
        book("Sedov", "The Red Book", key="sedov"),
        book("Trotsky", "My Life"),
    ]
    (finding,) = check_names_against_text(library, text)
    assert finding.key == "volkogonov1996" and finding.field == "creators.0.family"
    assert "'Volkogonov'" in finding.message
    assert finding.fix == {"creators": [{"family": "Volkogonov", "given": "A.", "role": "author"}]}


def test_check_sources_on_the_article_text() -> None:
    library = [
        book("Service", "Trotsky: A Biography", group="secondary"),
        book("Volkognov", "Trotsky: The Eternal Revolutionary", group="secondary"),
    ]
    findings = check_sources(library, article_text=ARTICLE.read_text(encoding="utf-8"))
    assert checks(findings) == ["name-spelling"]
    assert findings[0].index == 1 and str(findings[0]).startswith("warning: entry 2 creators.0")


def test_findings_serialise_and_summarise() -> None:
    findings = check_source(book("Trotsky", "My Life", publisher=None, key="k"))
    assert Summary.of(findings).counts[Severity.WARNING] == 1
    assert str(Summary.of(findings)) == "0 errors, 1 warning, 0 infos"
    data = findings[0].as_dict()
    assert data["severity"] == "warning" and data["key"] == "k" and data["field"] == "publisher"


# -- stored records (SQLite and PostgreSQL) ------------------------------------------------------


def test_check_the_demo_library(session: Session) -> None:
    services.load_demo_library(session)
    findings = services.check_library(session)
    found = {(f.key, f.check, f.field) for f in findings}
    # The curated records fix the typing defects but keep what the article's list lacks.
    assert found == {
        ("sedov1980red", "style-needs", "publisher-place"),
        ("trotsky1937revolution", "style-needs", "publisher"),
        ("trotsky1937revolution", "style-needs", "publisher-place"),
        ("patenaude2010trotsky", "style-needs", "accessed"),
        ("trotsky1960my", "entry-order", None),
        ("dewey1938not", "entry-order", None),
    }
    assert all(f.record_id for f in findings)


def test_check_names_against_stored_articles(session: Session) -> None:
    services.add_source(session, data=book("Service", "Trotsky: A Biography", key="service"))
    services.add_source(session, data=book("Volkognov", "Trotsky", key="volk"))
    session.add(
        ArticleRow.model_validate(
            {"id": "ART1", "title": "T", "text": ARTICLE.read_text("utf-8"), "text_hash": "x"}
        )
    )
    session.flush()
    (finding,) = services.check_library(session)
    assert (finding.key, finding.check) == ("volk", "name-spelling")
    (alone,) = services.check_source(session, ref="volk")
    assert (alone.key, alone.check, alone.fix) == (finding.key, finding.check, finding.fix)
    assert services.check_source(session, ref="service") == []
    with pytest.raises(NotFound):
        services.check_library(session, article="NOPE")


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A SQLite library of its own for the ``citekit`` command."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("CITEKIT_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_cli_check_library(cli_db: str) -> None:
    engine = make_engine(cli_db)
    with session_scope(engine) as session:
        services.load_demo_library(session)
    engine.dispose()
    runner = CliRunner()
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output  # warnings only
    assert "dewey1938not" in result.output and "6 warnings" in result.output
    assert runner.invoke(app, ["check", "--strict"]).exit_code == 1
    as_json = runner.invoke(app, ["check", "--json"])
    findings = json.loads(as_json.stdout)
    assert len(findings) == 6 and {f["severity"] for f in findings} == {"warning"}
    with_article = runner.invoke(app, ["check", "--json", "--article", str(ARTICLE)])
    assert len(json.loads(with_article.stdout)) == 6  # the curated names match the article


def test_cli_check_file_reports_bad_entries_without_importing(cli_db: str, tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(
        json.dumps(
            [
                {
                    "type": "book",
                    "title": "Fine",
                    "publisher": "P",
                    "publisher-place": "L",
                    "issued": {"date-parts": [[1999]]},
                },
                {"type": "book", "title": "Bad", "ISBN": "0-306-40615-3"},
            ]
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["check", str(path), "--json"])
    assert result.exit_code == 1
    errors = [f for f in json.loads(result.stdout) if f["severity"] == "error"]
    assert len(errors) == 1 and "ISBN" in errors[0]["message"]
    assert CliRunner().invoke(app, ["check", str(tmp_path / "missing.json")]).exit_code == 1


def test_only_the_article_body_counts_for_names() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    assert "Volkognov" in text and "Volkognov" not in article_body(text)
    right = book("Volkogonov", "Trotsky: The Eternal Revolutionary")
    assert check_names_against_text([right], text) == []


def test_the_article_bibliography_text_line_by_line() -> None:
    text = ARTICLE.read_text(encoding="utf-8")
    start = len(article_body(text).splitlines())
    findings = [f for f in check_bibliography_text(text) if f.line and f.line > start]
    lines = {f.line: f for f in findings}
    by_check = sorted((f.check, text.splitlines()[f.line - 1][:12]) for f in findings)
    assert by_check == [
        ("doubled-punctuation", "Service, Rob"),  # 2010..
        ("doubled-space", "Cavendish, R"),  # History Today  61
        ("doubled-space", "House of Leo"),  # the gap after the URL
        ("issue-as-edition", "Trotsky, Leo"),  # Vol. 2, No. 7 edition
    ]
    assert len(lines) == 4


def test_check_parse_result() -> None:
    result = ParseResult(
        records=[book("Deutscher", "The Prophet Outcast- Trotsky", key="deutscher")],
        failures=[Failure(line=7, raw="@book{x, title={", reason="unbalanced braces", key="x")],
        uncertain={0: ["publisher-place"]},
    )
    findings = check_parse_result(result, text="Deutscher, Isaac.  The Prophet.\n")
    assert [(f.check, f.severity, f.line, f.key) for f in findings] == [
        ("doubled-space", Severity.WARNING, 1, None),  # lines of the file first, in order
        ("unreadable", Severity.ERROR, 7, "x"),
        ("hyphen-for-colon", Severity.WARNING, None, "deutscher"),  # then records, worst first
        ("uncertain", Severity.INFO, None, "deutscher"),
    ]


# -- end to end: the article's bibliography through the plain-text reader ---------------------

# Every defect of the article's bibliography: (check, a fragment of the record's title or of the
# line as typed). Together they are the list of issue 3.
ARTICLE_DEFECTS = [
    ("hyphen-for-colon", "The Prophet Outcast"),
    ("hyphen-in-range", "The Prophet Outcast"),
    ("hyphen-for-colon", "House of Leon Trotsky Museum"),
    ("site-name-in-title", "Trotsky Offered Asylum"),
    ("issue-as-edition", "Stalin Seeks My Death"),
    ("doubled-space", "History Today"),
    ("doubled-space", "House of Leon Trotsky Museum"),
    ("doubled-punctuation", "Pan Macmillan, 2010.."),
    ("name-spelling", "The Eternal Revolutionary"),
    ("entry-order", "Not Guilty"),
    ("entry-order", "My Life"),
    ("style-needs", "The Red Book"),
    ("style-needs", "The Revolution Betrayed"),
    ("style-needs", "Trotsky in Exile"),
]
# What a freshly read record cannot show: the reader tidies spaces and splits "2010.. Volkognov".
RAW_TEXT_ONLY = {
    ("doubled-space", "History Today"),
    ("doubled-space", "House of Leon Trotsky Museum"),
    ("doubled-punctuation", "Pan Macmillan, 2010.."),
}


def _bibliography() -> tuple[str, str]:
    """The article's text and its bibliography part (from the heading on)."""
    text = ARTICLE.read_text(encoding="utf-8")
    return text, text[len(article_body(text)) :]


def _subjects(findings: list[Finding], titles: list[str], lines: list[str]) -> set[tuple[str, str]]:
    """(check, fragment) for each expected defect some finding reports."""
    found = set()
    for f in findings:
        subject = titles[f.index] if f.index is not None else ""
        subject += lines[f.line - 1] if f.line is not None and f.index is None else ""
        for check, fragment in ARTICLE_DEFECTS:
            if f.check == check and fragment in subject:
                found.add((check, fragment))
    return found


def test_checking_the_article_bibliography_file_reports_every_defect() -> None:
    article, bibliography = _bibliography()
    findings = services.check_file(
        data=bibliography.encode("utf-8"), filename="bibliography.txt", article_text=article
    )
    titles = [s.title or "" for s in plaintext.parse(bibliography).records]
    assert len(titles) == 18
    assert _subjects(findings, titles, bibliography.splitlines()) == set(ARTICLE_DEFECTS)
    # Nothing else is reported: no errors, and no check fires that the list does not name.
    assert not [f for f in findings if f.severity is Severity.ERROR]
    expected_checks = {check for check, _ in ARTICLE_DEFECTS} | {"uncertain"}
    assert {f.check for f in findings} <= expected_checks


def test_checking_the_imported_bibliography(session: Session) -> None:
    article, bibliography = _bibliography()
    result = plaintext.parse(bibliography)
    stored = services.add_sources(session, records=result.records)
    assert len(stored) == 18
    findings = services.check_library(session, article_text=article)
    titles = [s.title or "" for s in stored]
    found = _subjects(findings, titles, [])
    # The reader keeps each entry's text in extra.article_text, but with its spaces tidied and
    # "2010.." cut where it splits the line, so those three show only when checking the file.
    assert found >= set(ARTICLE_DEFECTS) - RAW_TEXT_ONLY


@pytest.mark.parametrize(
    ("style", "fields"),
    [
        ("chicago", ["publisher-place"]),
        ("chicago-notes-bibliography", ["publisher-place"]),
        ("chicago-author-date-17th-edition", ["publisher-place"]),
        ("apa", []),  # APA gives no place of publication
        ("modern-language-association", []),
    ],
)
def test_style_needs_per_style(style: str, fields: list[str]) -> None:
    record = book("Sedov", "The Red Book", **{"publisher-place": None})
    assert [f.field for f in check_source(record, style=style)] == fields


def test_apa_needs_a_page_range_or_article_number() -> None:
    article = src(
        type="article-journal", title="X", **{"container-title": "J"}, volume="3", issued="2000"
    )
    (finding,) = check_source(article, style="apa")
    assert finding.field == "page" and "APA needs page or number" in finding.message
    assert check_source(article.model_copy(update={"number": "e12"}), style="apa") == []


def test_unknown_style_is_a_clear_error(cli_db: str) -> None:
    with pytest.raises(UnsupportedFormat, match="no integrity rules for style 'harvard'"):
        check_source(book("Sedov", "The Red Book"), style="harvard")
    result = CliRunner().invoke(app, ["check", "--style", "harvard"])
    assert result.exit_code == 1 and "no integrity rules" in result.output


@pytest.mark.parametrize(
    ("field", "text", "check", "fix"),
    [
        ("title", "Fish &amp; Chips &#8211; a history", "html-entity", "Fish & Chips – a history"),
        ("publisher", "Harper &amp; Brothers", "html-entity", "Harper & Brothers"),
        ("title", "Caf{\\'e} M\\\"uller", "latex-markup", None),
        ("title", "The {NATO} Years", "latex-markup", None),
        ("page", "pp. 726-769", "page-label", "726-769"),
        ("page", "p. 45", "page-label", "45"),
    ],
)
def test_markup_and_labels_left_in_fields(
    field: str, text: str, check: str, fix: str | None
) -> None:
    (finding,) = check_text(field, text)
    assert finding.check == check
    assert finding.fix == ({field: fix} if fix is not None else None)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("title", "Fish & Chips"),
        ("page", "726–69"),
        ("title", "Pages from a Diary"),
        ("page", "xii"),
    ],
)
def test_text_without_markup(field: str, text: str) -> None:
    assert check_text(field, text) == []


def test_a_file_check_reports_each_line_defect_once() -> None:
    _, bibliography = _bibliography()
    findings = services.check_file(data=bibliography.encode("utf-8"), filename="refs.txt")
    editions = [f for f in findings if f.check == "issue-as-edition"]
    assert len(editions) == 1 and editions[0].line is not None
    # Without the file's lines, the record's own copy of its entry text is checked instead.
    records = plaintext.parse(bibliography).records
    from_records = [f for f in check_sources(records) if f.check == "issue-as-edition"]
    assert len(from_records) == 1 and from_records[0].index == 9


def test_single_author_works_come_before_co_authored_ones() -> None:
    alone = book("Serge", "Memoirs of a Revolutionary")
    together = book(
        "Serge",
        "The Life and Death of Leon Trotsky",
        creators=[{"family": "Serge", "given": "A."}, {"family": "Trotsky", "given": "Natalia"}],
    )
    assert sort_key(alone) < sort_key(together)
    assert check_order([together, alone])[0].index == 1
    # Translators do not head the entry: they do not make a work co-authored.
    translated = book(
        "Serge",
        "Year One",
        creators=[{"family": "Serge", "given": "A."}, {"family": "X", "role": "translator"}],
    )
    assert sort_key(translated) < sort_key(together)


def test_one_entry_filed_too_early_is_the_only_one_reported() -> None:
    names = ["Zinoviev", "Bukharin", "Dewey", "Kamenev", "Radek", "Sedov", "Serge", "Trotsky"]
    listed = [book(n, "A Title", key=n.lower(), group="secondary") for n in names]
    (finding,) = check_order(listed)
    assert finding.key == "zinoviev" and "belongs after 'trotsky'" in finding.message


def test_a_group_in_no_order_gets_one_note() -> None:
    names = ["Serge", "Dewey", "Trotsky", "Bukharin", "Sedov", "Kamenev", "Zinoviev", "Radek"]
    (finding,) = check_order([book(n, "T", group="secondary") for n in names])
    assert finding.severity is Severity.INFO and finding.index is None
    assert "'secondary' is not in alphabetical order" in finding.message
