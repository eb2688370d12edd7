"""Plain text: no markup; links show their URL."""

from __future__ import annotations

from citekit.render.backends.base import Backend


class TextBackend(Backend):
    """Plain Unicode text (curly quotes kept, italics dropped)."""

    name = "text"

    def link(self, url: str, label: str) -> str:
        # A label that is not the URL would hide where the link goes in plain text.
        return url if label in ("", url) else f"{label} ({url})"
