"""The demo library: the 18 sources of the article's bibliography, curated by hand as CSL-JSON."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from citekit.formats import csljson
from citekit.model import CreatorRole, Source, SourceType, base_key, validate_source

LIBRARY = Path(__file__).resolve().parents[1] / "references" / "trotsky-last-exile"
SOURCES = LIBRARY / "sources.json"
SCHEMA = Path("/work/shared/checks/schema/csl-data.json")


@pytest.fixture(scope="module")
def text() -> str:
    return SOURCES.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def records(text: str) -> dict[str, Source]:
    result = csljson.parse(text)
    assert result.failures == [] and result.warnings == []
    return {r.key: r for r in result.records if r.key}


def test_eighteen_records_in_three_groups(records: dict[str, Source]) -> None:
    assert len(records) == 18
    assert Counter(r.group for r in records.values()) == {"image": 6, "primary": 7, "secondary": 5}


def test_every_record_validates(records: dict[str, Source]) -> None:
    for record in records.values():
        assert validate_source(record) == record


def test_keys_are_what_citekit_would_generate(records: dict[str, Source]) -> None:
    # No two records share a base key in this library, so no suffixes are needed.
    assert all(base_key(record) == key for key, record in records.items())
    assert "deutscher1963prophet" in records


def test_file_is_in_the_writers_canonical_form(text: str, records: dict[str, Source]) -> None:
    assert csljson.write(list(records.values())) == text


@pytest.mark.skipif(not SCHEMA.exists(), reason="CSL-JSON schema not found in ../shared/checks")
def test_file_meets_the_csl_schema(text: str) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(schema).validate(json.loads(text))


def test_every_record_keeps_the_articles_text(text: str, records: dict[str, Source]) -> None:
    article = (LIBRARY / "article.txt").read_text(encoding="utf-8")
    bibliography = article[article.index("\nImages\n") :]
    for record in records.values():
        assert record.extra["article_text"] in bibliography, record.key


def test_images(records: dict[str, Source]) -> None:
    images = [r for r in records.values() if r.group == "image"]
    assert all(r.type == SourceType.GRAPHIC for r in images)
    assert all(r.container_title == "Wikimedia Commons" for r in images)
    assert all(
        r.url and r.url.startswith("https://commons.wikimedia.org/wiki/File:") for r in images
    )
    assert [r.accessed.edtf() for r in images if r.accessed] == [
        "2024-12-18",
        "2024-12-18",
        "2024-12-19",
        "2024-12-18",
        "2024-12-18",
        "2024-12-18",
    ]
    study = records["tuasonhouse"]
    assert [(c.given, c.family) for c in study.creators] == [("Thayne", "Tuason")]
    # URLs stay exactly as the article prints them, percent-encoding and all.
    assert "%D0%9B.%D0%94._%D0%A2%D1%80" in records["nataliatrotsky"].url  # type: ignore[operator]
    assert records["trotskynatalia"].url.endswith("File:Trotsky_%26_Khalo.jpg")  # type: ignore[union-attr]


def _names(record: Source, role: CreatorRole) -> list[str]:
    return [c.display() for c in record.creators_in(role)]


def test_primary_sources(records: dict[str, Source]) -> None:
    serge = records["serge1975life"]
    assert _names(serge, CreatorRole.AUTHOR) == ["Victor Serge", "Natalia Sedova Trotsky"]
    assert _names(serge, CreatorRole.TRANSLATOR) == ["Arnold J. Pomerans"]
    assert (serge.publisher_place, serge.publisher, serge.year) == (
        "London",
        "Wildwood House",
        1975,
    )

    betrayed = records["trotsky1937revolution"]
    assert _names(betrayed, CreatorRole.TRANSLATOR) == ["Max Eastman"]
    assert betrayed.publisher is None  # the article names none; nothing is invented

    death = records["trotsky1941stalin"]
    assert death.type == SourceType.ARTICLE_MAGAZINE
    assert (death.container_title, death.volume, death.issue) == (
        "The Fourth International",
        "2",
        "7",
    )
    assert death.edition is None
    assert death.issued is not None and death.issued.edtf() == "1941-08"
    assert death.archive == "Leon Trotsky Internet Archive"
    assert _names(death, CreatorRole.TRANSCRIBER) == ["David Walters"]
    assert death.extra["corrections"][0]["article"] == "Vol. 2, No. 7 edition"  # type: ignore[index]

    diary = records["trotsky1958trotsky"]
    assert diary.title == "Trotsky’s Diary in Exile 1935"
    assert _names(diary, CreatorRole.TRANSLATOR) == ["Elena Zarudnaya"]

    dewey = records["dewey1938not"]
    assert _names(dewey, CreatorRole.AUTHOR) == ["John Dewey"]
    assert dewey.extra["et_al"] is True
    assert _names(dewey, CreatorRole.TRANSCRIBER) == ["Martin Fahlgren"]
    assert dewey.publisher == "Harper and Brothers Publishers"


def test_secondary_sources(records: dict[str, Source]) -> None:
    cavendish = records["cavendish2011trotsky"]
    assert cavendish.type == SourceType.ARTICLE_MAGAZINE
    assert cavendish.title == "Trotsky Offered Asylum in Mexico"
    assert (cavendish.container_title, cavendish.volume, cavendish.issue) == (
        "History Today",
        "61",
        "12",
    )
    assert cavendish.issued is not None and cavendish.issued.edtf() == "2011-12"

    patenaude = records["patenaude2010trotsky"]
    assert patenaude.type == SourceType.WEBPAGE
    assert patenaude.container_title == "Hoover Institution"
    assert patenaude.issued is not None and patenaude.issued.edtf() == "2010-04-21"
    assert _names(patenaude, CreatorRole.AUTHOR) == ["Bertrand M. Patenaude"]

    assert records["deutscher1963prophet"].title == "The Prophet Outcast: Trotsky 1929–1940"
    assert records["service2010trotsky"].year == 2010
    volkogonov = records["volkogonov1996trotsky"]
    assert volkogonov.creators[0].family == "Volkogonov"
    assert _names(volkogonov, CreatorRole.TRANSLATOR) == ["Harold Shukman"]


@pytest.mark.parametrize(
    ("key", "field", "article"),
    [
        ("volkogonov1996trotsky", "author[0].family", "Volkognov"),
        ("service2010trotsky", "issued", "2010.."),
        ("trotsky1941stalin", "edition", "Vol. 2, No. 7 edition"),
        ("cavendish2011trotsky", "title", "Trotsky Offered Asylum in Mexico | History Today"),
        ("deutscher1963prophet", "title", "The Prophet Outcast- Trotsky 1929-1940"),
    ],
)
def test_each_correction_keeps_what_the_article_said(
    records: dict[str, Source], key: str, field: str, article: str
) -> None:
    corrections: list[dict[str, Any]] = records[key].extra["corrections"]  # type: ignore[assignment]
    found = {c["field"]: c for c in corrections}
    assert found[field]["article"] == article
    assert article in records[key].extra["article_text"]  # type: ignore[operator]
    assert found[field]["corrected"] and found[field]["reason"]
