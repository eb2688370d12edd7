"""Anchors and re-anchoring over edited versions of the demo article."""

from collections.abc import Callable

import pytest

from citekit.claims.anchor import Method, claims_from_spans, make_anchor, reanchor
from citekit.claims.article import claim_spans, parse_article
from citekit.model import ClaimKind

# Realistic edits of the demo article.


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"edit target not in the article: {old[:40]!r}"
        return text.replace(old, new, 1)

    return edit


def _move_paragraph(start_words: str, before_words: str) -> Callable[[str], str]:
    """Move the paragraph starting with ``start_words`` before the one starting ``before_words``."""

    def edit(text: str) -> str:
        paragraphs = text.split("\n\n")
        moving = next(p for p in paragraphs if p.startswith(start_words))
        paragraphs.remove(moving)
        at = next(i for i, p in enumerate(paragraphs) if p.startswith(before_words))
        paragraphs.insert(at, moving)
        return "\n\n".join(paragraphs)

    return edit


def _chain(*edits: Callable[[str], str]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        for one in edits:
            text = one(text)
        return text

    return edit


TYPOS = _chain(
    _replace("political manoeuvres", "political maneuvres"),
    _replace("Trotsky,\u00a0 Zinoviev", "Trotsky, Zinoviev"),  # a no-break space in the original
    _replace("shock was too much", "shock were too much"),
    _replace("Natalia stopped receiving", "Natalia stoped receiving"),
)
INSERTED = _replace(
    "Stunned, the household sat",
    "The proceedings were broadcast across Europe. Stunned, the household sat",
)
MOVED = _move_paragraph("Even in the tranquil villa", "This was a productive period")
REWORDED = _chain(
    _replace(
        "Stunned, the household sat and listened to the wireless as the trial unfolded.",
        "Stunned, the whole household sat listening to the radio while the trial unfolded.",
    ),
    _replace(
        "He kept chickens and a small army of rabbits in the garden",
        "In the garden he kept chickens and a small army of rabbits",
    ),
)
CAPTION_EDITED = _replace("Trotsky in 1918.", "Trotsky in 1918, in uniform.")
ALL = _chain(TYPOS, INSERTED, MOVED, REWORDED, CAPTION_EDITED)

# name → (edit, sentences the edit adds)
EDITS: dict[str, tuple[Callable[[str], str], int]] = {
    "typos": (TYPOS, 0),
    "sentence inserted": (INSERTED, 1),
    "paragraph moved": (MOVED, 0),
    "sentences reworded": (REWORDED, 0),
    "caption edited": (CAPTION_EDITED, 0),
    "all together": (ALL, 1),
}


@pytest.fixture(scope="module")
def anchors(article_text: str):
    spans = claim_spans(parse_article(article_text))
    return [make_anchor(article_text, s.start, s.end) for s in spans]


def test_anchor_has_quote_context_and_offsets() -> None:
    text = "x" * 40 + "The quote." + "y" * 40
    anchor = make_anchor(text, 40, 50)
    assert (anchor.exact, anchor.prefix, anchor.suffix) == ("The quote.", "x" * 32, "y" * 32)
    assert (anchor.start, anchor.end) == (40, 50)


def test_unchanged_text_keeps_every_position(article_text: str, anchors) -> None:
    result = reanchor(anchors, article_text)
    assert all(m.method is Method.POSITION for m in result.matches)
    assert result.new_spans == []


@pytest.mark.parametrize("name", list(EDITS))
def test_reanchoring_after_edits(article_text: str, anchors, name: str) -> None:
    edit, added = EDITS[name]
    new_text = edit(article_text)
    result = reanchor(anchors, new_text)
    assert result.found_share >= 0.95, result.orphans
    assert len(result.new_spans) == added
    for match in result.matches:
        if match.anchor is not None:
            assert new_text[match.anchor.start : match.anchor.end] == match.anchor.exact
    # each new claim span is held by one old claim at most
    places = [(m.anchor.start, m.anchor.end) for m in result.matches if m.anchor]
    assert len(places) == len(set(places))


def test_reworded_sentence_lands_on_its_new_wording(article_text: str, anchors) -> None:
    new_text = EDITS["sentences reworded"][0](article_text)
    result = reanchor(anchors, new_text)
    old = next(m for m in result.matches if m.old.exact.startswith("Stunned, the household"))
    assert old.method is Method.FUZZY
    assert old.anchor is not None and "listening to the radio" in old.anchor.exact


def test_deleted_sentence_is_an_orphan_and_new_sentence_is_new(article_text: str, anchors) -> None:
    gone = "Sergei was accused of attempting to poison workers and was likely executed."
    added = "Kirov's death gave Stalin the pretext he had been looking for."
    new_text = article_text.replace(gone, added)
    result = reanchor(anchors, new_text)
    assert [m.old.exact for m in result.orphans] == [gone]
    assert [s.text for s in result.new_spans] == [added]
    assert result.counts()["orphan"] == 1


def test_repeated_quote_goes_to_the_occurrence_in_context() -> None:
    text = "Intro\n\nAlpha one. He left. Beta two.\n\nGamma three. He left. Delta four.\n"
    spans = claim_spans(parse_article(text))
    second = next(s for s in spans if s.text == "He left." and s.start > 30)
    anchor = make_anchor(text, second.start, second.end)
    new_text = text.replace("Intro\n\n", "Intro\n\nA new opening sentence here.\n\n")
    (match,) = reanchor([anchor], new_text).matches
    assert match.method is Method.QUOTE
    assert new_text[match.anchor.start - 13 : match.anchor.start] == "Gamma three. "


def test_claims_from_spans(article_text: str) -> None:
    spans = claim_spans(parse_article(article_text))
    claims = claims_from_spans("a1", article_text, spans)
    assert len(claims) == len(spans)
    caption = next(c for c in claims if c.text == "Trotsky in 1918.")
    assert caption.kind is ClaimKind.CAPTION and caption.section == "Background"
    assert caption.anchor.suffix.startswith("\n\nIn scholarship")
