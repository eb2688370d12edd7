"""Manuscripts in pandoc's citation syntax, rendered with a citation style.

``[@key]``, ``[@key, p. 45]``, ``[see @a, 12–14; @b]``, ``[-@key]`` (author suppressed) and the
narrative ``@key says`` (``@key [p. 45] says``). Note styles turn each citation into a footnote
(full, short or *Ibid.*); author-date styles into "(Deutscher 1963, 412)" or, narrative,
"Deutscher (1963, 412)". The bibliography of the works cited is appended. Unknown keys are
reported with their line and column and left in the text as written, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from citekit.claims.annotate import item_prefix
from citekit.model.article import LOCATOR_TERMS, Locator
from citekit.model.source import Source
from citekit.render import Citer, Position, Style, get_style, render_bibliography
from citekit.render.backends import get_backend
from citekit.render.styles import CitationItem
from citekit.render.styles.base import primary_creators

# pandoc: a key starts with a letter, digit or _, and may hold :.#$%&-+?<>~/ between them.
_KEY = r"(?:\{(?P<keyb>[^{}]+)\}|(?P<key>\w[\w:.#$%&\-+?<>~/]*\w|\w))"
_BRACKET = re.compile(r"\[(?P<body>[^\[\]]*?@[^\[\]]*)\](?!\()")
_ITEM = re.compile(r"^(?P<prefix>.*?)(?P<minus>-?)@" + _KEY + r"(?P<rest>.*)$", re.S)
_NARRATIVE = re.compile(r"(?<![\w@\\])@" + _KEY + r"(?:\s*\[(?P<locator>[^\[\]@]*)\])?")
_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)
_LOCATOR_START = re.compile(r"^\s*,?\s*")
_NOTE_PUNCTUATION = frozenset(".,;:!?")
_NUMBERISH = re.compile(r"^[\divxlcdmIVXLCDM][\w–\-,\s]*$")


@dataclass(frozen=True)
class UnknownKey:
    """A cited key with no source, and where it is (1-based line and column)."""

    key: str
    line: int
    column: int


@dataclass
class RenderedManuscript:
    """The rendered text, the keys it could not resolve, and the keys it cited."""

    text: str
    unknown: list[UnknownKey] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Cite:
    key: str
    prefix: str
    locator: Locator | None
    suffix: str
    suppress_author: bool


def _split_locator(rest: str) -> tuple[Locator | None, str]:
    """``", pp. 33–35, emphasis added"`` → page 33–35 and suffix ``", emphasis added"``."""
    text = _LOCATOR_START.sub("", rest, count=1) if rest.lstrip().startswith(",") else ""
    if not text:
        return None, rest
    head, _, tail = text.partition(", ")
    word = head.split(" ", 1)[0].rstrip(".").casefold()
    if word in LOCATOR_TERMS or _NUMBERISH.match(head):
        try:
            return Locator.parse(head), (", " + tail if tail else "")
        except ValueError:
            return None, rest
    return None, rest


def _parse_bracket(body: str) -> list[_Cite] | None:
    """The citations of one ``[...]`` group, or None if a part holds no key."""
    out = []
    for part in body.split(";"):
        m = _ITEM.match(part.strip())
        if not m:
            return None
        locator, suffix = _split_locator(m["rest"])
        out.append(
            _Cite(
                key=m["key"] or m["keyb"],
                prefix=m["prefix"],
                locator=locator,
                suffix=suffix,
                suppress_author=bool(m["minus"]),
            )
        )
    return out


def _names(source: Source) -> str:
    """Family names as an author-date citation shows them: A, A and B, A et al."""
    names = [n.family_full() for n in primary_creators(source)]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _find(masked: str) -> list[tuple[int, int, list[_Cite] | None, bool]]:
    """Citations in text order: (start, end, citations or None if unreadable, narrative)."""
    found: list[tuple[int, int, list[_Cite] | None, bool]] = []
    for m in _BRACKET.finditer(masked):
        found.append((m.start(), m.end(), _parse_bracket(m["body"]), False))
    taken = [(s, e) for s, e, _, _ in found]
    for m in _NARRATIVE.finditer(masked):
        if any(s <= m.start() < e for s, e in taken):
            continue
        locator = None
        if m["locator"]:
            try:
                locator = Locator.parse(m["locator"])
            except ValueError:
                locator = None
        cite = _Cite(m["key"] or m["keyb"], "", locator, "", False)
        found.append((m.start(), m.end(), [cite], True))
    found.sort(key=lambda f: f[0])
    return found


def cited_keys(text: str) -> list[str]:
    """The keys a manuscript cites, in order of first citation (code left out)."""
    masked = _CODE.sub(lambda m: "\0" * len(m.group()), text)
    keys = [c.key for _, _, cites, _ in _find(masked) for c in cites or []]
    return list(dict.fromkeys(keys))


def render_manuscript(
    text: str,
    sources: Mapping[str, Source],
    *,
    style: str | Style = "chicago-notes-bibliography",
    format: str = "markdown",
    bibliography: bool = True,
) -> RenderedManuscript:
    """Replace pandoc citations in a Markdown ``text`` by ``style``'s notes or citations.

    ``sources`` maps citation keys to sources. Code spans and fenced code are left alone.
    """
    chosen = style if isinstance(style, Style) else get_style(style)
    backend = get_backend(format)
    masked = _CODE.sub(lambda m: "\0" * len(m.group()), text)
    result = RenderedManuscript(text="")
    found = _find(masked)
    keys_in_order = [c.key for _, _, cites, _ in found for c in cites or [] if c.key in sources]
    library = [sources[k] for k in dict.fromkeys(keys_in_order)]
    if chosen.kind == "author-date" and hasattr(chosen, "with_library"):
        chosen = chosen.with_library(library)
    citer = Citer(chosen)
    own_notes = "[^" in masked
    notes: list[str] = []
    out: list[str] = []
    cursor = 0
    for start, end, cites, narrative in found:
        out.append(text[cursor:start])
        cursor = end
        missing = [c for c in cites or [] if c.key not in sources]
        if cites is None or missing:
            for c in missing:
                offset = text.find("@" + c.key, start, end)
                result.unknown.append(UnknownKey(c.key, *_line_col(text, max(offset, start))))
            out.append(text[start:end])
            continue
        items = [
            CitationItem(sources[c.key], c.locator, item_prefix(chosen, c.prefix), c.suffix)
            for c in cites
        ]
        rendered = _render(chosen, citer, backend.render, items, cites, narrative, notes, own_notes)
        if chosen.kind == "note" and not narrative:
            # A note number follows the punctuation and no space precedes it (CMOS 14.21).
            out[-1] = out[-1].rstrip(" ")
            if text[end : end + 1] in _NOTE_PUNCTUATION:
                rendered = text[end] + rendered
                cursor = end + 1
        out.append(rendered)
    out.append(text[cursor:])
    body = "".join(out)
    blocks = [body.rstrip("\n")]
    if notes:
        label = "cite-" if own_notes else ""
        blocks.append("\n".join(f"[^{label}{n}]: {note}" for n, note in enumerate(notes, 1)))
    if bibliography and library:
        heading = "Bibliography" if chosen.kind == "note" else "References"
        rendered = render_bibliography(library, style=chosen, format=backend.name).strip()
        blocks += [f"## {heading}", rendered]
    result.text = "\n\n".join(blocks) + "\n"
    result.cited = list(dict.fromkeys(keys_in_order))
    return result


def _render(
    style: Style,
    citer: Citer,
    render: Callable,
    items: list[CitationItem],
    cites: list[_Cite],
    narrative: bool,
    notes: list[str],
    own_notes: bool,
) -> str:
    """One citation in the text: a note marker (note styles) or the in-text citation."""
    if style.kind == "note":
        notes.append(render(citer.note(items)))
        marker = f"[^{'cite-' if own_notes else ''}{len(notes)}]"
        return f"{_names(items[0].source)}{marker}" if narrative else marker
    rendered = render(style.cite(items, position=Position.FIRST))
    source = items[0].source
    names = _names(source)
    if (narrative or cites[0].suppress_author) and names and rendered.startswith("(" + names):
        rest = rendered[len(names) + 1 :].lstrip(", ")
        return f"{names} ({rest}" if narrative else f"({rest}"
    return rendered
