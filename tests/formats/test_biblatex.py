"""BibLaTeX writing: Unicode kept, date/urldate, journaltitle, location, entry subtypes."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from citekit.formats import biblatex, bibtex, get_format
from citekit.model import Creator, PartialDate, Source, SourceType

DATA = Path(__file__).parent / "data"


def fields_of(text: str) -> list[tuple[str, dict[str, str]]]:
    """(entry type, raw fields) per entry, as an independent splitter sees them."""
    library = bibtexparser.parse_string(text, parse_stack=[])
    assert not library.failed_blocks
    return [(e.entry_type, {f.key: f.value for f in e.fields}) for e in library.entries]


def test_biblatex_keeps_unicode_and_uses_date_fields() -> None:
    source = Source(
        type="article-journal",
        key="service2010",
        title="Trotsky in Coyoacán: Žižek’s reading",
        creators=[Creator(family="Žižek", given="Slavoj")],
        container_title="Slavic Review",
        publisher_place="Cambridge",
        issued=PartialDate.of(2010, 4, 21),
        accessed=PartialDate.of(2024, 12, 18),
        original_date=PartialDate.of(1929),
        language="english",
    )
    [(kind, fields)] = fields_of(biblatex.write([source]))
    assert kind == "article"
    assert fields["title"] == "{Trotsky in Coyoacán: Žižek’s reading}"
    assert fields["author"] == "{Žižek, Slavoj}"
    assert fields["journaltitle"] == "{Slavic Review}"
    assert fields["location"] == "{Cambridge}"
    assert fields["date"] == "{2010-04-21}"
    assert fields["urldate"] == "{2024-12-18}"
    assert fields["origdate"] == "{1929}"
    assert fields["langid"] == "{english}"
    assert "year" not in fields and "month" not in fields and "journal" not in fields


@pytest.mark.parametrize(
    ("date", "written"),
    [
        (PartialDate.of(1941, 8), "1941-08"),
        (PartialDate.parse("1932/1933"), "1932/1933"),
        (PartialDate.parse("1920~"), "1920~"),
        (PartialDate.parse("1935-21"), "1935-21"),
    ],
)
def test_edtf_dates(date: PartialDate, written: str) -> None:
    source = Source(type="book", key="k", title="T", issued=date)
    [(_, fields)] = fields_of(biblatex.write([source]))
    assert fields["date"] == "{" + written + "}"
    assert bibtex.parse(biblatex.write([source])).records[0].issued == date


@pytest.mark.parametrize(
    ("kind", "entry", "subtype"),
    [
        (SourceType.ARTICLE_MAGAZINE, "article", "{magazine}"),
        (SourceType.ARTICLE_NEWSPAPER, "article", "{newspaper}"),
        (SourceType.ARTICLE_JOURNAL, "article", None),
        (SourceType.WEBPAGE, "online", None),
        (SourceType.GRAPHIC, "artwork", None),
        (SourceType.THESIS, "thesis", None),
        (SourceType.MAP, "misc", "{map}"),
    ],
)
def test_entry_types_and_subtypes(kind: SourceType, entry: str, subtype: str | None) -> None:
    source = Source(type=kind, key="k", title="T", container_title="C", url="https://example.org/x")
    [(written, fields)] = fields_of(biblatex.write([source]))
    assert written == entry
    assert fields.get("entrysubtype") == subtype
    assert bibtex.parse(biblatex.write([source])).records[0].type is kind


def test_webpage_site_name_survives_as_organization() -> None:
    source = Source(
        type="webpage",
        key="k",
        title="Trotsky’s Assassination",
        container_title="History Today",
        url="https://www.historytoday.com/archive/months-past/trotsky%E2%80%99s-assassination",
    )
    [(_, fields)] = fields_of(biblatex.write([source]))
    assert fields["organization"] == "{History Today}"
    assert bibtex.parse(biblatex.write([source])).records[0].container_title == "History Today"


def test_thesis_publisher_is_the_institution() -> None:
    source = Source(type="thesis", key="k", title="T", publisher="University of Glasgow")
    [(_, blx)] = fields_of(biblatex.write([source]))
    [(_, btx)] = fields_of(bibtex.write([source]))
    assert blx["institution"] == "{University of Glasgow}"
    assert btx["school"] == "{University of Glasgow}"


def test_original_entry_type_is_kept_when_the_dialect_has_it() -> None:
    source = bibtex.parse("@mastersthesis{k, title = {T}, school = {S}, year = 1990}").records[0]
    assert source.extra["bibtex"]["@type"] == "mastersthesis"
    assert fields_of(biblatex.write([source]))[0][0] == "mastersthesis"
    assert fields_of(bibtex.write([source]))[0][0] == "mastersthesis"
    online = bibtex.parse("@www{w, title = {T}, url = {https://example.org}}").records[0]
    assert fields_of(bibtex.write([online]))[0][0] == "misc"
    assert fields_of(biblatex.write([online]))[0][0] == "online"


def test_better_bibtex_export_reads_and_writes_back() -> None:
    first = bibtex.parse((DATA / "betterbibtex.bib").read_text())
    assert not first.failures
    by_key = {s.key: s for s in first.records}
    service = by_key["servicePolitics2010"]
    assert [c.family for c in service.creators] == ["Service", "van der Linden", "Žižek"]
    assert service.issued == PartialDate.of(2010, 4, 21)
    assert service.extra["bibtex"]["annotation"].startswith("Read 2024; 50% of the argument")
    life = by_key["trotskyMyLife1930"]
    assert life.issued == PartialDate.parse("1930/1931")
    assert life.original_date == PartialDate.of(1929)
    assert life.collection_number == "12"
    written = biblatex.write(first.records)
    assert "title = {My {Life}: {An Attempt} at an {Autobiography}}" in written
    assert "translator = {{Charles Scribner's Sons}}" in written


def test_registry_knows_biblatex() -> None:
    assert get_format("biblatex").write is biblatex.write
    assert get_format("biblatex").parse is bibtex.parse
