"""The format registry: built-in formats by name and by file suffix.

Each built-in is a module of ``citekit.formats`` exposing ``FORMAT: Format``; it is imported
the first time it is asked for, so importing the registry does no work.

>>> get_format("csljson").name
'csljson'
>>> format_for_suffix("refs.bib").name
'bibtex'
"""

from __future__ import annotations

from importlib import import_module
from pathlib import PurePath

from citekit.errors import UnsupportedFormat
from citekit.formats.base import (
    Failure,
    Format,
    Notice,
    ParseResult,
    choose_format,
    decode,
    read_bytes,
    sniff,
    suffix_of,
)

BUILTINS: dict[str, str] = {
    "bibtex": "citekit.formats.bibtex",
    "biblatex": "citekit.formats.biblatex",
    "csljson": "citekit.formats.csljson",
    "ris": "citekit.formats.ris",
    "plaintext": "citekit.formats.plaintext",
}

SUFFIXES: dict[str, str] = {
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".json": "csljson",
    ".csljson": "csljson",
    ".ris": "ris",
    ".txt": "plaintext",
}

# Alternative names people use, on the command line and in API parameters.
ALIASES: dict[str, str] = {
    "bib": "bibtex",
    "csl": "csljson",
    "csl-json": "csljson",
    "json": "csljson",
    "text": "plaintext",
    "txt": "plaintext",
}


def get_format(name: str) -> Format:
    """The built-in format called ``name``: bibtex, biblatex, csljson, ris or plaintext."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in BUILTINS:
        known = ", ".join(BUILTINS)
        raise UnsupportedFormat(f"unknown format {name!r}; known formats: {known}")
    return import_module(BUILTINS[key]).FORMAT


def format_for_suffix(path: str | PurePath) -> Format:
    """The format for a file name's suffix: ``.bib`` → bibtex, ``.json`` → csljson, ..."""
    suffix = suffix_of(path)
    if suffix not in SUFFIXES:
        known = ", ".join(SUFFIXES)
        raise UnsupportedFormat(
            f"cannot tell the format of {PurePath(path).name!r} from its suffix "
            f"(known: {known}); name the format"
        )
    return get_format(SUFFIXES[suffix])


def available_formats() -> list[Format]:
    """Every built-in format, in registry order."""
    return [get_format(name) for name in BUILTINS]


__all__ = [
    "BUILTINS",
    "SUFFIXES",
    "Failure",
    "Format",
    "Notice",
    "ParseResult",
    "available_formats",
    "choose_format",
    "decode",
    "format_for_suffix",
    "get_format",
    "read_bytes",
    "sniff",
    "suffix_of",
]
