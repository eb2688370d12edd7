"""Citation suggestions: reasons on a small library, and the demo article's curated links."""

from pathlib import Path

import pytest

from citekit.claims.anchor import claims_from_spans
from citekit.claims.article import claim_spans, parse_article
from citekit.claims.links import parse_links, resolve_links
from citekit.claims.suggest import ReasonKind, Suggester, suggest
from citekit.formats import csljson
from citekit.model import ClaimKind, Source

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile"


def _book(key: str, title: str, family: str, given: str, year: int, **more) -> Source:
    return Source.model_validate(
        {
            "key": key,
            "type": "book",
            "title": title,
            "creators": [{"family": family, "given": given}],
            "issued": str(year),
            **more,
        }
    )


@pytest.fixture(scope="module")
def library() -> list[Source]:
    return [
        _book("volk", "Trotsky: The Eternal Revolutionary", "Volkognov", "Dmitri", 1996),
        _book("revbet", "The Revolution Betrayed", "Trotsky", "Leon", 1937),
        _book("diary", "Trotsky’s Diary in Exile 1935", "Trotsky", "Leon", 1958),
        _book("serge", "The Life and Death of Leon Trotsky", "Serge", "Victor", 1975),
        _book("red", "The Red Book: On the Moscow Trials", "Sedov", "Leon", 1980),
        _book("outcast", "The Prophet Outcast: Trotsky 1929–1940", "Deutscher", "Isaac", 1963),
        Source.model_validate(
            {
                "key": "cav",
                "type": "article-magazine",
                "title": "Trotsky Offered Asylum in Mexico",
                "container_title": "History Today",
                "creators": [{"family": "Cavendish", "given": "Richard"}],
            }
        ),
        Source.model_validate({"key": "img1918", "type": "graphic", "title": "Trotsky in 1918"}),
        Source.model_validate(
            {"key": "imgspeech", "type": "graphic", "title": "Lenin Speech in 1920"}
        ),
    ]


def _top(suggester: Suggester, text: str, **kw) -> list[str]:
    return [s.source.key for s in suggester.suggest(text, **kw)]


def test_misspelt_author_found_by_name(library: list[Source]) -> None:
    results = Suggester(library).suggest("Biographer Dmitri Volkogonov argues that he was second.")
    assert results[0].source.key == "volk"
    (reason,) = [r for r in results[0].reasons if r.kind is ReasonKind.CREATOR]
    assert "Volkognov" in reason.detail and "volkogonov" in reason.detail


def test_short_name_is_not_matched_loosely(library: list[Source]) -> None:
    results = Suggester(library).suggest("Sergei was accused of poisoning workers.")
    assert all(r.kind is not ReasonKind.CREATOR for s in results for r in s.reasons)


def test_title_mentioned(library: list[Source]) -> None:
    results = Suggester(library).suggest("He managed to write The Revolution Betrayed in Norway.")
    assert results[0].source.key == "revbet"
    assert ReasonKind.TITLE in {r.kind for r in results[0].reasons}


def test_subject_name_alone_suggests_nothing_strong(library: list[Source]) -> None:
    # "Trotsky" is in most titles: the library's subject, not a pointer to his own works.
    results = Suggester(library).suggest("Trotsky went fishing with the locals.")
    assert all(r.kind is not ReasonKind.CREATOR for s in results for r in s.reasons)


def test_event_and_place(library: list[Source]) -> None:
    suggester = Suggester(library)
    assert _top(suggester, "The Moscow Trials began in 1936.")[0] == "red"
    assert _top(suggester, "He was granted asylum in Mexico.")[0] == "cav"


def test_year_in_a_title(library: list[Source]) -> None:
    results = Suggester(library).suggest("In 1935 he sought refuge in Norway.")
    assert results[0].source.key == "diary"
    assert any(r.kind is ReasonKind.DATE for r in results[0].reasons)


def test_section_period_counts(library: list[Source]) -> None:
    suggester = Suggester(library)
    without = _top(suggester, "He fished with the locals on Prinkipo.")
    with_section = _top(
        suggester, "He fished with the locals on Prinkipo.", section="Turkey, 1929-33"
    )
    assert "outcast" not in without and with_section[0] == "outcast"


def test_caption_prefers_images(library: list[Source]) -> None:
    suggester = Suggester(library)
    text = "Trotsky stands nearby as Lenin speaks, 1920."
    assert _top(suggester, text, kind=ClaimKind.CAPTION)[0] == "imgspeech"
    assert _top(suggester, "Trotsky in 1918.", kind=ClaimKind.CAPTION)[0] == "img1918"


def test_empty_library_and_no_reason() -> None:
    assert Suggester([]).suggest("Anything at all.") == []


def test_demo_links_inferable_in_top_three() -> None:
    parsed = parse_article((DEMO / "article.txt").read_text(encoding="utf-8"))
    claims = [
        c.model_copy(update={"id": str(i)})
        for i, c in enumerate(claims_from_spans("demo", parsed.text, claim_spans(parsed)))
    ]
    sources = csljson.parse((DEMO / "sources.json").read_text(encoding="utf-8")).records
    specs, problems = parse_links((DEMO / "links.json").read_text(encoding="utf-8"))
    links, unresolved = resolve_links(specs, claims, {s.key: s.key for s in sources if s.key})
    assert problems == [] and unresolved == []
    inferable = [link for link in links if link.spec.basis in {"caption", "named", "event"}]
    assert len(inferable) >= 14
    misses = [
        (link.claim.text[:50], link.spec.source)
        for link in inferable
        if link.spec.source not in [s.source.key for s in suggest(link.claim, sources, limit=3)]
    ]
    assert len(misses) <= len(inferable) // 10, misses


def test_possessive_accented_and_compound_names() -> None:
    library = [
        _book("deut", "The Prophet Outcast", "Deutscher", "Isaac", 1963),
        _book("mercader", "Memoirs", "Mercader", "Ramón", 1990),
        Source.model_validate(
            {
                "key": "gaulle",
                "type": "book",
                "title": "War Memoirs",
                "creators": [{"family": "Gaulle", "non_dropping_particle": "de", "given": "C."}],
            }
        ),
    ]
    suggester = Suggester(library)
    assert _top(suggester, "As Deutscher's biography shows, he was isolated.")[0] == "deut"
    assert _top(suggester, "RAMÓN MERCADER later wrote about it.")[0] == "mercader"
    assert _top(suggester, "As de Gaulle recalled, the war was long.")[0] == "gaulle"
    assert "gaulle" not in _top(suggester, "Gaulle is an old name for France.")


def test_subtitle_mentioned() -> None:
    library = [_book("volk", "Trotsky: The Eternal Revolutionary", "Volkogonov", "D.", 1996)]
    (top,) = Suggester(library).suggest("In The Eternal Revolutionary the author disagrees.")
    assert top.source.key == "volk" and top.reasons[0].kind is ReasonKind.TITLE


def test_document_of_the_claims_year() -> None:
    letter = Source.model_validate(
        {
            "key": "letter",
            "type": "personal_communication",
            "title": "Letter to Natalia",
            "issued": "1937",
            "group": "primary",
        }
    )
    later = _book("later", "A History", "Smith", "J.", 1937, group="secondary")
    results = Suggester([letter, later]).suggest("In 1937 he crossed the Atlantic.")
    assert [s.source.key for s in results] == ["letter"]
    assert results[0].reasons[0].detail == "date 1937"


def test_short_title_only_as_written() -> None:
    library = [
        _book("mylife", "My Life", "Trotsky", "Leon", 1930),
        _book("other", "Trotsky in Exile", "Patenaude", "B.", 2010),
        _book("red", "The Red Book", "Sedov", "Leon", 1936),
    ]
    suggester = Suggester(library)
    results = suggester.suggest("In My Life, Trotsky recounts his youth.")
    assert results[0].source.key == "mylife"
    assert ReasonKind.TITLE in {r.kind for r in results[0].reasons}
    later = suggester.suggest("He spent the rest of his life in Mexico.")
    assert all(r.kind is not ReasonKind.TITLE for s in later for r in s.reasons)
    shelf = suggester.suggest("The shred bookcase held nothing.")
    assert all(r.kind is not ReasonKind.TITLE for s in shelf for r in s.reasons)


def test_a_claim_referring_back_to_a_work(library: list[Source]) -> None:
    suggester = Suggester(library)
    before = "In Norway he wrote The Revolution Betrayed."
    claim = "The book sold well and is still read."
    assert "revbet" not in _top(suggester, claim)
    results = suggester.suggest(claim, previous=before)
    assert results[0].source.key == "revbet"
    assert results[0].reasons[0].detail.endswith("(sentence before)")
    # without a reference back ("the book"), the sentence before does not count
    assert "revbet" not in _top(suggester, "Prices rose in Oslo.", previous=before)
