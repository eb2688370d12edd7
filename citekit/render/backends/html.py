"""HTML fragments: every text escaped, so a title holding ``<script>`` shows as text."""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from citekit.render.backends.base import Backend

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})


class HtmlBackend(Backend):
    """``<i>`` for italics, ``<a href>`` for links (http/https/mailto/ftp only)."""

    name = "html"

    def escape(self, text: str) -> str:
        return escape(text, quote=True)

    def emph(self, inner: str) -> str:
        return f"<i>{inner}</i>"

    def strong(self, inner: str) -> str:
        return f"<b>{inner}</b>"

    def smallcaps(self, inner: str) -> str:
        return f'<span style="font-variant:small-caps">{inner}</span>'

    def link(self, url: str, label: str) -> str:
        shown = label or self.escape(url)
        # A javascript: or data: URL in a record must never become a live link.
        if urlsplit(url).scheme.lower() not in SAFE_SCHEMES:
            return shown
        return f'<a href="{self.escape(url)}">{shown}</a>'

    def heading(self, text: str) -> str:
        return f"<h3>{self.escape(text)}</h3>"

    def entries(self, entries: list[str]) -> str:
        body = "\n".join(f'  <div class="csl-entry">{e}</div>' for e in entries)
        return f'<div class="csl-bib-body">\n{body}\n</div>'

    def document(self, blocks: list[str]) -> str:
        return "\n".join(blocks) + "\n" if blocks else ""
