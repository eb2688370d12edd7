"""Backends turn a rich-text tree into plain text, HTML or Markdown; escaping happens only here."""

from __future__ import annotations

from citekit.errors import UnsupportedFormat
from citekit.render.backends.base import Backend
from citekit.render.backends.html import HtmlBackend
from citekit.render.backends.markdown import MarkdownBackend
from citekit.render.backends.text import TextBackend
from citekit.render.text import Node

BACKENDS: dict[str, Backend] = {
    "text": TextBackend(),
    "html": HtmlBackend(),
    "markdown": MarkdownBackend(),
}
ALIASES = {"txt": "text", "plain": "text", "md": "markdown", "htm": "html"}


def get_backend(name: str) -> Backend:
    """The backend for ``"text"``, ``"html"`` or ``"markdown"`` (``md``, ``txt`` also work)."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    try:
        return BACKENDS[key]
    except KeyError:
        known = ", ".join(BACKENDS)
        raise UnsupportedFormat(f"unknown output format {name!r} (known: {known})") from None


def render(node: Node, format: str = "text") -> str:
    """Render a rich-text node: ``render(emph("My Life"), "markdown")`` → ``*My Life*``."""
    return get_backend(format).render(node)


__all__ = ["BACKENDS", "Backend", "get_backend", "render"]
