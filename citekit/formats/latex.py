"""LaTeX ⇄ Unicode for BibTeX values: decode field by field, remember ``{Case Protection}``.

Reading: ``to_unicode(r"The {DNA} of \\"{o}")`` → ``("The DNA of ö", [(4, "DNA")])``. Common
accents and escapes are decoded here directly (pylatexenc needs about 0.5 ms a field); anything
else that holds a backslash or math goes through pylatexenc. Writing: ``to_latex`` escapes every
character that could end a field, start an entry or change meaning, and puts the remembered
protected spans back in braces.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Deeper nesting than this is no bibliography (and would exhaust pylatexenc's recursion).
MAX_DEPTH = 64

# Private-use characters (plane 15, which no bibliography uses) mark protected groups and decoded
# escapes while the text is decoded, so neither pylatexenc nor the quick path reinterprets them.
_OPEN, _CLOSE = "\U000f0000", "\U000f0001"

# Escapes people write in BibTeX and the characters they stand for (also what the writer emits).
ESCAPES: dict[str, str] = {
    r"\{": "{",
    r"\}": "}",
    r"\%": "%",
    r"\#": "#",
    r"\&": "&",
    r"\$": "$",
    r"\_": "_",
    r"\textbraceleft": "{",
    r"\textbraceright": "}",
    r"\textbackslash": "\\",
    r"\textasciitilde": "~",
    r"\textasciicircum": "^",
    r"\textunderscore": "_",
    r"\textdollar": "$",
    r"\textpercent": "%",
    r"\textendash": "–",
    r"\textemdash": "—",
    r"\textquoteleft": "‘",
    r"\textquoteright": "’",
    r"\textquotedblleft": "“",
    r"\textquotedblright": "”",
    r"\ss": "ß",
    r"\SS": "SS",
    r"\o": "ø",
    r"\O": "Ø",
    r"\l": "ł",
    r"\L": "Ł",
    r"\ae": "æ",
    r"\AE": "Æ",
    r"\oe": "œ",
    r"\OE": "Œ",
    r"\aa": "å",
    r"\AA": "Å",
    r"\i": "ı",
    r"\j": "ȷ",
    r"\dh": "ð",
    r"\DH": "Ð",
    r"\th": "þ",
    r"\TH": "Þ",
    r"\dj": "đ",
    r"\DJ": "Đ",
    r"\ng": "ŋ",
    r"\NG": "Ŋ",
    r"\S": "§",
    r"\P": "¶",
    r"\copyright": "©",
    r"\pounds": "£",
    r"\euro": "€",
    r"\ldots": "…",
    r"\dots": "…",
    r"\textellipsis": "…",
    r"\guillemotleft": "«",
    r"\guillemotright": "»",
    r"\textregistered": "®",
    r"\texttrademark": "™",
    r"\textdegree": "°",
}
_SENTINEL_BASE = 0xF0010
_SENTINELS = {latex: chr(_SENTINEL_BASE + i) for i, latex in enumerate(ESCAPES)}
_FROM_SENTINEL = str.maketrans(
    {chr(_SENTINEL_BASE + i): ch for i, ch in enumerate(ESCAPES.values())}
)
# Word commands swallow the braces or spaces after them: ``\ss{}``, ``\o ``, ``\textbackslash{}``.
_ESCAPE_RE = re.compile(
    r"(\\(?:"
    + "|".join(re.escape(k[1:]) for k in sorted(ESCAPES, key=len, reverse=True) if k[1:].isalpha())
    + r")(?![A-Za-z]))(?:\{\}|[ \t]*)|(\\[{}%#&$_])"
)
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")

COMBINING: dict[str, str] = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}
# \"o  \"{o}  {\"o}  \'{\i}  \c{c}  \c c  \u{\i}
_ACCENT_RE = re.compile(
    r"""\\(?:(?P<sym>["'`^~=.])\s*|(?P<let>[uvHckrdb])(?=[\s{]))\s*"""
    r"(?:\{\s*(?P<barg>\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(?P<arg>\\[ij](?![A-Za-z])|[A-Za-z]))"
)
_BLANKS = re.compile(r"[ \t\r\n]+")
_PARAGRAPHS = re.compile(r"[ \t\r]*\n[ \t\r]*\n[ \t\r\n]*")
_MARKS = re.compile(f"([{_OPEN}{_CLOSE}])")
_BRACE = re.compile(r"[{}]")
_ESCAPED_BRACE = re.compile(r"\\[{}]|\\$")
_SPECIAL = re.compile(r"[\\{}~$]|--|``|''")
_COMMAND_BEFORE = re.compile(r"\\(?:[A-Za-z]+|.)\s*$")
_BRACE_OR_ESCAPE = re.compile(r"\\[{}]|[{}]")


class LatexError(ValueError):
    """A value that is not well-formed LaTeX (unbalanced or absurdly nested braces)."""


def _accent(match: re.Match[str]) -> str:
    base = match["barg"] or match["arg"]
    base = {"\\i": "i", "\\j": "j"}.get(base, base)
    mark = COMBINING[match["sym"] or match["let"]]
    return unicodedata.normalize("NFC", base + mark)


def check_braces(text: str) -> int:
    """The deepest brace nesting in ``text``; raises LatexError if unbalanced or too deep.

    Counts braces the way BibTeX does (a backslash does not hide one).
    """
    depth = deepest = 0
    for match in _BRACE.finditer(text):
        if match.group() == "{":
            depth += 1
            if depth > MAX_DEPTH:
                raise LatexError(f"braces nested deeper than {MAX_DEPTH} levels")
            deepest = max(deepest, depth)
        else:
            depth -= 1
            if depth < 0:
                raise LatexError(
                    f"unbalanced braces: a '}}' at offset {match.start()} closes nothing"
                )
    if depth:
        raise LatexError(f"unbalanced braces: {depth} '{{' not closed")
    return deepest


def check_group(text: str) -> None:
    """Raise LatexError unless ``text`` can sit between ``{`` and ``}`` as it is.

    Beyond balance: no ``\\{``, ``\\}`` or trailing backslash, which BibTeX counts as braces
    and bibtexparser does not.
    """
    check_braces(text)
    if _ESCAPED_BRACE.search(text):
        raise LatexError("a backslash before a brace (or at the end)")


def _mark_protection(text: str) -> str:
    """Top-level ``{groups}`` that are not command arguments nor ``{\\"o}`` become marked spans."""
    out: list[str] = []
    depth = 0
    last = 0
    opener = -1
    for match in _BRACE_OR_ESCAPE.finditer(text):
        token = match.group()
        if len(token) == 2:  # \{ or \} is text
            continue
        if token == "{":
            if depth == 0:
                before = text[last : match.start()]
                window = text[max(0, match.start() - 40) : match.start()]
                is_argument = bool(_COMMAND_BEFORE.search(window))
                is_special = text.startswith("\\", match.end())
                opener = -1 if is_argument or is_special else match.start()
                if opener >= 0:
                    out.append(before)
                    out.append(_OPEN)
                    last = match.end()
            depth += 1
            if depth > MAX_DEPTH:
                raise LatexError(f"braces nested deeper than {MAX_DEPTH} levels")
        else:
            depth -= 1
            if depth < 0:
                raise LatexError("unbalanced braces: a '}' closes nothing")
            if depth == 0 and opener >= 0:
                out.append(text[last : match.start()])
                out.append(_CLOSE)
                last = match.end()
                opener = -1
    if depth:
        raise LatexError(f"unbalanced braces: {depth} '{{' not closed")
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="verbatim", keep_comments=False, strict_latex_spaces=True)


def _quick(text: str) -> str:
    """What pylatexenc would make of text without commands or math, in a fraction of the time."""
    text = text.replace("---", "—").replace("--", "–").replace("``", "“").replace("''", "”")
    return text.replace("~", "\xa0").replace("{", "").replace("}", "")


def _normalise_space(text: str) -> str:
    if "\n" not in text and "  " not in text and "\t" not in text and "\r" not in text:
        return text.strip(" ")
    # not str.split(): that would also eat the no-break spaces that ``~`` stands for
    paragraphs = _PARAGRAPHS.split(text.strip(" \t\r\n"))
    return "\n\n".join(_BLANKS.sub(" ", p).strip(" ") for p in paragraphs)


def to_unicode(raw: str, *, protect: bool = True) -> tuple[str, list[tuple[int, str]]]:
    """LaTeX text (field delimiters removed) → Unicode and its protected spans ``(offset, text)``.

    >>> to_unicode(r"{DNA} in Z{\\"u}rich")
    ('DNA in Zürich', [(0, 'DNA')])
    """
    if not _SPECIAL.search(raw):
        return _normalise_space(raw), []
    text = _UNESCAPED_PERCENT.sub(r"\\%", raw)
    if protect:
        text = _mark_protection(text)
    else:
        check_braces(text)
    text = _ACCENT_RE.sub(_accent, text)
    text = _ESCAPE_RE.sub(lambda m: _SENTINELS[m.group(1) or m.group(2)], text)
    # pylatexenc only where a command or math is left: it costs about 0.5 ms a field
    if "\\" in text or "$" in text:
        try:
            text = _converter().latex_to_text(text)
        except Exception as exc:  # pylatexenc on input nobody planned for: a failure, not a crash
            raise LatexError(
                f"cannot read the LaTeX in this value ({type(exc).__name__})"
            ) from None
    else:
        text = _quick(text)
    text = _normalise_space(text.translate(_FROM_SENTINEL))
    if _OPEN not in text:
        return text, []
    spans: list[tuple[int, str]] = []
    plain: list[str] = []
    size = 0
    start = -1
    for piece in _MARKS.split(text):
        if piece == _OPEN:
            start = size
        elif piece == _CLOSE:
            if start >= 0 and size > start:
                spans.append((start, "".join(plain)[start:size]))
            start = -1
        else:
            plain.append(piece)
            size += len(piece)
    return "".join(plain), spans


# -- writing ----------------------------------------------------------------------------------

# Never a raw brace (BibTeX counts braces even after a backslash), never a bare # % & $ _ ~ ^.
_WRITE_ESCAPES: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "$": r"\$",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\xa0": "~",
}
_WRITE_RE = re.compile(r"[\\{}%#&$_~^\xa0]|(?<=-)-|(?<=`)`|(?<=')'")
_LIGATURE_BREAK = {"-": "{}-", "`": "{}`", "'": "{}'"}


# Symbols written as commands in ASCII output (the accented letters come from Unicode's tables).
_ASCII_SYMBOLS = {
    ch: f"{{{latex}}}"
    for latex, ch in ESCAPES.items()
    if len(ch) == 1 and not ch.isascii() and latex[1:].isalpha()
}


@lru_cache(maxsize=1)
def ascii_table() -> dict[int, str]:
    """Unicode → LaTeX for ASCII output: letters with one accent (``{\\H{U}}``) and symbols.

    Built from the same tables the reader decodes with, so every encoded character reads back
    as itself; pylatexenc's encoder is not used, as it writes some letters wrongly (Ű as \\'U).
    """
    marks = {mark: command for command, mark in COMBINING.items()}
    table: dict[int, str] = {ord(ch): latex for ch, latex in _ASCII_SYMBOLS.items()}
    for code in range(0xC0, 0x250):
        parts = unicodedata.normalize("NFD", chr(code))
        if len(parts) == 2 and parts[0].isascii() and parts[0].isalpha() and parts[1] in marks:
            table.setdefault(code, f"{{\\{marks[parts[1]]}{{{parts[0]}}}}}")
    return table


def escape(text: str, *, ascii: bool = False) -> str:
    """Unicode → LaTeX that reads back as ``text``: ``50% & x`` → ``50\\% \\& x``.

    ``--`` is written ``-{}-`` so that it stays two hyphens. ``ascii`` also writes accented
    Latin letters and common symbols as commands; characters LaTeX has no command for stay as
    they are (UTF-8).
    """
    out = _WRITE_RE.sub(lambda m: _WRITE_ESCAPES.get(m.group()) or _LIGATURE_BREAK[m.group()], text)
    if ascii and not out.isascii():
        out = out.translate(ascii_table())
    return out


def to_latex(text: str, spans: list[tuple[int, str]] | None = None, *, ascii: bool = False) -> str:
    """Escape ``text`` and wrap each protected span (offset, text) in braces.

    A span whose offset no longer matches (the text was edited) is looked up by its text.
    """
    if not spans:
        return escape(text, ascii=ascii)
    cuts: list[tuple[int, int]] = []
    for offset, span in spans:
        if not span:
            continue
        start = offset if text.startswith(span, offset) else text.find(span)
        if start < 0 or any(s < start + len(span) and start < e for s, e in cuts):
            continue
        cuts.append((start, start + len(span)))
    out: list[str] = []
    last = 0
    for start, end in sorted(cuts):
        out.append(escape(text[last:start], ascii=ascii))
        out.append("{" + escape(text[start:end], ascii=ascii) + "}")
        last = end
    out.append(escape(text[last:], ascii=ascii))
    return "".join(out)
