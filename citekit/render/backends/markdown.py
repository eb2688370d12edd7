"""Markdown (CommonMark): specials escaped, ``*emphasis*``, ``[label](url)`` or ``<url>``."""

from __future__ import annotations

import re

from citekit.render.backends.base import Backend
from citekit.render.text import Node

# Characters with a meaning somewhere in CommonMark inline or block syntax.
_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~!])")
_ORDERED = re.compile(r"^(\d+)([.)])")
_URL_UNSAFE = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}


class MarkdownBackend(Backend):
    """Markdown for notes and bibliographies pasted into Markdown documents."""

    name = "markdown"

    def escape(self, text: str) -> str:
        return _SPECIAL.sub(r"\\\1", text)

    def render(self, node: Node) -> str:
        out = super().render(node)
        # "1. Foo" or "- Foo" at the start of a line would become a list item.
        out = _ORDERED.sub(r"\1\\\2", out)
        if out[:1] in ("-", "+", "="):
            out = "\\" + out
        return out

    def emph(self, inner: str) -> str:
        return f"*{inner}*" if inner else ""

    def strong(self, inner: str) -> str:
        return f"**{inner}**" if inner else ""

    def link(self, url: str, label: str) -> str:
        target = "".join(_URL_UNSAFE.get(ch, ch) for ch in url)
        if not label or label == self.escape(url):
            return f"<{target}>"
        return f"[{label}]({target})"

    def heading(self, text: str) -> str:
        return f"### {self.escape(text)}"

    def entries(self, entries: list[str]) -> str:
        return "\n\n".join(entries)
