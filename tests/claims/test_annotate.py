"""The annotated article: footnotes (full, short, Ibid.), in-text citations, bibliography."""

import pytest

from citekit.claims.anchor import claims_from_spans
from citekit.claims.annotate import Cited, annotate
from citekit.claims.article import claim_spans, parse_article
from citekit.model import Citation, Source

TEXT = """A Short Essay

Exile

He wrote The Revolution Betrayed in Norway. The book sold well. Critics disagreed [sharply].

Trotsky in 1918.

Mexico

He reached Mexico in 1937. He died in 1940.

Written by A. Writer

Bibliography

Trotsky, Leon. The Revolution Betrayed. 1937.
"""

BOOK = Source.model_validate(
    {
        "id": "S1",
        "key": "trotsky1937",
        "type": "book",
        "title": "The Revolution Betrayed",
        "creators": [{"family": "Trotsky", "given": "Leon"}],
        "issued": "1937",
        "publisher": "Doubleday",
        "group": "primary",
    }
)
OUTCAST = Source.model_validate(
    {
        "id": "S2",
        "key": "deutscher1963",
        "type": "book",
        "title": "The Prophet Outcast",
        "creators": [{"family": "Deutscher", "given": "Isaac"}],
        "issued": "1963",
        "publisher": "Oxford University Press",
    }
)
IMAGE = Source.model_validate(
    {"id": "S3", "key": "img", "type": "graphic", "title": "Trotsky in 1918"}
)


@pytest.fixture
def article():
    parsed = parse_article(TEXT)
    claims = [
        c.model_copy(update={"id": f"C{i}"})
        for i, c in enumerate(claims_from_spans("A1", parsed.text, claim_spans(parsed)))
    ]
    by_text = {c.text: c for c in claims}

    def cite(text: str, source: Source, **kw) -> tuple[str, Cited]:
        claim = by_text[text]
        citation = Citation(claim_id=claim.id, source_id=source.id, **kw)
        return claim.id, Cited(citation, source)

    cited: dict[str, list[Cited]] = {}
    for claim_id, c in [
        cite("He wrote The Revolution Betrayed in Norway.", BOOK, locator="p. 3"),
        cite("The book sold well.", BOOK, locator="p. 3"),
        cite("Trotsky in 1918.", IMAGE, relation="illustrates"),
        cite("He reached Mexico in 1937.", OUTCAST, locator="12–14"),
        cite("He reached Mexico in 1937.", BOOK, relation="contradicts"),
        cite("He died in 1940.", OUTCAST, rank="deprecated"),
    ]:
        cited.setdefault(claim_id, []).append(c)
    return claims, cited


def test_footnotes_full_ibid_short(article) -> None:
    claims, cited = article
    out = annotate(TEXT, claims, cited, format="markdown")
    assert out.startswith("# A Short Essay\n\n## Exile\n\n")
    assert "He wrote The Revolution Betrayed in Norway.[^1] The book sold well.[^2]" in out
    assert "disagreed \\[sharply\\]." in out  # Markdown specials in the prose are escaped
    assert "*Trotsky in 1918.*[^3]" in out
    assert "He reached Mexico in 1937.[^4] He died in 1940.\n" in out  # deprecated: no note
    notes = out.split("## Notes\n\n")[1].split("\n\n## Bibliography")[0].splitlines()
    assert notes[0].startswith("[^1]: Leon Trotsky, *The Revolution Betrayed*")
    assert notes[0].endswith(", 3.")
    assert notes[1] == "[^2]: Ibid."
    assert notes[3].startswith("[^4]: Isaac Deutscher, *The Prophet Outcast*")
    assert "; but see Trotsky, *Revolution Betrayed*." in notes[3]
    assert (
        "Written by A. Writer" in out and "Trotsky, Leon. The Revolution Betrayed. 1937." not in out
    )


def test_bibliography_grouped_and_only_works_cited(article) -> None:
    claims, cited = article
    out = annotate(TEXT, claims, cited, format="markdown")
    bibliography = out.split("## Bibliography\n\n")[1]
    assert bibliography.index("### Images") < bibliography.index("### Primary")
    assert bibliography.index("### Primary") < bibliography.index("### Secondary")
    assert "Deutscher, Isaac. *The Prophet Outcast*" in bibliography


def test_author_date_in_text(article) -> None:
    claims, cited = article
    out = annotate(TEXT, claims, cited, style="chicago-author-date", format="markdown")
    assert "in Norway (Trotsky 1937, 3). The book sold well (Trotsky 1937, 3)." in out
    assert "*Trotsky in 1918.* (*Trotsky in 1918*, n.d.)" in out
    assert "## Notes" not in out and "## References" in out


def test_html_document(article) -> None:
    claims, cited = article
    out = annotate(TEXT, claims, cited, format="html")
    assert out.startswith("<!DOCTYPE html>") and "<title>A Short Essay</title>" in out
    assert '<sup id="fnref-2"><a href="#fn-2">2</a></sup>' in out
    assert '<li id="fn-2">Ibid. <a href="#fnref-2">↩</a></li>' in out
    assert "<figcaption>Trotsky in 1918.<sup" in out


def test_orphans_and_uncited_article() -> None:
    parsed = parse_article(TEXT)
    claims = [
        c.model_copy(update={"id": f"C{i}", "orphan": True})
        for i, c in enumerate(claims_from_spans("A1", parsed.text, claim_spans(parsed)))
    ]
    cited = {claims[0].id: [Cited(Citation(claim_id=claims[0].id, source_id="S1"), BOOK)]}
    out = annotate(TEXT, claims, cited, format="text")
    assert "[1]" not in out and "Bibliography" not in out
    assert out.startswith("A SHORT ESSAY\n\nExile\n\n")
