"""What every backend does: walk the tree; subclasses say how each kind of node looks."""

from __future__ import annotations

from citekit.render.text import Container, Emph, Link, Node, Quoted, SmallCaps, Strong, Text

# Double quotes outside, single quotes inside (American usage, CMOS 6.9 and 13.30).
QUOTES = (("“", "”"), ("‘", "’"))


class Backend:
    """Render a rich-text tree; ``escape`` and the ``wrap_*`` hooks are the backend's own."""

    name = "base"

    def render(self, node: Node) -> str:
        """The node as a string in this backend's format."""
        out: list[str] = []
        self._walk(node, out, 0)
        return "".join(out)

    def _walk(self, node: Node, out: list[str], depth: int) -> None:
        if isinstance(node, Text):
            out.append(self.escape(node.text))
        elif isinstance(node, Quoted):
            left, right = QUOTES[depth % 2]
            out.append(self.escape(left))
            for child in node.children:
                self._walk(child, out, depth + 1)
            out.append(self.escape(right))
        elif isinstance(node, Link):
            out.append(self.link(node.url, self._inner(node.children, depth)))
        elif isinstance(node, Container):
            inner = self._inner(node.children, depth)
            if isinstance(node, Emph):
                out.append(self.emph(inner))
            elif isinstance(node, Strong):
                out.append(self.strong(inner))
            elif isinstance(node, SmallCaps):
                out.append(self.smallcaps(inner))
            else:
                out.append(inner)
        else:
            raise TypeError(f"not a rich-text node: {node!r}")

    def _inner(self, children: tuple[Node, ...], depth: int) -> str:
        out: list[str] = []
        for child in children:
            self._walk(child, out, depth)
        return "".join(out)

    def escape(self, text: str) -> str:
        return text

    def emph(self, inner: str) -> str:
        return inner

    def strong(self, inner: str) -> str:
        return inner

    def smallcaps(self, inner: str) -> str:
        return inner

    def link(self, url: str, label: str) -> str:
        return label or self.escape(url)

    # Document-level pieces for bibliographies.

    def heading(self, text: str) -> str:
        return self.escape(text)

    def entries(self, entries: list[str]) -> str:
        return "\n".join(entries)

    def document(self, blocks: list[str]) -> str:
        return "\n\n".join(blocks) + "\n" if blocks else ""
