"""Reading the demo article: title, byline, sections, captions, bibliography, claims."""

from citekit.claims.article import BlockKind, claim_spans, parse_article
from citekit.model import ClaimKind

CAPTIONS = [
    "Trotsky stands nearby as Lenin speaks, 1920, an image he would later be erased from.",
    "Trotsky in 1918.",
    "Natalia, Trotsky, and Lev in Kazakhstan.",
    "Trotsky and Natalia disembark in Mexico with Frida Kahlo.",
    "Trotsky’s study, where he was assassinated.",
]
SECTIONS = [
    "Introduction",
    "Background",
    "Turkey, 1929-1933",
    "France, 1933-35",
    "Norway, 1935-37",
    "Mexico, 1937-1940",
    "Conclusion",
]


def test_title_author_sections(article_text: str) -> None:
    parsed = parse_article(article_text)
    assert parsed.title.startswith("Whatever Happened to Leon Trotsky?")
    assert parsed.title.endswith("1929-1940")
    assert parsed.author == "Iris Pinder"
    assert parsed.sections() == SECTIONS


def test_every_caption_is_a_caption(article_text: str) -> None:
    parsed = parse_article(article_text)
    assert [b.text for b in parsed.blocks if b.kind is BlockKind.CAPTION] == CAPTIONS
    spans = claim_spans(parsed)
    assert [s.text for s in spans if s.kind is ClaimKind.CAPTION] == CAPTIONS


def test_bibliography_split_off_verbatim(article_text: str) -> None:
    parsed = parse_article(article_text)
    assert parsed.bibliography is not None
    assert parsed.bibliography.startswith("Images\n\nTrotsky, Lenin, and Kamenev")
    assert "Volkognov, Dmitri" in parsed.bibliography
    assert parsed.text[parsed.body_end :].startswith("Bibliography")
    assert all(s.end <= parsed.body_end for s in claim_spans(parsed))


def test_claims_sections_and_offsets(article_text: str) -> None:
    parsed = parse_article(article_text)
    spans = claim_spans(parsed)
    assert all(parsed.text[s.start : s.end] == s.text for s in spans)
    by_text = {s.text: s for s in spans}
    assert by_text["Trotsky in 1918."].section == "Background"
    finale = next(s for s in spans if s.text.startswith("The finale came on 20 August, 1940"))
    assert finale.text.endswith("an article Mercader had written.")
    assert finale.section == "Mexico, 1937-1940"
    assert not any(s.text.startswith("Written by") for s in spans)
    assert len([s for s in spans if s.kind is ClaimKind.SENTENCE]) == 75


def test_markdown_headings_images_and_crlf() -> None:
    text = (
        "# A Title\r\n\r\n## First part\r\n\r\nOne sentence. Another, by J. Smith.\r\n\r\n"
        "![Trotsky in 1918](trotsky.jpg)\r\n\r\n## Second part\r\n\r\n*Kahlo in Coyoacán*\r\n"
    )
    parsed = parse_article(text)
    assert parsed.title == "A Title"
    assert parsed.sections() == ["First part", "Second part"]
    spans = claim_spans(parsed)
    assert [(s.kind, s.text, s.section) for s in spans] == [
        (ClaimKind.SENTENCE, "One sentence.", "First part"),
        (ClaimKind.SENTENCE, "Another, by J. Smith.", "First part"),
        (ClaimKind.CAPTION, "Trotsky in 1918", "First part"),
        (ClaimKind.CAPTION, "Kahlo in Coyoacán", "Second part"),
    ]
    assert all(parsed.text[s.start : s.end] == s.text for s in spans)


def test_caption_without_period_after_heading() -> None:
    text = "Title\n\nBackground\n\nTrotsky in 1918\n\nHe was a commissar. He led the army.\n"
    parsed = parse_article(text)
    kinds = [(b.kind, b.text) for b in parsed.blocks]
    assert (BlockKind.HEADING, "Background") in kinds
    assert (BlockKind.CAPTION, "Trotsky in 1918") in kinds


def test_text_without_a_title_line_keeps_its_first_paragraph() -> None:
    parsed = parse_article("He left Turkey in 1933. France gave him asylum.\n\nHe moved on.\n")
    assert parsed.title == ""
    assert [s.text for s in claim_spans(parsed)] == [
        "He left Turkey in 1933.",
        "France gave him asylum.",
        "He moved on.",
    ]


def test_long_single_sentence_paragraph_is_not_a_caption() -> None:
    sentence = (
        "In the years that followed, his followers across Europe and the Americas argued "
        "bitterly about what his legacy should mean for them."
    )
    parsed = parse_article(f"Title\n\nPart\n\n{sentence}\n\nTrotsky in 1918.\n\nMore text. Here.\n")
    kinds = {s.text: s.kind for s in claim_spans(parsed)}
    assert kinds[sentence] is ClaimKind.SENTENCE
    assert kinds["Trotsky in 1918."] is ClaimKind.CAPTION
