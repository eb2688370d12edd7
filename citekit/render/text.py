"""A small backend-neutral rich-text tree that styles build and backends turn into text.

A style never writes markup or escapes anything: it builds nodes (``Text``, ``Emph``,
``Quoted``, ``Link``, ``Seq`` ...) and joins them with :func:`join`, which knows the punctuation
rules every style shares: no doubled marks (``2010..``, ``Exile?.``), and Chicago's periods and
commas inside closing quotation marks (``“Trotsky in Exile,”``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Marks that end a sentence; a period after any of them is dropped.
TERMINAL = frozenset(".?!…")
# Marks that move inside a closing quotation mark (American usage, CMOS 6.9).
INSIDE_QUOTES = frozenset(".,")
SEPARATOR_MARKS = ".,;:"


class Node:
    """Base of the rich-text tree; a node is immutable."""

    __slots__ = ()

    def plain(self) -> str:
        """The text without markup (quotation marks included)."""
        raise NotImplementedError

    def tail(self) -> str:
        """The last character of the text, looking through closing quotation marks."""
        raise NotImplementedError

    def __bool__(self) -> bool:
        return bool(self.tail())


@dataclass(frozen=True, slots=True)
class Text(Node):
    """Literal text: ``Text("Oxford University Press")``."""

    text: str

    def plain(self) -> str:
        return self.text

    def tail(self) -> str:
        return self.text[-1:]


@dataclass(frozen=True, slots=True)
class Container(Node):
    """A node holding other nodes; subclasses say how the backend marks them up."""

    children: tuple[Node, ...]

    def plain(self) -> str:
        return "".join(child.plain() for child in self.children)

    def tail(self) -> str:
        for child in reversed(self.children):
            last = child.tail()
            if last:
                return last
        return ""

    def with_children(self, children: tuple[Node, ...]) -> Container:
        return type(self)(children)


class Seq(Container):
    """Nodes one after the other, no markup."""

    __slots__ = ()


class Emph(Container):
    """Italics: titles of books and journals, *Ibid.* in older styles."""

    __slots__ = ()


class Strong(Container):
    """Bold (rare in humanities styles, used by some CSL styles)."""

    __slots__ = ()


class SmallCaps(Container):
    """Small capitals."""

    __slots__ = ()


class Quoted(Container):
    """Text in quotation marks; the backend picks double or (nested) single curly quotes."""

    __slots__ = ()

    def plain(self) -> str:
        return "“" + super().plain() + "”"


@dataclass(frozen=True, slots=True)
class Link(Node):
    """A hyperlink; with no label the URL itself is shown."""

    url: str
    children: tuple[Node, ...] = ()

    def plain(self) -> str:
        return "".join(c.plain() for c in self.children) if self.children else self.url

    def tail(self) -> str:
        return self.plain()[-1:]


Part = Node | str | None


def node(part: Part) -> Node:
    """A node from a node, a string or None (empty text)."""
    if part is None:
        return EMPTY
    if isinstance(part, str):
        return Text(part)
    return part


def _nodes(parts: Iterable[Part]) -> tuple[Node, ...]:
    return tuple(n for n in (node(p) for p in parts) if n)


def seq(*parts: Part) -> Node:
    """The parts one after the other, dropping empty ones: ``seq("p. ", "45")``."""
    children = _nodes(parts)
    if not children:
        return EMPTY
    return children[0] if len(children) == 1 else Seq(children)


def emph(*parts: Part) -> Node:
    """Italics around the parts (empty if they are)."""
    children = _nodes(parts)
    return Emph(children) if children else EMPTY


def strong(*parts: Part) -> Node:
    """Bold around the parts."""
    children = _nodes(parts)
    return Strong(children) if children else EMPTY


def smallcaps(*parts: Part) -> Node:
    """Small capitals around the parts."""
    children = _nodes(parts)
    return SmallCaps(children) if children else EMPTY


def quoted(*parts: Part) -> Node:
    """Curly quotation marks around the parts: ``quoted("Trotsky in Exile")``."""
    children = _nodes(parts)
    return Quoted(children) if children else EMPTY


def link(url: str | None, *label: Part) -> Node:
    """A link to ``url`` showing ``label`` (or the URL itself)."""
    if not url:
        return seq(*label)
    return Link(url, _nodes(label))


def punctuate(part: Part, mark: str) -> Node:
    """``part`` followed by ``mark`` (``"."``, ``","``, ``";"``, ``":"``) without doubling it.

    A period after ``?``, ``!`` or ``.`` is dropped; the same mark twice is dropped; periods and
    commas go inside a closing quotation mark: ``punctuate(quoted("Exile"), ",")`` → ``“Exile,”``.
    """
    base = node(part)
    if not mark:
        return base
    last = base.tail()
    if not last:
        return base
    if (mark == "." and last in TERMINAL) or last == mark:
        return base
    if mark in INSIDE_QUOTES:
        moved = _inside_quotes(base, mark)
        if moved is not None:
            return moved
    return Seq((base, Text(mark)))


def _inside_quotes(base: Node, mark: str) -> Node | None:
    """``base`` with ``mark`` inside its closing quotation mark, or None if it ends no quote."""
    if isinstance(base, Quoted):
        return Quoted((punctuate(Seq(base.children), mark),))
    if isinstance(base, Seq) and base.children:
        inner = _inside_quotes(base.children[-1], mark)
        if inner is not None:
            return Seq((*base.children[:-1], inner))
    return None


def _split_separator(sep: str) -> tuple[str, str]:
    """``", "`` → ``(",", " ")``; ``" "`` → ``("", " ")``."""
    i = 0
    while i < len(sep) and sep[i] in SEPARATOR_MARKS:
        i += 1
    return sep[:i], sep[i:]


def join(parts: Iterable[Part], sep: str = ", ", *, end: str = "") -> Node:
    """The non-empty parts joined by ``sep``, then ``end``, with :func:`punctuate`'s rules.

    ``join(["Trotsky, Leon", emph("My Life")], ". ", end=".")`` → ``Trotsky, Leon. *My Life*.``
    """
    children = _nodes(parts)
    if not children:
        return EMPTY
    mark, space = _split_separator(sep)
    acc = children[0]
    for child in children[1:]:
        acc = (
            Seq((punctuate(acc, mark), Text(space), child))
            if space
            else seq(punctuate(acc, mark), child)
        )
    return punctuate(acc, end) if end else acc


def sentence(*parts: Part, sep: str = ". ") -> Node:
    """Parts joined into sentences ending with a period: Chicago's bibliography blocks."""
    return join(parts, sep, end=".")


def smarten(part: Node, depth: int = 0) -> Node:
    """Typographer's quotation marks and apostrophes in every text (never in a link target).

    ``Trotsky's`` → ``Trotsky’s``, ``'Tis`` → ``’Tis``; quoted words in straight marks get curly
    double ones, single inside a quotation (``“On the ‘Permanent Revolution’”``), CMOS 6.9.
    """
    if isinstance(part, Text):
        return Text(_smart(part.text, depth)) if "'" in part.text or '"' in part.text else part
    if isinstance(part, Container):
        inner = depth + 1 if isinstance(part, Quoted) else depth
        return part.with_children(tuple(smarten(c, inner) for c in part.children))
    if isinstance(part, Link) and part.children:
        return Link(part.url, tuple(smarten(c, depth) for c in part.children))
    return part


def capitalize_first(part: Node) -> Node:
    """The first letter upper-cased, as a note begins: ``de Gaulle, …`` → ``De Gaulle, …``."""
    if isinstance(part, Text):
        for i, ch in enumerate(part.text):
            if ch.isalpha():
                return Text(part.text[:i] + ch.upper() + part.text[i + 1 :])
            if not ch.isspace() and ch not in "“‘\"'([":
                return part
        return part
    if isinstance(part, Container) and part.children:
        return part.with_children((capitalize_first(part.children[0]), *part.children[1:]))
    return part


def _smart(text: str, depth: int = 0) -> str:
    # American usage: a quotation is in double marks, a quotation inside it in single ones,
    # whichever straight marks the record used; a lone ' is an apostrophe.
    marks = ("“", "”") if depth % 2 == 0 else ("‘", "’")
    out = []
    open_single = False
    for i, ch in enumerate(text):
        if ch not in "'\"":
            out.append(ch)
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        opening = before.isspace() or before in "(“‘[—–-"
        if ch == '"':
            out.append(marks[0] if opening and not after.isspace() else marks[1])
        elif opening and after.isalpha() and not _elision(text, i):
            out.append(marks[0])
            open_single = True
        elif open_single and not after.isalnum():
            out.append(marks[1])
            open_single = False
        else:
            out.append("’")
    return "".join(out)


def _elision(text: str, i: int) -> bool:
    """``'Tis``, ``'90s``: an apostrophe that opens no quotation."""
    return text[i + 1 : i + 4].lower() in ("tis", "twa") or text[i + 1 : i + 2].isdigit()


EMPTY: Node = Seq(())
