"""Citation keys: ``deutscher1963prophet``, unique within a library, stable once given."""

from __future__ import annotations

import re
from collections.abc import Container

from anyascii import anyascii

from citekit.model.source import Source

STOP_WORDS = frozenset(
    "a an the and or of on in at to for from by with as is are was were be "
    "de la le les el der die das und von zu du des".split()
)


def _ascii_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", anyascii(text).lower())


def base_key(source: Source) -> str:
    """Family name of the first creator (else first title word), year, first significant title word.

    >>> base_key(Source(type="book", title="The Prophet Outcast",
    ...     creators=[{"family": "Deutscher", "given": "Isaac"}], issued="1963"))
    'deutscher1963prophet'
    """
    title_words = _ascii_words(source.title or "")
    significant = [w for w in title_words if w not in STOP_WORDS]
    who = ""
    if source.creators:
        first = source.authors[0] if source.authors else source.creators[0]
        who = "".join(_ascii_words(first.family or first.literal or first.given or "")[:1])
    if not who:
        who = (significant or title_words or ["anon"])[0]
        significant = significant[1:]
    year = str(source.year) if source.year is not None else ""
    word = significant[0] if significant else ""
    return f"{who}{year}{word}"[:90] or "anon"


def _suffixes() -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return list(letters) + [a + b for a in letters for b in letters]


def unique_key(base: str, taken: Container[str]) -> str:
    """``base`` if free, else ``base`` + a, b, …, z, aa, ab, …"""
    if base not in taken:
        return base
    for suffix in _suffixes():
        if base + suffix not in taken:
            return base + suffix
    raise ValueError(f"no free citation key left for {base!r}")


def make_key(source: Source, taken: Container[str]) -> str:
    """A new key for ``source`` that is not in ``taken``; a key the source has is kept as is."""
    if source.key:
        return source.key
    return unique_key(base_key(source), taken)
