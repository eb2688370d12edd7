"""The format base: decoding bytes once, binary detection, the registry and read_bytes."""

from __future__ import annotations

import codecs

import pytest

from citekit.errors import UnsupportedFormat
from citekit.formats import (
    BUILTINS,
    SUFFIXES,
    Failure,
    Notice,
    ParseResult,
    decode,
    format_for_suffix,
    get_format,
    read_bytes,
    sniff,
)

TEXT = "Trotsky, Leon. “Stalin Seeks My Death.” – Coyoacán, 1941 €"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16", "utf16-be", "utf32-le"],
)
def test_unicode_encodings_decode_silently(data: bytes) -> None:
    assert decode(data) == (TEXT, [])


def test_cp1252_fallback_is_a_warning_with_line() -> None:
    data = "line one\nCoyoacán “quoted” €\n".encode("cp1252")
    text, notices = decode(data)
    assert text == "line one\nCoyoacán “quoted” €\n"
    assert len(notices) == 1
    assert notices[0].line == 2
    assert "cp1252" in notices[0].message


def test_latin1_when_cp1252_cannot() -> None:
    # 0x81 is undefined in cp1252
    text, notices = decode(b"caf\xe9 \x81")
    assert text == "café \x81"
    assert "Latin-1" in notices[0].message


def test_utf16_without_bom_is_recognised() -> None:
    text, notices = decode("@book{a, title={X}}".encode("utf-16-le"))
    assert text == "@book{a, title={X}}"
    assert "UTF-16-LE" in notices[0].message


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"@book{a,\n title={x\x00y}}", "NUL byte at line 2"),
        (bytes(range(1, 32)) * 40, "control characters"),
        (codecs.BOM_UTF16_LE + b"\x00\xd8", "byte-order mark"),
    ],
)
def test_binary_input_is_a_clear_error(data: bytes, words: str) -> None:
    with pytest.raises(UnsupportedFormat, match=words):
        decode(data)


def test_a_stray_control_character_is_removed_and_reported() -> None:
    text, notices = decode(b"first\nsec\x1bond\n")
    assert text == "first\nsecond\n"
    assert notices == [Notice(2, "removed control character U+001B")]


def test_empty_input() -> None:
    assert decode(b"") == ("", [])
    result = read_bytes(b"")
    assert result.records == [] and result.failures == []
    assert "empty" in result.warnings[0].message


def test_registry_names_and_suffixes() -> None:
    assert set(BUILTINS) == {"bibtex", "biblatex", "csljson", "ris", "plaintext"}
    assert set(SUFFIXES.values()) <= set(BUILTINS)
    assert SUFFIXES[".bib"] == "bibtex"
    assert SUFFIXES[".json"] == "csljson"
    assert SUFFIXES[".ris"] == "ris"
    assert SUFFIXES[".txt"] == "plaintext"


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_each_builtin_declares_itself(name: str) -> None:
    fmt = get_format(name)
    assert fmt.name == name
    assert fmt.media_type
    for suffix in fmt.suffixes:
        assert format_for_suffix(f"refs{suffix.upper()}").name in (name, SUFFIXES[suffix])
    assert isinstance(fmt.parse(""), ParseResult)


def test_unknown_format_and_suffix() -> None:
    with pytest.raises(UnsupportedFormat, match="known formats: bibtex"):
        get_format("endnote")
    with pytest.raises(UnsupportedFormat, match=r"'refs\.docx'"):
        format_for_suffix("/tmp/refs.docx")
    assert get_format(" CSL-JSON ").name == "csljson"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('[{"id": "a", "type": "book"}]', "csljson"),
        ('\n  {"id": "a"}', "csljson"),
        ("TY  - BOOK\nER  - \n", "ris"),
        ("% comment\n@article{key,\n title = {x}}", "bibtex"),
        ("Deutscher, Isaac. The Prophet Outcast. 1963.", "plaintext"),
        ("  \n", None),
    ],
)
def test_sniff(text: str, name: str | None) -> None:
    assert sniff(text) == name


def test_read_bytes_by_name_suffix_and_sniff() -> None:
    data = codecs.BOM_UTF8 + b'[{"id": "x", "type": "book", "title": "Mein Leben"}]'
    for kwargs in ({"format": "csljson"}, {"filename": "lib.JSON"}, {}):
        result = read_bytes(data, **kwargs)
        assert [r.title for r in result.records] == ["Mein Leben"], kwargs
        assert result.ok


def test_read_bytes_puts_decoding_warnings_first() -> None:
    data = '[{"id": "x", "type": "book", "title": "Coyoacán"}]'.encode("cp1252")
    result = read_bytes(data, format="csljson")
    assert result.records[0].title == "Coyoacán"
    assert "cp1252" in result.warnings[0].message


def test_failure_and_notice_read_well() -> None:
    assert str(Failure(12, "@book{x,", "missing closing brace", "x")) == (
        "line 12 (x): missing closing brace"
    )
    assert str(Failure(None, "", "no records")) == "input: no records"
    assert str(Notice(3, "read as cp1252")) == "line 3: read as cp1252"
