"""What every format shares: parse results, failures as data, and decoding bytes once.

A format module (``bibtex.py``, ``csljson.py``, ...) offers pure ``parse(text) -> ParseResult``
and ``write(records, **options) -> str`` and exposes them as a module-level ``FORMAT``. Bytes,
byte-order marks and legacy encodings are handled here, never in a format.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from citekit.errors import UnsupportedFormat
from citekit.model import Source


@dataclass(frozen=True)
class Failure:
    """An entry a reader could not turn into a record: where, what it said, and why."""

    line: int | None
    raw: str
    reason: str
    key: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "input"
        who = f" ({self.key})" if self.key else ""
        return f"{where}{who}: {self.reason}"


@dataclass(frozen=True)
class Notice:
    """Something a reader did that the user should know about (a guessed encoding, say)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


@dataclass
class ParseResult:
    """Every record a reader could read, a failure per entry it could not, and its warnings.

    ``uncertain`` maps a record's index in ``records`` to the fields the reader guessed.
    """

    records: list[Source] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    uncertain: dict[int, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.failures


Parser = Callable[[str], ParseResult]
# ``write(records, **options)``: each format has options of its own (``ascii=True``, ``indent``).
Writer = Callable[..., str]


@dataclass(frozen=True)
class Format:
    """A registered format: name, file suffixes, media type, ``parse`` and ``write``."""

    name: str
    suffixes: tuple[str, ...]
    media_type: str
    parse: Parser
    write: Writer
    description: str = ""


# Signatures of files people upload by mistake, so the error can say what the file is.
MAGIC: dict[bytes, str] = {
    b"%PDF-": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.xlsx/.odt document)",
    b"\x1f\x8b": "a gzip archive",
    b"\x89PNG\r\n\x1a\n": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "an old Microsoft Office document",
    b"SQLite format 3\x00": "an SQLite database",
    b"\x7fELF": "an executable",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"{\\rtf": "an RTF document",
}

# Longest first, so that the UTF-32 LE mark is not taken for the UTF-16 LE mark it begins with.
BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
]

# C0 controls and DEL that have no business in a bibliography (tab, newlines, form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Above this share of control characters the input is binary, not text with a stray byte.
BINARY_RATIO = 0.005


def _line_at(data: bytes | str, offset: int) -> int:
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a mark shows as a NUL in every other byte of ASCII text."""
    if len(data) < 4 or len(data) % 2:
        return None
    sample = data[:4096]
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _reject_binary(data: bytes) -> None:
    for magic, what in MAGIC.items():
        if data.startswith(magic):
            raise UnsupportedFormat(f"this file is {what}, not a bibliography in a text format")
    if b"\x00" in data:
        line = _line_at(data, data.index(b"\x00"))
        raise UnsupportedFormat(
            f"binary input: NUL byte at line {line}; "
            "expected a text file (BibTeX, CSL-JSON, RIS or a plain-text bibliography)"
        )


def _strip_controls(text: str, notices: list[Notice]) -> str:
    found = list(_CONTROL.finditer(text))
    if not found:
        return text
    if len(found) > max(2, BINARY_RATIO * len(text)):
        raise UnsupportedFormat(
            f"binary input: {len(found)} control characters in {len(text)} "
            f"(first at line {_line_at(text, found[0].start())}); expected a text file"
        )
    for match in found:
        notices.append(
            Notice(
                _line_at(text, match.start()),
                f"removed control character U+{ord(match.group()):04X}",
            )
        )
    return _CONTROL.sub("", text)


def decode(data: bytes) -> tuple[str, list[Notice]]:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16/32 with BOM, else cp1252 with a warning.

    Binary input raises :class:`citekit.errors.UnsupportedFormat` with a message that says why.
    """
    notices: list[Notice] = []
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnsupportedFormat(
                    f"the file starts with a {encoding.upper()} byte-order mark but is not "
                    f"{encoding.upper()}: undecodable bytes at offset {exc.start + len(bom)}"
                ) from None
            return _strip_controls(text, notices), notices
    guessed = _utf16_without_bom(data)
    if guessed is not None:
        try:
            text = data.decode(guessed)
        except UnicodeDecodeError:
            pass
        else:
            notices.append(Notice(None, f"no byte-order mark: read as {guessed.upper()}"))
            return _strip_controls(text, notices), notices
    _reject_binary(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_at(data, exc.start)
        try:
            text = data.decode("cp1252")
            legacy = "Windows-1252 (cp1252)"
        except UnicodeDecodeError:
            # cp1252 leaves five bytes undefined; Latin-1 maps every byte.
            text = data.decode("latin-1")
            legacy = "Latin-1 (ISO-8859-1)"
        notices.append(
            Notice(
                line,
                f"not UTF-8 (first bad byte 0x{data[exc.start]:02X} here): read as {legacy}; "
                "check accented characters",
            )
        )
    return _strip_controls(text, notices), notices


def suffix_of(filename: str | PurePath) -> str:
    """``"refs.BIB"`` → ``".bib"``."""
    return PurePath(filename).suffix.lower()


def sniff(text: str) -> str | None:
    """Guess a format name from the text itself, for input that comes without a name."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if not head:
        return None
    if head[0] in "[{":
        return "csljson"
    if re.match(r"TY\s*-", head):
        return "ris"
    if re.search(r"^\s*@\s*[A-Za-z]+\s*[{(]", head, re.MULTILINE):
        return "bibtex"
    return "plaintext"


def choose_format(
    text: str, *, format: str | None = None, filename: str | PurePath | None = None
) -> Format | None:
    """The format named, else the one for the file's suffix, else a guess from the text.

    None for empty text with nothing to go by.
    """
    from citekit.formats import format_for_suffix, get_format

    if format is not None:
        return get_format(format)
    if filename is not None and suffix_of(filename):
        return format_for_suffix(filename)
    name = sniff(text)
    return get_format(name) if name is not None else None


def read_bytes(
    data: bytes,
    *,
    format: str | None = None,
    filename: str | PurePath | None = None,
) -> ParseResult:
    """Decode once and parse with the format named, else the one for the file's suffix, else sniff.

    Decoding warnings come first in ``warnings``.
    """
    text, notices = decode(data)
    chosen = choose_format(text, format=format, filename=filename)
    if chosen is None:
        return ParseResult(warnings=[*notices, Notice(None, "empty input: no records")])
    result = chosen.parse(text)
    result.warnings[:0] = notices
    return result
