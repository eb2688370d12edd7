"""The annotated article: claims' citations as footnotes (note styles) or in-text citations
(author-date styles), then a bibliography of the works cited, grouped by source group.

Pure: the article's text, its claims and their citations in; Markdown, HTML or plain text out.
Notes follow the style's own rules for first, short and *Ibid.* forms (``citekit.render.Citer``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape as html_escape

from citekit.claims.article import Block, BlockKind, parse_article
from citekit.model.article import Citation, Claim, ClaimKind, Rank, Relation
from citekit.model.source import Source
from citekit.render import Citer, Position, Style, get_style, render_bibliography
from citekit.render.backends import Backend, get_backend
from citekit.render.styles import CitationItem

# How a citation's relation shows in its note or parenthesis (CMOS 14.35: "see", "but see").
RELATION_PREFIX: dict[Relation, str] = {
    Relation.SUPPORTS: "",
    Relation.ILLUSTRATES: "",
    Relation.MENTIONS: "see also ",
    Relation.CONTRADICTS: "but see ",
}
RANK_ORDER = {Rank.PREFERRED: 0, Rank.NORMAL: 1, Rank.DEPRECATED: 2}
_CLOSERS = "\"'”’)]"


@dataclass(frozen=True)
class Cited:
    """A citation of a claim together with its source."""

    citation: Citation
    source: Source


@dataclass(frozen=True)
class _Insert:
    at: int
    text: str  # already in the output format


def item_prefix(style: Style, prefix: str) -> str:
    """A citation prefix spaced for ``style``: author-date styles add the space themselves."""
    prefix = prefix.strip()
    if not prefix or style.kind == "author-date":
        return prefix
    return prefix + " "


def _items(style: Style, cited: Sequence[Cited]) -> list[CitationItem]:
    """The citation items of one claim: deprecated ones left out, preferred first."""
    kept = [c for c in cited if c.citation.rank is not Rank.DEPRECATED]
    kept.sort(key=lambda c: RANK_ORDER[c.citation.rank])
    return [
        CitationItem(
            source=c.source,
            locator=c.citation.locator,
            prefix=item_prefix(style, RELATION_PREFIX[c.citation.relation]),
        )
        for c in kept
    ]


def _before_final_period(text: str, start: int, end: int) -> int:
    """Where an in-text citation goes: before a sentence's closing period, not inside quotes."""
    if end > start and text[end - 1] == "." and text[end - 2 : end - 1] not in _CLOSERS:
        return end - 1
    return end


class _Format:
    """How blocks, note markers and the notes list look in one output format."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.name = backend.name

    def escape(self, text: str) -> str:
        return self.backend.escape(text)

    def marker(self, number: int) -> str:
        if self.name == "markdown":
            return f"[^{number}]"
        if self.name == "html":
            return f'<sup id="fnref-{number}"><a href="#fn-{number}">{number}</a></sup>'
        return f"[{number}]"

    def block(self, kind: BlockKind, inner: str) -> str:
        md = {
            BlockKind.TITLE: "# {}",
            BlockKind.HEADING: "## {}",
            BlockKind.CAPTION: "*{}*",
            BlockKind.BYLINE: "*{}*",
            BlockKind.PARAGRAPH: "{}",
        }
        html = {
            BlockKind.TITLE: "<h1>{}</h1>",
            BlockKind.HEADING: "<h2>{}</h2>",
            BlockKind.CAPTION: "<figure><figcaption>{}</figcaption></figure>",
            BlockKind.BYLINE: '<p class="byline">{}</p>',
            BlockKind.PARAGRAPH: "<p>{}</p>",
        }
        if self.name == "markdown":
            return md[kind].format(inner)
        if self.name == "html":
            return html[kind].format(inner)
        return inner.upper() if kind is BlockKind.TITLE else inner

    def heading(self, text: str) -> str:
        return self.block(BlockKind.HEADING, self.escape(text))

    def notes(self, notes: list[str]) -> str:
        if self.name == "markdown":
            return "\n".join(f"[^{n}]: {note}" for n, note in enumerate(notes, 1))
        if self.name == "html":
            items = "\n".join(
                f'  <li id="fn-{n}">{note} <a href="#fnref-{n}">↩</a></li>'
                for n, note in enumerate(notes, 1)
            )
            return f'<section class="footnotes">\n<ol>\n{items}\n</ol>\n</section>'
        return "\n".join(f"{n}. {note}" for n, note in enumerate(notes, 1))

    def document(self, title: str, blocks: list[str]) -> str:
        body = "\n\n".join(b for b in blocks if b)
        if self.name != "html":
            return body + "\n"
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html_escape(title)}</title>\n</head>\n<body>\n<article>\n"
            f"{body}\n</article>\n</body>\n</html>\n"
        )


def _render_block(fmt: _Format, text: str, block: Block, inserts: list[_Insert]) -> str:
    """The block, escaped and wrapped, with the citations that fall inside it.

    In Markdown and text a caption's citation follows its emphasis (emphasis does not nest).
    """
    out: list[str] = []
    trailing: list[str] = []
    cursor = block.start
    for insert in sorted(inserts, key=lambda i: i.at):
        if not block.start <= insert.at <= block.end:
            continue
        if block.kind is BlockKind.CAPTION and insert.at == block.end and fmt.name != "html":
            trailing.append(insert.text)
            continue
        out.append(fmt.escape(text[cursor : insert.at]))
        out.append(insert.text)
        cursor = insert.at
    out.append(fmt.escape(text[cursor : block.end]))
    return fmt.block(block.kind, "".join(out)) + "".join(trailing)


def annotate(
    text: str,
    claims: Sequence[Claim],
    cited: Mapping[str, Sequence[Cited]],
    *,
    style: str | Style = "chicago-notes-bibliography",
    format: str = "markdown",
) -> str:
    """The article with its claims' citations, then the works cited grouped by source group.

    ``cited`` maps claim ids to their citations; orphan claims (no place in the text) and
    deprecated citations are left out. Note styles give footnotes (full, short, *Ibid.*);
    author-date styles give parenthetical citations before the sentence's final period.
    """
    chosen = style if isinstance(style, Style) else get_style(style)
    fmt = _Format(get_backend(format))
    parsed = parse_article(text)
    placed = sorted(
        (c for c in claims if not c.orphan and c.id and _items(chosen, cited.get(c.id, ()))),
        key=lambda c: c.anchor.start,
    )
    works: dict[str, Source] = {}
    for claim in placed:
        for c in cited[claim.id or ""]:
            works.setdefault(c.source.id or c.source.key or str(id(c.source)), c.source)
    if chosen.kind == "author-date" and hasattr(chosen, "with_library"):
        chosen = chosen.with_library(list(works.values()))
    citer = Citer(chosen)
    inserts: list[_Insert] = []
    notes: list[str] = []
    for claim in placed:
        items = _items(chosen, cited[claim.id or ""])
        if chosen.kind == "note":
            notes.append(fmt.backend.render(citer.note(items)))
            inserts.append(_Insert(claim.anchor.end, fmt.marker(len(notes))))
        else:
            node = chosen.cite(items, position=Position.FIRST)
            at = (
                claim.anchor.end
                if claim.kind is ClaimKind.CAPTION
                else _before_final_period(parsed.text, claim.anchor.start, claim.anchor.end)
            )
            inserts.append(_Insert(at, " " + fmt.backend.render(node)))
    blocks = [_render_block(fmt, parsed.text, block, inserts) for block in parsed.blocks]
    if notes:
        blocks += [fmt.heading("Notes"), fmt.notes(notes)]
    if works:
        heading = "Bibliography" if chosen.kind == "note" else "References"
        bibliography = render_bibliography(
            list(works.values()), style=chosen, format=fmt.name, grouped=True
        ).strip()
        blocks += [fmt.heading(heading), bibliography]
    return fmt.document(parsed.title, blocks)
