"""Source validation: every rule, good and bad records, all problems reported at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from citekit.errors import InvalidRecord
from citekit.model import Creator, Name, Source, SourceType, validate_source


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(InvalidRecord) as info:
        validate_source(data)
    return {e.path: e.msg for e in info.value.errors}


def test_every_csl_type_is_known() -> None:
    assert len(SourceType) == 45
    assert SourceType("article-journal") is SourceType.ARTICLE_JOURNAL
    assert SourceType("personal_communication") is SourceType.PERSONAL_COMMUNICATION


def test_a_good_record_in_either_spelling() -> None:
    csl = validate_source(
        {
            "type": "article-magazine",
            "title": "Trotsky Offered Asylum in Mexico",
            "container-title": "History Today",
            "volume": 61,
            "issue": "12",
            "issued": {"date-parts": [[2011, 12]]},
            "URL": "https://www.historytoday.com/archive/trotsky-offered-asylum-mexico",
            "creators": [{"family": "Cavendish", "given": "Richard"}],
        }
    )
    snake = validate_source(
        {
            "type": "article-magazine",
            "title": "Trotsky Offered Asylum in Mexico",
            "container_title": "History Today",
            "volume": "61",
            "issue": "12",
            "issued": "2011-12",
            "url": "https://www.historytoday.com/archive/trotsky-offered-asylum-mexico",
            "creators": [Creator(family="Cavendish", given="Richard")],
        }
    )
    assert csl == snake
    assert csl.volume == "61" and csl.group == "secondary"


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("10.1093/ahr/rhz123", "10.1093/ahr/rhz123"),
        ("https://doi.org/10.1093/AHR/rhz123", "10.1093/AHR/rhz123"),
        ("http://dx.doi.org/10.1000/182", "10.1000/182"),
        ("doi:10.1000/182", "10.1000/182"),
        ("DOI: 10.1000/182", "10.1000/182"),
    ],
)
def test_doi_is_normalised(value: str, stored: str) -> None:
    assert validate_source({"type": "book", "title": "t", "DOI": value}).doi == stored


@pytest.mark.parametrize(
    "value", ["10.1000", "11.1000/x", "doi 10.1000/ x", "https://example.org/x"]
)
def test_bad_doi(value: str) -> None:
    assert "not a DOI" in errors_of({"type": "book", "title": "t", "DOI": value})["DOI"]


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("978-0-306-40615-7", "9780306406157"),
        ("0-306-40615-2", "0306406152"),
        ("080442957X", "080442957X"),
        ("978-0-306-40615-7 0-306-40615-2", "9780306406157 0306406152"),
    ],
)
def test_isbn_checksums(value: str, stored: str) -> None:
    assert validate_source({"type": "book", "title": "t", "ISBN": value}).isbn == stored


@pytest.mark.parametrize("value", ["978-0-306-40615-8", "0-306-40615-3", "12345", "ISBN"])
def test_bad_isbn(value: str) -> None:
    assert "invalid ISBN" in errors_of({"type": "book", "title": "t", "ISBN": value})["ISBN"]


def test_issn() -> None:
    record = {"type": "article-journal", "title": "t", "container-title": "j"}
    assert validate_source({**record, "ISSN": "03785955"}).issn == "0378-5955"
    assert "invalid ISSN" in errors_of({**record, "ISSN": "0378-5954"})["ISSN"]


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/x", "javascript:alert(1)", "www.example.org", "https://", "http://a b"],
)
def test_bad_urls(url: str) -> None:
    assert "URL" in errors_of({"type": "book", "title": "t", "URL": url})


def test_url_kept_verbatim() -> None:
    url = "https://commons.wikimedia.org/wiki/File:Trotsky_%26_Khalo.jpg"
    assert validate_source({"type": "graphic", "title": "t", "URL": url}).url == url


def test_accessed_not_in_future_and_years_sane() -> None:
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    assert "future" in errors_of({"type": "book", "title": "t", "accessed": tomorrow})["accessed"]
    assert "outside" in errors_of({"type": "book", "title": "t", "issued": "3020"})["issued"]
    assert validate_source({"type": "book", "title": "t", "accessed": "2024-12-18"}).accessed


@pytest.mark.parametrize(
    ("record", "path", "message"),
    [
        ({"type": "book"}, "title", "a book needs title"),
        ({"type": "webpage", "title": "t"}, "url", "a webpage needs URL or container-title"),
        ({"type": "chapter", "title": "t"}, "container_title", "container-title"),
        ({"type": "article-journal", "container-title": "j"}, "title", "title"),
    ],
)
def test_required_fields_per_type(record: dict, path: str, message: str) -> None:
    assert message in errors_of(record)[path]


def test_webpage_with_container_only_is_fine() -> None:
    assert validate_source({"type": "webpage", "title": "t", "container-title": "Hoover"})


def test_all_problems_reported_together() -> None:
    errors = errors_of(
        {
            "type": "book",
            "DOI": "x",
            "ISBN": "1",
            "URL": "ftp://x",
            "issued": "2010-13",
            "creators": [{"family": "A", "literal": "B"}],
            "key": "has space",
        }
    )
    assert {"DOI", "ISBN", "URL", "issued", "creators.0", "key", "title"} <= set(errors)


def test_unknown_type_and_field() -> None:
    errors = errors_of({"type": "scroll", "title": "t", "colour": "red"})
    assert "type" in errors and "colour" in errors


def test_names() -> None:
    name = Name(family="Gaulle", given="Charles", non_dropping_particle="de")
    assert name.display() == "Charles de Gaulle"
    assert name.inverted() == "de Gaulle, Charles"
    king = Name(family="King", given="Martin Luther", suffix="Jr.")
    assert king.inverted() == "King, Martin Luther, Jr."
    assert Name(literal="Wikimedia Commons").display() == "Wikimedia Commons"
    with pytest.raises(ValueError):
        Name()
    with pytest.raises(ValueError):
        Name(family="A", literal="B")


def test_roles_include_transcriber_and_group_defaults() -> None:
    source = Source(
        type="graphic",
        title="Trotsky in 1918",
        creators=[{"family": "Walters", "given": "David", "role": "transcriber"}],
    )
    assert source.group == "image"
    assert source.creators_in("transcriber")[0].family == "Walters"
    assert Source(type="book", title="t", group="Archival Sources").group == "Archival Sources"


def test_extra_keeps_anything_json() -> None:
    extra = {"bibtex.file": ":a.pdf:PDF", "numbers": [1, 2.5], "nested": {"a": None}}
    assert validate_source({"type": "book", "title": "t", "extra": extra}).extra == extra


def test_identifier_fields_have_storage_limits() -> None:
    errors = errors_of({"type": "book", "title": "t", "DOI": "10.1000/" + "x" * 400})
    assert "300" in errors["DOI"]
