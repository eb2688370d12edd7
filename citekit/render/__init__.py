"""Rendering: styles build rich text (:mod:`citekit.render.text`), backends format it.

``render_bibliography(sources, style="chicago-notes-bibliography", format="html")`` and
``render_citation([CitationItem.of(source, "45")], style=..., position=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from citekit.model import Source
from citekit.render.backends import get_backend, render
from citekit.render.styles import (
    CitationItem,
    Citer,
    NoteTracker,
    Position,
    Style,
    get_style,
    list_styles,
)

# Headings of the default groups, in the order the demo article gives them.
GROUP_HEADINGS = {"image": "Images", "primary": "Primary", "secondary": "Secondary"}
GROUP_ORDER = ("image", "primary", "secondary")


def group_heading(group: str) -> str:
    """``image`` → ``Images``; a user's own group keeps its name, capitalised."""
    return GROUP_HEADINGS.get(group, group[:1].upper() + group[1:])


def ordered_groups(groups: Iterable[str]) -> list[str]:
    """Images, Primary, Secondary first, then any other group alphabetically."""
    present = set(groups)
    known = [g for g in GROUP_ORDER if g in present]
    return known + sorted(present - set(GROUP_ORDER), key=str.casefold)


def _style(style: str | Style) -> Style:
    return style if isinstance(style, Style) else get_style(style)


def render_bibliography(
    sources: Iterable[Source],
    *,
    style: str | Style = "chicago-notes-bibliography",
    format: str = "text",
    grouped: bool = False,
    group: str | None = None,
) -> str:
    """A bibliography, sorted as the style's manual says, flat or under group headings."""
    chosen = _style(style)
    backend = get_backend(format)
    records = [s for s in sources if group is None or s.group == group]
    if not grouped:
        entries = [backend.render(n) for n in chosen.bibliography(records)]
        return backend.document([backend.entries(entries)] if entries else [])
    by_group: dict[str, list[Source]] = {}
    for source in records:
        by_group.setdefault(source.group or "secondary", []).append(source)
    blocks: list[str] = []
    for name in ordered_groups(by_group):
        entries = [backend.render(n) for n in chosen.bibliography(by_group[name])]
        blocks += [backend.heading(group_heading(name)), backend.entries(entries)]
    return backend.document(blocks)


def render_citation(
    items: Sequence[CitationItem],
    *,
    style: str | Style = "chicago-notes-bibliography",
    format: str = "text",
    position: Position | Sequence[Position] = Position.FIRST,
) -> str:
    """One note or in-text citation of ``items`` at the given position(s)."""
    return render(_style(style).cite(items, position=position), format)


def render_notes(
    notes: Iterable[Sequence[CitationItem]],
    *,
    style: str | Style = "chicago-notes-bibliography",
    format: str = "text",
) -> list[str]:
    """Successive notes, each full, short or *Ibid.* as the style decides from the history."""
    citer = Citer(_style(style))
    return [render(citer.note(items), format) for items in notes]


__all__ = [
    "CitationItem",
    "Citer",
    "NoteTracker",
    "Position",
    "Style",
    "get_style",
    "group_heading",
    "list_styles",
    "ordered_groups",
    "render",
    "render_bibliography",
    "render_citation",
    "render_notes",
]
