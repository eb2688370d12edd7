"""Claims use cases on SQLite and PostgreSQL: import, lookups both ways, links, coverage, edits."""

from pathlib import Path

import pytest
from sqlmodel import Session

from citekit import services
from citekit.errors import Conflict, InvalidRecord, NotFound

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile"


@pytest.fixture
def demo(session: Session) -> str:
    """The demo library, article and curated links; returns the article id."""
    services.load_demo_library(session)
    if not services.list_articles(session):
        services.load_demo_article(session)
    return services.get_article(session).id or ""


def test_import_article_splits_claims_and_bibliography(session: Session) -> None:
    text = (DEMO / "article.txt").read_text(encoding="utf-8")
    result = services.import_article(session, text=text)
    assert result.claims == 80 and result.captions == 5
    assert result.sections[0] == "Introduction" and result.bibliography is not None
    assert result.article.author == "Iris Pinder"
    claims = services.list_claims(session, article=result.article.id)
    assert [c.anchor.start for c in claims] == sorted(c.anchor.start for c in claims)
    assert all(text[c.anchor.start : c.anchor.end] == c.text for c in claims)


def test_demo_links_all_load(session: Session, demo: str) -> None:
    links = services.load_links(
        session, text=(DEMO / "links.json").read_text(encoding="utf-8"), article=demo
    )
    # every curated link is already there from the demo load, and none fails to resolve
    assert links.added == 0 and links.problems == []
    assert links.skipped == 33


def test_find_claims_tolerates_quotes_and_spaces(session: Session, demo: str) -> None:
    (claim,) = services.find_claims(session, quote="Trotsky's   study, where he")
    assert claim.text == "Trotsky’s study, where he was assassinated."
    (claim,) = services.find_claims(session, quote="Trotsky, Zinoviev, and Kamenev were held")
    assert "Kirov’s murder" in claim.text
    assert services.find_claims(session, quote="not in the article at all") == []
    # The database narrows the claims by the quote's plain words, whatever their letter case.
    (claim,) = services.find_claims(session, quote="TROTSKY’S STUDY, WHERE HE")
    assert claim.text == "Trotsky’s study, where he was assassinated."
    # A quote over two sentences finds the claims it covers whole.
    first, second = (c.text for c in services.list_claims(session)[10:12])
    spanning = services.find_claims(session, quote=f"{first} {second}")
    assert [c.text for c in spanning] == [first, second]


def test_sources_for_claim_and_claims_for_source(session: Session, demo: str) -> None:
    support = services.sources_for_claim(session, claim="Trotsky in 1918.")
    assert [(s.source.key, s.citation.relation.value) for s in support] == [
        ("trotsky1918", "illustrates")
    ]
    uses = services.claims_for_source(session, source="dewey1938not")
    texts = [u.claim.text for u in uses]
    assert any("John Dewey" in t for t in texts) and any("frameups" in t for t in texts)


def test_duplicate_link_refused_and_unlink(session: Session, demo: str) -> None:
    quote = "In Coyoacán, Trotsky kept himself busy"
    citation = services.add_citation(
        session, claim=quote, source="deutscher1963prophet", locator="p. 412"
    )
    assert citation.locator is not None and citation.locator.value == "412"
    with pytest.raises(Conflict):
        services.add_citation(session, claim=quote, source="deutscher1963prophet", locator="412")
    other = services.add_citation(session, claim=quote, source="deutscher1963prophet")
    updated = services.update_citation(
        session, ref=other.id or "", changes={"rank": "preferred", "note": "whole chapter"}
    )
    assert updated.rank.value == "preferred" and updated.version == 2
    assert services.unlink(session, claim=quote, source="deutscher1963prophet") == 2
    with pytest.raises(NotFound):
        services.unlink(session, claim=quote, source="deutscher1963prophet")


def test_bad_references_are_clear_errors(session: Session, demo: str) -> None:
    with pytest.raises(NotFound):
        services.add_citation(session, claim="no such sentence", source="trotsky1918")
    with pytest.raises(NotFound):
        services.add_citation(session, claim="Trotsky in 1918.", source="nokey")
    with pytest.raises(InvalidRecord):  # in many claims
        services.get_claim(session, ref="Trotsky")
    with pytest.raises(InvalidRecord):
        services.add_citation(
            session, claim="Trotsky in 1918.", source="service2010trotsky", relation="likes"
        )
    with pytest.raises(InvalidRecord):
        services.update_citation(
            session,
            ref=services.sources_for_claim(session, claim="Trotsky in 1918.")[0].citation.id or "",
            changes={"claim_id": "x"},
        )


def test_coverage_unsupported_and_uncited(session: Session, demo: str) -> None:
    cov = services.coverage(session)
    assert cov.total.claims == 80
    uses = [
        u
        for s in services.list_sources(session)[0]
        for u in services.claims_for_source(session, source=s.id or "")
    ]
    backed = {u.claim.id for u in uses if u.citation.relation.value in {"supports", "illustrates"}}
    # "The book sold well ..." only mentions its source: linked, yet not supported
    assert len({u.claim.id for u in uses}) == 30
    assert cov.total.supported == len(backed) == 29
    assert [s.section for s in cov.sections][:2] == ["Introduction", "Background"]
    assert sum(s.claims for s in cov.sections) == 80
    unsupported = services.list_claims(session, unsupported=True)
    assert len(unsupported) == 80 - 29
    assert all(c.kind.value == "sentence" for c in unsupported)  # every caption has its image
    assert [s.key for s in services.uncited_sources(session)] == ["trotskylenin"]


def test_suggest_for_a_claim(session: Session, demo: str) -> None:
    suggestions = services.suggest_sources(session, claim="the Moscow Trials began in 1936")
    # sedov1980red is cited already by that claim, so the next candidate leads
    assert "sedov1980red" not in [s.source.key for s in suggestions]
    assert suggestions[0].source.key == "dewey1938not"
    assert suggestions[0].reasons


def test_replace_text_reanchors_and_keeps_links(session: Session, demo: str) -> None:
    article = services.get_article(session, ref=demo)
    new_text = (
        article.text.replace("Trotsky in 1918.", "Trotsky in 1918, in uniform.")
        .replace(
            "Sergei was accused of attempting to poison workers and was likely executed.",
            "Kirov's death gave Stalin the pretext he had been looking for.",
        )
        .replace(
            "Stunned, the household sat", "The trial was broadcast. Stunned, the household sat"
        )
    )
    report = services.replace_article_text(
        session, ref=demo, text=new_text, expected_version=article.version
    )
    assert report.found_share >= 0.95
    assert [c.text for c in report.orphans] == [
        "Sergei was accused of attempting to poison workers and was likely executed."
    ]
    assert sorted(c.text for c in report.new_claims) == [
        "Kirov's death gave Stalin the pretext he had been looking for.",
        "The trial was broadcast.",
    ]
    (support,) = services.sources_for_claim(session, claim="Trotsky in 1918, in uniform.")
    assert support.source.key == "trotsky1918"
    # the orphan keeps its link and is reported, but is not counted in coverage
    orphans = services.list_claims(session, orphans=True)
    assert [c.id for c in orphans] == [report.orphans[0].id]
    assert services.sources_for_claim(session, claim=orphans[0].id or "")
    assert services.coverage(session).total.claims == 80 - 1 + 2
    claims = services.list_claims(session, orphans=False)
    assert all(new_text[c.anchor.start : c.anchor.end] == c.text for c in claims)


def test_import_and_search_refuse_empty_input(session: Session) -> None:
    with pytest.raises(InvalidRecord, match="no sentence or caption"):
        services.import_article(session, text="Just a Title\n")
    with pytest.raises(InvalidRecord, match="no title line"):
        services.import_article(session, text="\n\n")
    with pytest.raises(InvalidRecord, match="give some text"):
        services.find_claims(session, quote="  ")


def test_suggestions_follow_library_changes(session: Session, demo: str) -> None:
    before = services.suggest_sources(session, claim="He kept chickens")
    assert all(r.kind.value == "date" for s in before for r in s.reasons)  # the section's years
    services.add_source(
        session,
        data={"key": "hens1939", "type": "book", "title": "Chickens and Rabbits in Coyoacán"},
    )
    (top, *_) = services.suggest_sources(session, claim="He kept chickens")
    assert top.source.key == "hens1939"
    services.patch_source(session, ref="hens1939", changes={"title": "Unrelated Pamphlet"})
    after = services.suggest_sources(session, claim="He kept chickens")
    assert "hens1939" not in [s.source.key for s in after]


def test_import_with_bibliography(session: Session) -> None:
    text = (DEMO / "article.txt").read_text(encoding="utf-8")
    result = services.import_article(session, text=text, import_bibliography=True)
    assert result.sources is not None and result.sources.failures == []
    assert len(result.sources.added) == 18
    assert services.count_sources(session) == 18
    again = services.import_article(session, text=text, import_bibliography=True)
    assert again.sources is not None and again.sources.added == []
    assert len(again.sources.duplicates) == 18


def test_suggestion_for_a_claim_referring_back(session: Session, demo: str) -> None:
    services.unlink(session, claim="The book sold well", source="trotsky1937revolution")
    (top, *_) = services.suggest_sources(session, claim="The book sold well")
    assert top.source.key == "trotsky1937revolution"
    assert any("sentence before" in r.detail for r in top.reasons)


def test_citation_counts(session: Session, demo: str) -> None:
    counts = services.citation_counts(session)
    assert len(counts) == 30 and sum(counts.values()) == 33
    (claim,) = services.find_claims(session, quote="the Moscow Trials were frameups")
    assert counts[claim.id or ""] == 2
