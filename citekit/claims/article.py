"""Read an article (plain text or Markdown) into title, byline, sections, paragraphs, captions.

The layout is the one of ``references/trotsky-last-exile/article.txt``: a title line, section
headings, paragraphs, image captions on lines of their own, a "Written by" line and a trailing
"Bibliography" section, which is split off verbatim. Every block keeps its character offsets in
the text it was read from, so claims can be anchored to that text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from citekit.claims.segment import Span, split_sentences
from citekit.model.article import ClaimKind


class BlockKind(StrEnum):
    TITLE = "title"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    CAPTION = "caption"
    BYLINE = "byline"


@dataclass(frozen=True)
class Block:
    """A run of text between blank lines, classified; ``text == source[start:end]``."""

    kind: BlockKind
    text: str
    start: int
    end: int
    section: str | None = None


@dataclass(frozen=True)
class ParsedArticle:
    """An article's parts; ``bibliography`` is the raw text after the bibliography heading."""

    text: str
    title: str
    author: str | None
    blocks: list[Block] = field(default_factory=list)
    bibliography: str | None = None
    bibliography_start: int | None = None

    @property
    def body_end(self) -> int:
        """Offset where the body (everything before the bibliography) ends."""
        return self.bibliography_start if self.bibliography_start is not None else len(self.text)

    def sections(self) -> list[str]:
        """Section headings, in order."""
        return [b.text for b in self.blocks if b.kind is BlockKind.HEADING]


BIBLIOGRAPHY_HEADINGS = frozenset(
    {"bibliography", "references", "works cited", "sources", "further reading", "literature"}
)
_BYLINE = re.compile(r"^(?:written\s+by|by|author:)\s+(?P<name>\S.{0,120})$", re.IGNORECASE)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
_MD_IMAGE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\([^)]*\)\s*$")
_MD_EMPHASIS = re.compile(r"^(?P<mark>\*|_)(?P<text>[^*_].*?)(?P=mark)$")
_FINAL_PUNCTUATION = ".!?…:;"
_CLOSERS = "\"'”’)]"
HEADING_MAX_WORDS = 12
TITLE_MAX_WORDS = 30
CAPTION_MAX_WORDS = 20  # the demo's longest caption has 15 words
CAPTION_MAX_CHARS = 200


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` become ``\\n`` and a leading BOM goes, so offsets are stable."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _raw_blocks(text: str) -> list[Span]:
    """Runs of non-blank lines, trimmed, with offsets."""
    blocks = []
    for m in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text):
        chunk = m.group()
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk.rstrip())
        blocks.append(Span(chunk[lead:trail], m.start() + lead, m.start() + trail))
    return blocks


def _inner(span: Span, inner: str) -> Span:
    """The sub-span of ``span`` holding ``inner`` (markup around it dropped)."""
    at = span.text.find(inner)
    return Span(inner, span.start + at, span.start + at + len(inner))


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in _FINAL_PUNCTUATION


def _looks_like_caption(span: Span) -> bool:
    """One short line holding a single sentence, ending as a sentence does."""
    words = span.text.split()
    return (
        "\n" not in span.text
        and len(words) <= CAPTION_MAX_WORDS
        and len(span.text) <= CAPTION_MAX_CHARS
        and _ends_sentence(span.text)
        and len(split_sentences(span.text)) == 1
    )


def _looks_like_title(span: Span) -> bool:
    """A first line that is not a sentence: short, not ending with a period ("...?" may)."""
    text = span.text.rstrip(_CLOSERS)
    return (
        "\n" not in span.text
        and len(span.text.split()) <= TITLE_MAX_WORDS
        and not text.endswith((".", ";", ":"))
    )


def _looks_like_heading(span: Span) -> bool:
    return (
        "\n" not in span.text
        and len(span.text.split()) <= HEADING_MAX_WORDS
        and not _ends_sentence(span.text)
    )


def parse_article(text: str) -> ParsedArticle:
    """Split an article into blocks; offsets refer to ``normalise_newlines(text)``.

    Headings are short lines without final punctuation; a second such line straight after a
    heading is a caption without a period. Captions are short one-sentence lines; a paragraph of
    a single short sentence is therefore read as a caption (Markdown images and emphasised
    lines are captions whatever their length).
    """
    text = normalise_newlines(text)
    raw = _raw_blocks(text)
    blocks: list[Block] = []
    title = ""
    author: str | None = None
    bibliography: str | None = None
    bibliography_start: int | None = None
    section: str | None = None
    previous_kind: BlockKind | None = None
    for index, span in enumerate(raw):
        md_heading = _MD_HEADING.match(span.text) if "\n" not in span.text else None
        plain = _inner(span, md_heading["text"]) if md_heading else span
        if plain.text.casefold().rstrip(":") in BIBLIOGRAPHY_HEADINGS and index > 0:
            bibliography_start = span.start
            rest = text[span.end :].strip()
            bibliography = rest or None
            break
        if index == 0 and _looks_like_title(plain):
            title = plain.text
            blocks.append(Block(BlockKind.TITLE, plain.text, plain.start, plain.end))
            previous_kind = BlockKind.TITLE
            continue
        byline = _BYLINE.match(span.text) if "\n" not in span.text else None
        if byline:
            author = byline["name"].strip()
            blocks.append(Block(BlockKind.BYLINE, span.text, span.start, span.end, section))
            previous_kind = BlockKind.BYLINE
            continue
        image = _MD_IMAGE.match(span.text)
        emphasis = _MD_EMPHASIS.match(span.text) if "\n" not in span.text else None
        if image and image["alt"].strip():
            kind, span = BlockKind.CAPTION, _inner(span, image["alt"].strip())
        elif emphasis and len(span.text.split()) <= CAPTION_MAX_WORDS:
            kind, span = BlockKind.CAPTION, _inner(span, emphasis["text"].strip())
        elif md_heading:
            kind, span = BlockKind.HEADING, plain
        elif _looks_like_heading(span):
            # Headings introduce text: in a run of heading-like lines the first is the
            # heading and the others are captions without a period; so is a last line.
            if previous_kind is BlockKind.HEADING or index + 1 == len(raw):
                kind = BlockKind.CAPTION
            else:
                kind = BlockKind.HEADING
        elif _looks_like_caption(span):
            kind = BlockKind.CAPTION
        else:
            kind = BlockKind.PARAGRAPH
        if kind is BlockKind.HEADING:
            section = span.text
            blocks.append(Block(kind, span.text, span.start, span.end, None))
        else:
            blocks.append(Block(kind, span.text, span.start, span.end, section))
        previous_kind = kind
    return ParsedArticle(
        text=text,
        title=title,
        author=author,
        blocks=blocks,
        bibliography=bibliography,
        bibliography_start=bibliography_start,
    )


@dataclass(frozen=True)
class ClaimSpan:
    """A would-be claim: a sentence of a paragraph or a whole caption, with its section."""

    kind: ClaimKind
    section: str | None
    text: str
    start: int
    end: int


def claim_spans(parsed: ParsedArticle) -> list[ClaimSpan]:
    """Sentences of the paragraphs and the captions, in text order."""
    spans: list[ClaimSpan] = []
    for block in parsed.blocks:
        if block.kind is BlockKind.CAPTION:
            spans.append(
                ClaimSpan(ClaimKind.CAPTION, block.section, block.text, block.start, block.end)
            )
        elif block.kind is BlockKind.PARAGRAPH:
            spans.extend(
                ClaimSpan(ClaimKind.SENTENCE, block.section, s.text, s.start, s.end)
                for s in split_sentences(block.text, block.start)
            )
    return spans
