"""Plain-text bibliographies in Chicago / Turabian notes-bibliography style, read into records.

A bibliography typed at the end of an article, e.g.::

    Primary

    Trotsky, Leon. My Life. New York: Grosset & Dunlap, 1960.
    ———. The Revolution Betrayed. Translated by Max Eastman, 1937.

Section headings ("Images", "Primary", "Archival Sources", ...) become groups; a 3-em dash
repeats the previous entry's authors; two entries run together on one line are split. The
reader reads what the text says (it cannot know that a name is misspelt), keeps each entry's
text in ``extra["article_text"]``, and lists the fields it had to guess in
``ParseResult.uncertain`` (CSL names, e.g. ``publisher-place``).

>>> result = parse("Trotsky, Leon. My Life. New York: Grosset & Dunlap, 1960.")
>>> record = result.records[0]
>>> record.title, record.publisher_place, record.publisher, record.year
('My Life', 'New York', 'Grosset & Dunlap', 1960)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from citekit.errors import InvalidRecord
from citekit.formats.base import Failure, Format, Notice, ParseResult
from citekit.model import CreatorRole, PartialDate, Source, SourceType, validate_source
from citekit.model.dates import MONTHS

# -- tables ------------------------------------------------------------------------------------

# Headings that open a bibliography; the text before the last one is the article, not entries.
BIBLIOGRAPHY_HEADINGS = frozenset(
    "bibliography|references|works cited|sources|select bibliography|further reading".split("|")
)
# Section headings → groups (anything else: the heading in lower case, "Sources" dropped).
GROUP_HEADINGS: dict[str, str] = {
    "images": "image",
    "image": "image",
    "illustrations": "image",
    "figures": "image",
    "pictures": "image",
    "photographs": "image",
    "primary": "primary",
    "primary sources": "primary",
    "primary literature": "primary",
    "secondary": "secondary",
    "secondary sources": "secondary",
    "secondary literature": "secondary",
    "archival sources": "archival",
    "archives": "archival",
    "manuscript sources": "archival",
    "unpublished sources": "archival",
}
# Phrases that introduce contributors after the title.
ROLE_PHRASES: dict[str, tuple[CreatorRole, ...]] = {
    "translated by": (CreatorRole.TRANSLATOR,),
    "trans. by": (CreatorRole.TRANSLATOR,),
    "trans.": (CreatorRole.TRANSLATOR,),
    "edited by": (CreatorRole.EDITOR,),
    "ed. by": (CreatorRole.EDITOR,),
    "edited and translated by": (CreatorRole.EDITOR, CreatorRole.TRANSLATOR),
    "translated and edited by": (CreatorRole.TRANSLATOR, CreatorRole.EDITOR),
    "transcribed by": (CreatorRole.TRANSCRIBER,),
    "compiled by": (CreatorRole.COMPILER,),
    "illustrated by": (CreatorRole.ILLUSTRATOR,),
    "interviewed by": (CreatorRole.INTERVIEWER,),
}
# The abbreviation after the authors that makes them editors, translators, compilers.
AUTHOR_ROLE_ABBREVIATIONS: dict[str, CreatorRole] = {
    "ed.": CreatorRole.EDITOR,
    "eds.": CreatorRole.EDITOR,
    "editor": CreatorRole.EDITOR,
    "editors": CreatorRole.EDITOR,
    "trans.": CreatorRole.TRANSLATOR,
    "comp.": CreatorRole.COMPILER,
    "comps.": CreatorRole.COMPILER,
}
# Abbreviations whose full stop does not end an element ("Vol. 2", "St. Petersburg").
NON_TERMINAL = frozenset(
    "vol no nos pp p st dr mr mrs ms mt ft sr rev repr ca c fig figs col sec bk pt ser n u.s"
    " u.k ibid esp approx dept univ bros co inc ltd ph.d m.a d.phil b.a".split()
)
# Particles that belong to a family name given in natural order ("Paul Le Blanc").
PARTICLES = frozenset("van von der den de del della di da dos du la le ten ter st. st".split())
NEWSPAPER_WORDS = re.compile(
    r"\b(?:Times|Guardian|Post|Herald|Tribune|News|Gazette|Telegraph|Observer|Chronicle|Daily|"
    r"Independent|Globe|Sun|Mirror|Courier|Le Monde|Pravda|Izvestia|Zeitung|Journal of Commerce|"
    r"Wall Street Journal)\b"
)
REPOSITORY_WORDS = re.compile(
    r"\b(?:Library|Libraries|Archives?|Museum|Museo|Institution|Institute|Gallery|Galleria|"
    r"Palacio|Palace|Record Office|Bibliothèque|Biblioteca|Bibliothek|Collection|Center|Centre|"
    r"Society|National Archives)\b"
)
COLLECTION_WORDS = re.compile(r"\b(?:Papers|Collection|Records|Archive|Correspondence|Files)\b")
ARCHIVE_LOCATION = re.compile(
    r"^(?:MS|MSS|Ms\.|Box|Folder|Record Group|RG|Series|File|Item|Call no\.|Fonds|f\.|op\.|d\.)"
    r"\b.*\d|^[A-Z]{1,4} [A-Z][a-z]+ \d"
)
MEDIUM_WORDS = re.compile(
    r"^(?:Fresco|Oil|Tempera|Watercolou?r|Gouache|Ink|Pencil|Charcoal|Pastel|Acrylic|Photograph|"
    r"Gelatin|Albumen|Lithograph|Etching|Engraving|Woodcut|Poster|Mural|Bronze|Marble|Drawing|"
    r"Print|Digital|Mixed media)\b",
    re.IGNORECASE,
)
THESIS = re.compile(
    r"^(?P<genre>(?:PhD|Ph\.D\.|DPhil|D\.Phil\.|MA|M\.A\.|MPhil|MSc|BA|Doctoral|Master’s|Master's)"
    r" (?:diss\.|dissertation|thesis))(?:, (?P<rest>.+))?$"
)
STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ"
    " NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY".split()
)

_REPEAT = re.compile(r"^(?:[—―]{2,3}|-{2,3}|_{3,})(?P<tail>[.,])\s*(?P<role>[^.]*\.)?\s*")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_DOI = re.compile(r"\b(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/\S+)", re.I)
_SEASON = "Spring|Summer|Autumn|Fall|Winter"
_MONTH = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
_FULL_DATE = (
    rf"(?:\d{{1,2}} (?:{_MONTH})\.? \d{{4}}|(?:{_MONTH})\.? \d{{1,2}}, \d{{4}}"
    rf"|(?:{_MONTH})\.? \d{{4}}|(?:{_SEASON}) \d{{4}})"
)
_ACCESSED = re.compile(
    rf"[\[(]?\s*(?:last\s+)?accessed(?:\s+on)?:?\s+(?P<date>{_FULL_DATE}|\d{{4}}-\d{{2}}-\d{{2}})"
    r"\s*[\])]?",
    re.IGNORECASE,
)
# "Last modified May 2, 2025": when a web page says it was written.
_MODIFIED = re.compile(
    rf"\b(?:last\s+)?(?:modified|updated|revised)(?:\s+on)?:?\s+(?P<date>{_FULL_DATE}|"
    r"\d{4}-\d{2}-\d{2})\.?",
    re.IGNORECASE,
)
_YEAR = r"(?:\d{4}(?:[–-]\d{2,4})?|n\.d\.?|forthcoming)"
_PAGES = r"(?:[\dxivlcm]+(?:[–-][\dxivlcm]+)?(?:, [\dxivlcm]+(?:[–-][\dxivlcm]+)?)*)"
_JOURNAL = re.compile(
    rf"^(?P<container>.+?),? (?P<volume>\d+[A-Za-z]?)(?:, (?:no|nos|issue)\.? (?P<issue>[\w/–-]+))?"
    rf"(?: \((?P<date>[^)]+)\))?(?:: (?P<page>{_PAGES}))?$"
)
# "Telos, no. 39 (1979): 137–52": an issue number without a volume.
_JOURNAL_ISSUE = re.compile(
    rf"^(?P<container>.+?[^\d\s]), (?:no|nos|issue)\.? (?P<issue>[\w/–-]+)"
    rf"(?: \((?P<date>[^)]+)\))?(?:: (?P<page>{_PAGES}))?$"
)
_DATED = re.compile(rf"^(?P<container>.+?), (?P<date>{_FULL_DATE}|{_YEAR})(?:, (?P<rest>.+))?$")
_PUBLICATION = re.compile(rf"^(?:(?P<place>[^:]+): )?(?P<publisher>.+?),? (?P<date>{_YEAR})$")
_EDITION = re.compile(
    r"^(?P<edition>\d+(?:st|nd|rd|th)(?: [\w’'-]+)*|[A-Z][\w’' .-]*?)\s+(?:ed|edn|edition)\.?$",
    re.IGNORECASE,
)
_VOLUMES = re.compile(r"^(?P<count>\d+) vols?\.?$")
_VOLUME = re.compile(r"^Vol\. (?P<volume>[\dIVXLC]+)(?:, (?P<title>.+))?$", re.I)
_VOL_ISSUE = re.compile(r"Vol\. (?P<volume>\w+)(?:, No\. (?P<issue>[\w/–-]+))?(?: edition)?", re.I)
_INITIAL = re.compile(r"^(?:[A-Z]|[A-Z][a-z]?\.?-[A-Z])$")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_ENTRY_START = re.compile(
    r"(?<=\S)(?:\.{1,2})\s+(?=(?:(?:van|von|de|du|le|la|di|da) )?"
    r"[A-ZÀ-Þ][\w’'-]+(?: [A-ZÀ-Þ][\w’'-]+)?, (?:[A-ZÀ-Þ][\w’'-]*\.?)(?: [A-ZÀ-Þ][\w’'-]*\.?)*"
    r"(?:,? (?:and|et al\.)[^.]*)?\. )"
)
# Numbers and bullets in front of entries ("1. ", "[2] ", "• "); a 3-em dash is no bullet.
_LIST_MARKER = re.compile(r"^\s*(?:\d{1,4}[.)]|\[\d{1,4}\]|[•▪◦*·]|[-–](?=\s))\s+")
_LOOKS_LIKE_START = re.compile(
    r"^(?:[“‘\"'—―_-]|(?:(?:van|von|de|du|le|la|di|da) )?[A-ZÀ-Þ][\w’'-]+(?: [A-ZÀ-Þ][\w’'-]+)?, "
    r"[A-ZÀ-Þ])"
)
_LOOKS_COMPLETE = re.compile(r"(?:\d{4}|n\.d|\S+://\S+|[\])])\.?$")
_OPEN_QUOTES = {"“": "”", "‘": "’", '"': '"', "'": "'", "«": "»", "„": "“"}


# -- splitting the text into entries ---------------------------------------------------------


@dataclass
class _Entry:
    line: int
    text: str
    group: str | None


def _heading(line: str) -> str | None:
    """A section heading: a short line of words without final punctuation."""
    text = line.strip().rstrip(":")
    if not text or len(text) > 40 or text[-1] in ".,;" or any(ch.isdigit() for ch in text):
        return None
    words = text.split()
    if len(words) > 4 or not text[0].isupper() or "," in text:
        return None
    return text


def group_of(heading: str) -> str:
    """``"Images"`` → ``image``; ``"Archival Sources"`` → ``archival``; others lower-cased."""
    key = " ".join(heading.lower().split())
    if key in GROUP_HEADINGS:
        return GROUP_HEADINGS[key]
    key = re.sub(r"\s+(?:sources|literature|works)$", "", key)
    return key[:64]


def _starts_entry(previous: str, line: str) -> bool:
    """Is ``line`` a new entry rather than the wrapped rest of ``previous``? Only after a full
    stop that is not an initial, and where the line opens like an entry (a name, a quote, a
    dash) or the previous one ended like one (a year, a URL)."""
    if not previous:
        return True
    ends = previous.rstrip()
    if ends[-1:] not in ".]!?”’" or _INITIAL.match(_word_before(ends, len(ends) - 1, 0)):
        return False
    return bool(_LOOKS_LIKE_START.match(line) or _LOOKS_COMPLETE.search(ends))


def _split_run_together(entry: _Entry) -> list[_Entry]:
    """``… Pan Macmillan, 2010.. Volkognov, Dmitri. …`` → two entries."""
    parts: list[_Entry] = []
    text = entry.text
    start = 0
    for m in _ENTRY_START.finditer(text):
        before = text[start : m.start()]
        # Only after what ends an entry: a year, a URL, a page range, "n.d." or a bracket.
        if re.search(r"(?:\d{4}|\d|n\.d|\]|\))$", before) or _URL.search(before.split()[-1]):
            parts.append(_Entry(entry.line, text[start : m.start()] + ".", entry.group))
            start = m.end()
    parts.append(_Entry(entry.line, text[start:], entry.group))
    return parts


def _entries(text: str, result: ParseResult) -> list[_Entry]:
    lines = text.splitlines()
    start = 0
    for number, line in enumerate(lines):
        if _heading(line) and line.strip().rstrip(":").lower() in BIBLIOGRAPHY_HEADINGS:
            start = number + 1
    if any(line.strip() for line in lines[: start - 1]):
        result.warnings.append(
            Notice(start, f"text before the '{lines[start - 1].strip()}' heading skipped")
        )
    entries: list[_Entry] = []
    group: str | None = None
    current: _Entry | None = None
    blank_before = True
    for number in range(start, len(lines)):
        raw = _LIST_MARKER.sub("", lines[number])
        line = " ".join(raw.split())
        if not line:
            blank_before = True
            continue
        indented = raw[:1].isspace() and current is not None and not blank_before
        heading = _heading(line)
        next_blank = number + 1 >= len(lines) or not lines[number + 1].strip()
        if heading and blank_before and (next_blank or heading.lower() in GROUP_HEADINGS):
            group = group_of(heading)
            current = None
        elif (
            current is None or blank_before or (not indented and _starts_entry(current.text, line))
        ):
            current = _Entry(number + 1, line, group)
            entries.append(current)
        else:
            joiner = "" if current.text.endswith(("-", "/")) and _URL.search(current.text) else " "
            current.text += joiner + line
        blank_before = False
    return [part for entry in entries for part in _split_run_together(entry)]


# -- reading one entry ------------------------------------------------------------------------


@dataclass
class _Reading:
    """What the reader found in one entry, and what it had to guess."""

    data: dict[str, Any] = field(default_factory=dict)
    creators: list[dict[str, Any]] = field(default_factory=list)
    uncertain: set[str] = field(default_factory=set)
    leftovers: list[str] = field(default_factory=list)
    # How many of ``creators`` head the entry (the names a 3-em dash in the next one repeats).
    heading_names: int = 0

    def put(self, name: str, value: Any, *, guessed: bool = False) -> None:
        if value in (None, ""):
            return
        if name in self.data:
            self.leftovers.append(str(value))
            return
        self.data[name] = value
        if guessed:
            self.uncertain.add(name.replace("_", "-"))


def _ends_title(text: str, at: int) -> bool:
    """Does an imprint, a contributor or an edition start at ``at``?"""
    end = text.find(". ", at)
    following = text[at : end if end >= 0 else len(text)].rstrip(".")
    return (
        _publication_like(following)
        or _role_like(following)
        or bool(_EDITION.match(following) or _VOLUMES.match(following))
    )


def _blocks(text: str) -> list[str]:
    """Split at full stops that end an element (not after initials or "Vol.", not in quotes)."""
    out: list[str] = []
    start = 0
    i = 0
    quote: str | None = None
    while i < len(text):
        ch = text[i]
        if quote is None and ch in "“‘" and (i == 0 or text[i - 1] in " (["):
            quote = _OPEN_QUOTES[ch]
        elif (
            quote is not None and ch == quote and (i + 1 == len(text) or not text[i + 1].isalnum())
        ):
            quote = None
        elif quote is None and ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            token = _word_before(text, i, start)
            bare = token.lower().lstrip("(")
            if bare in NON_TERMINAL or _INITIAL.match(token):
                i += 1
                continue
            piece = text[start:i].strip()
            if piece:
                out.append(piece)
            start = i + 1
        elif (
            quote is None and ch in "?!" and text[i + 1 : i + 2] == " " and _ends_title(text, i + 2)
        ):
            # "What Is to Be Done? New York: …": the question mark stands for the full stop.
            out.append(text[start : i + 1].strip())
            start = i + 1
        i += 1
    tail = text[start:].strip().rstrip(".").strip()
    if tail:
        out.append(tail)
    return out


def _word_before(text: str, end: int, start: int) -> str:
    """The word that ends at ``end`` (found backwards, so long entries stay linear)."""
    return text[max(text.rfind(" ", start, end) + 1, start) : end]


def _split_natural(text: str) -> dict[str, str]:
    """``Natalia Sedova Trotsky`` → given ``Natalia Sedova``, family ``Trotsky``; particles kept."""
    words = text.split()
    suffix = None
    if len(words) > 1 and words[-1].rstrip(",") in ("Jr.", "Sr.", "II", "III", "IV"):
        suffix = words.pop().rstrip(",")
        words[-1] = words[-1].rstrip(",")
    if len(words) == 1:
        return {"family": words[0]}
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in PARTICLES:
        cut -= 1
    family = " ".join(words[cut:])
    name: dict[str, str] = {"given": " ".join(words[:cut]), **_family(family)}
    if suffix:
        name["suffix"] = suffix
    return name


def _family(text: str) -> dict[str, str]:
    """``van Ree`` → particle ``van`` and family ``Ree``; ``Le Blanc`` stays whole."""
    words = text.split()
    lower = 0
    while lower < len(words) - 1 and words[lower][:1].islower():
        lower += 1
    if lower:
        return {"non_dropping_particle": " ".join(words[:lower]), "family": " ".join(words[lower:])}
    return {"family": text}


def _author_block(text: str) -> tuple[str, str] | None:
    """The authors at the start of an entry (``Serge, Victor, and Natalia Sedova Trotsky``) and
    the rest, or None when the entry does not start with an inverted name."""
    m = re.match(
        r"^(?P<family>(?:(?:van|von|de|der|den|du|la|le|da|di|del|della|dos|ten|ter) )*"
        r"[A-ZÀ-Þ][\w’'-]*(?: [A-ZÀ-Þ][\w’'-]*)?), (?=[A-ZÀ-Þ])",
        text,
    )
    if not m:
        return None
    i = m.end()
    first_name = True
    while i < len(text):
        ch = text[i]
        if ch == "," and first_name:
            first_name = False
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            token = _word_before(text, i, 0).lstrip(",")
            following = text[i + 2 : i + 4]
            if token in ("al", "et al"):
                return text[: i + 1], text[i + 1 :].strip()
            if _INITIAL.match(token) and (not first_name or re.match(r"^[A-Z]\.", following)):
                i += 1
                continue
            if _INITIAL.match(token) and first_name and not _name_goes_on(text[i + 1 :]):
                return text[: i + 1], text[i + 1 :].strip()
            if _INITIAL.match(token) and first_name:
                i += 1
                continue
            if token.lower() + "." in AUTHOR_ROLE_ABBREVIATIONS or token.lower() in NON_TERMINAL:
                if token.lower() + "." in AUTHOR_ROLE_ABBREVIATIONS:
                    return text[: i + 1], text[i + 1 :].strip()
                i += 1
                continue
            return text[:i], text[i + 1 :].strip()
        i += 1
    return None


def _name_goes_on(rest: str) -> bool:
    """After an initial: is the next word still the name (``Getty, J. Arch. “Trotsky …”``) or the
    title (``Lenin, V. I. Collected Works.``, ``Broué, P. Trotsky. Paris: Fayard, 1988.``)?"""
    m = re.match(r"^ [A-ZÀ-Þ][a-zà-ÿ]+\. (?P<after>.*)$", rest)
    if not m:
        return False
    after = m["after"]
    if after[:1] in _OPEN_QUOTES:
        return True
    first = _blocks(after)[:1]
    return bool(first) and not _publication_like(first[0]) and not _role_like(first[0])


def _role_like(block: str) -> bool:
    lower = block.lower()
    return any(lower.startswith(phrase + " ") for phrase in ROLE_PHRASES)


def _names(
    block: str, reading: _Reading, role: CreatorRole = CreatorRole.AUTHOR, *, inverted: bool = False
) -> None:
    """``Serge, Victor, and Natalia Sedova Trotsky`` (first inverted) or ``Max Eastman and X``."""
    text = block.strip()
    if text.endswith(".") and not _INITIAL.match(text[:-1].split(" ")[-1]):
        text = text[:-1].strip()
    m = re.search(r",?\s*(?P<abbr>eds?\.?|editors?|trans\.?|comps?\.?)$", text, re.I)
    if m:
        abbr = m["abbr"].lower()
        role = AUTHOR_ROLE_ABBREVIATIONS.get(abbr if abbr.endswith(".") else abbr + ".", role)
        if abbr in ("editor", "editors"):
            role = CreatorRole.EDITOR
        text = text[: m.start()].strip()
    if re.search(r",?\s+et al\.?$", text):
        text = re.sub(r",?\s+et al\.?$", "", text)
        reading.data.setdefault("extra", {})["et_al"] = True
    parts = [
        p.strip() for p in re.split(r",\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+", text) if p.strip()
    ]
    names: list[dict[str, Any]] = []
    if inverted and len(parts) >= 2 and not re.search(r"\s+(?:and|&)\s+", text.split(",")[0]):
        family, given = parts[0], parts[1]
        if given in ("Jr.", "Sr.", "II", "III"):
            names.append({**_family(family), "suffix": given})
            rest = parts[2:]
        else:
            names.append({**_family(family), "given": given})
            rest = parts[2:]
            if rest and rest[0] in ("Jr.", "Sr.", "II", "III"):
                names[-1]["suffix"] = rest.pop(0)
        names += [_split_natural(p) for p in rest]
    else:
        names += [_split_natural(p) for p in parts]
    reading.creators += [{**n, "role": role} for n in names]


def _role_block(block: str, reading: _Reading) -> bool:
    """``Translated by Max Eastman, 1937`` → translator (and the date)."""
    lower = block.lower()
    for phrase in sorted(ROLE_PHRASES, key=len, reverse=True):
        if lower.startswith(phrase + " "):
            rest = block[len(phrase) :].strip()
            m = re.search(rf",\s*(?P<date>{_YEAR})$", rest)
            if m:
                reading.put("issued", m["date"])
                rest = rest[: m.start()]
            for role in ROLE_PHRASES[phrase]:
                _names(rest, reading, role)
            return True
    return False


def _quoted(text: str) -> tuple[str, str] | None:
    """A quoted title at the start of ``text``: (title, rest)."""
    if not text or text[0] not in _OPEN_QUOTES:
        return None
    close = _OPEN_QUOTES[text[0]]
    for m in re.finditer(re.escape(close), text[1:]):
        end = m.start() + 1
        after = text[end + 1 : end + 2]
        if after and after.isalnum():
            continue
        title = text[1:end].strip().rstrip(".,").strip()
        rest = text[end + 1 :].lstrip(".,").strip()
        return title, rest
    return None


def _date(text: str) -> str | None:
    """A date element, or None when the text is not one."""
    value = text.strip().strip("()").strip().rstrip(".")
    if not value:
        return None
    try:
        date = PartialDate.parse(value, strict=True)
    except ValueError:
        return None
    return value if date.literal is None or date.literal == "n.d." else None


def _publication(block: str, reading: _Reading) -> bool:
    """``London: Faber and Faber, 1958`` / ``New Park Publications, 1980`` / ``1934``."""
    if _date(block):
        reading.put("issued", block.strip().rstrip("."))
        return True
    m = _PUBLICATION.match(block)
    if not m:
        return False
    place, publisher = m["place"], m["publisher"].strip().rstrip(",")
    if place and place.lower() in ("n.p.", "n.p", "s.l.", "s.l"):
        place = None  # "no place": nothing to record
    if place and (len(place.split()) > 5 or any(ch.isdigit() for ch in place)):
        return False
    if len(publisher.split()) > 8:
        return False
    reading.put("publisher_place", place)
    reading.put("publisher", publisher)
    reading.put("issued", m["date"])
    return True


def _archive(block: str, reading: _Reading) -> bool:
    """``Houghton Library, Harvard University, Cambridge, MA`` → archive and its place."""
    if not REPOSITORY_WORDS.search(block) or "archive" in reading.data:
        return False
    parts = [p.strip() for p in block.split(",")]
    if len(parts) >= 3 and parts[-1] in STATES:
        place, name = ", ".join(parts[-2:]), parts[:-2]
    elif len(parts) >= 2 and not REPOSITORY_WORDS.search(parts[-1]):
        place, name = parts[-1], parts[:-1]
    else:
        place, name = None, parts
    reading.put("archive", ", ".join(name))
    reading.put("archive_place", place, guessed=True)
    return True


def _container(block: str, reading: _Reading, *, has_url: bool) -> None:
    """What follows a quoted title: a journal, magazine, newspaper, book, web site or thesis."""
    if _date(block):
        # "Trotsky, Leon. “Testament.” February 27, 1940. …": a dated text, no container.
        reading.put("issued", block)
        return
    m = re.match(
        r"^In (?P<book>.+?)(?:, (?P<phrase>edited|translated|edited and translated) by "
        rf"(?P<names>.+?))?(?:, (?P<page>{_PAGES}))?$",
        block,
    )
    if m:
        book = m["book"]
        reading.put("container_title", book)
        if m["names"]:
            for role in ROLE_PHRASES[m["phrase"] + " by"]:
                _names(m["names"], reading, role)
        reading.put("page", m["page"])
        if re.search(r"Encyclop|Dictionar|Lexikon|Wikipedia", book) and not m["names"]:
            kind = (
                SourceType.ENTRY_DICTIONARY
                if "Dictionar" in book
                else SourceType.ENTRY_ENCYCLOPEDIA
            )
            reading.put("type", kind)
        else:
            reading.put("type", SourceType.CHAPTER)
        return
    m = THESIS.match(block)
    if m:
        reading.put("type", SourceType.THESIS)
        reading.put("genre", m["genre"])
        rest = m["rest"] or ""
        d = re.search(rf",?\s*(?P<date>{_YEAR})$", rest)
        if d:
            reading.put("issued", d["date"])
            rest = rest[: d.start()]
        reading.put("publisher", rest.strip(", "))
        return
    if re.match(r"^(?:Speech|Lecture|Address|Talk|Sermon)\b", block):
        reading.put("type", SourceType.SPEECH)
        parts = [p.strip() for p in block.split(",")]
        if len(parts[0].split()) > 1:
            reading.put("genre", parts[0])
        tail = ", ".join(parts[1:])
        d = re.search(rf"(?P<date>{_FULL_DATE}|{_YEAR})$", tail)
        if d:
            reading.put("issued", d["date"])
            tail = tail[: d.start()].strip(", ")
        reading.data.setdefault("extra", {})["event_place"] = tail or None
        return
    m = _DATED.match(block)
    if m:
        container = m["container"].strip()
        blog = container.endswith(" (blog)")
        container = container.removesuffix(" (blog)")
        reading.put("container_title", container)
        reading.put("issued", m["date"])
        rest = m["rest"] or ""
        vi = _VOL_ISSUE.search(rest)
        if vi:
            reading.put("volume", vi["volume"])
            reading.put("issue", vi["issue"])
            rest = (rest[: vi.start()] + rest[vi.end() :]).strip(", ")
        if re.fullmatch(_PAGES, rest):
            reading.put("page", rest)
            rest = ""
        if rest:
            reading.leftovers.append(rest)
        if blog:
            kind = SourceType.POST_WEBLOG
        elif NEWSPAPER_WORDS.search(container):
            kind = SourceType.ARTICLE_NEWSPAPER
        elif (
            has_url
            and not vi
            and not re.fullmatch(rf"(?:{_MONTH}|{_SEASON})\.? \d{{4}}", m["date"])
        ):
            # Online with a full date or none: a web page; "Mexico Desconocido, March 2003": a
            # magazine.
            kind = SourceType.WEBPAGE
        else:
            # A full date and no newspaper's name: weeklies (The Nation) as often as dailies.
            kind = SourceType.ARTICLE_MAGAZINE
        reading.put("type", kind, guessed=True)
        return
    m = _JOURNAL_ISSUE.match(block) or _JOURNAL.match(block)
    if m and not _date(block):
        reading.put("container_title", m["container"].strip())
        reading.put("volume", m.groupdict().get("volume"))
        reading.put("issue", m["issue"])
        reading.put("page", m["page"])
        date = m["date"] or ""
        reading.put("issued", date)
        monthly = bool(re.search(rf"\b(?:{_MONTH})\b", date))
        kind = SourceType.ARTICLE_MAGAZINE if monthly else SourceType.ARTICLE_JOURNAL
        reading.put("type", kind, guessed=monthly)
        return
    reading.put("container_title", block)
    reading.put(
        "type", SourceType.WEBPAGE if has_url else SourceType.ARTICLE_MAGAZINE, guessed=True
    )


def _image_entry(text: str, reading: _Reading) -> bool:
    """``Title[, Author], via Wikimedia Commons, URL`` (the article's image credits)."""
    m = re.match(r"^(?P<head>.+?),\s+via\s+(?P<via>[^,.\[]+?)\s*(?:[,.]|$)", text)
    if not m:
        return False
    head = m["head"].strip()
    parts = [p.strip() for p in head.split(",")]
    if len(parts) > 1 and re.fullmatch(r"(?:[A-ZÀ-Þ][\w’'.-]+ ){1,3}[A-ZÀ-Þ][\w’'-]+", parts[-1]):
        reading.creators.append({**_split_natural(parts[-1]), "role": CreatorRole.AUTHOR})
        reading.uncertain.add("creators")
        head = ", ".join(parts[:-1])
    reading.put("title", head)
    reading.put("container_title", m["via"].strip())
    reading.put("type", SourceType.GRAPHIC)
    return True


def _read_entry(entry: _Entry, previous: list[dict[str, Any]], reading: _Reading) -> None:
    text = entry.text.strip()
    for m in list(_DOI.finditer(text)):
        reading.put("doi", m["doi"].rstrip(".,;"))
        text = text.replace(m.group(), " ")
    for m in list(_ACCESSED.finditer(text)):
        reading.put("accessed", m["date"].strip().rstrip("."))
        text = text.replace(m.group(), " ")
    for m in list(_MODIFIED.finditer(text)):
        reading.put("issued", m["date"].strip().rstrip("."))
        text = text.replace(m.group(), " ")
    for m in list(_URL.finditer(text)):
        url = m.group().rstrip(".,;")
        if url.startswith("www."):
            url = "https://" + url
        reading.put("url", url)
        text = text.replace(m.group(), " ")
    text = re.sub(r"\s+([.,])", r"\1", " ".join(text.split())).strip()
    text = re.sub(r"([.,])(?:\s*[.,])+$", r"\1", text).strip()
    has_url = "url" in reading.data or "accessed" in reading.data

    if _image_entry(text, reading):
        return
    repeat = _REPEAT.match(text)
    rest: str
    if repeat:
        role_text = (repeat["role"] or "").strip().rstrip(".").lower()
        role = AUTHOR_ROLE_ABBREVIATIONS.get(role_text + ".") if role_text else None
        if repeat["tail"] == "," and role:
            reading.creators += [{**c, "role": role} for c in previous]
            rest = text[repeat.end() :]
        else:
            reading.creators += [dict(c) for c in previous]
            rest = text[repeat.start("role") if repeat["role"] else repeat.end() :]
        if not previous:
            reading.uncertain.add("creators")
    else:
        authors = None if _quoted(text) else _author_block(text)
        if authors and _container_only(_blocks(authors[1])):
            # "Trotsky, Lenin, and Kamenev. In Wikimedia Commons.": a title, not authors (no
            # author comes straight before "In").
            authors = None
        corporate = re.match(r"^(?P<name>[^,.“‘\"']+)\. (?=[“‘\"'])", text)
        if authors:
            _names(authors[0], reading, inverted=True)
            rest = authors[1]
        elif corporate:
            # "Marxists Internet Archive. “Leon Trotsky Internet Archive.” …": an institution.
            reading.creators.append({"literal": corporate["name"], "role": CreatorRole.AUTHOR})
            reading.uncertain.add("creators")
            rest = text[corporate.end() :]
        else:
            rest = text
    reading.heading_names = len(reading.creators)
    quoted = _quoted(rest)
    blocks: list[str]
    if quoted:
        title, rest = quoted
        reading.put("title", title)
        blocks = _blocks(rest)
        roles = [b for b in blocks if _role_block(b, reading)]
        blocks = [b for b in blocks if b not in roles]
        if blocks:
            _container(blocks.pop(0), reading, has_url=has_url)
        else:
            reading.put("type", SourceType.WEBPAGE if has_url else SourceType.ARTICLE, guessed=True)
    else:
        blocks = _blocks(rest)
        if not blocks:
            return
        first = blocks.pop(0)
        # "Commission of Inquiry …. The Case of Leon Trotsky. New York: Harper, 1937.":
        # a block before the title and the imprint is a corporate author.
        if (
            not reading.creators
            and not repeat
            and "," not in first
            and len(blocks) >= 2
            and _publication_like(blocks[1])
            and not _publication_like(blocks[0])
            and not _container_only(blocks)
        ):
            reading.creators.append({"literal": first, "role": CreatorRole.AUTHOR})
            reading.heading_names = len(reading.creators)
            reading.uncertain.add("creators")
            first = blocks.pop(0)
        title, trailing_date = _title_and_date(first)
        reading.put("title", title)
        reading.put("issued", trailing_date)
    _rest(blocks, reading, quoted=quoted is not None, group=entry.group)


def _container_only(blocks: list[str]) -> bool:
    """``In Wikimedia Commons. n.d.``: a container and at most a date, and no imprint."""
    return bool(blocks) and blocks[0].startswith("In ") and all(_date(b) for b in blocks[1:])


def _publication_like(block: str) -> bool:
    return bool(_PUBLICATION.match(block)) or _date(block) is not None


def _title_and_date(block: str) -> tuple[str, str | None]:
    """``Letter to Diego Rivera, January 17, 1937`` → title and date."""
    m = re.search(rf",\s*(?P<date>{_FULL_DATE})$", block)
    if m and block.lower().startswith(("letter", "telegram", "memorandum", "note", "diary")):
        return block[: m.start()].strip(), m["date"]
    return block, None


def _rest(blocks: list[str], reading: _Reading, *, quoted: bool, group: str | None) -> None:
    """The elements after the title (and container): contributors, edition, imprint, archive."""
    published = False
    series: list[str] = []
    for block in blocks:
        if _role_block(block, reading):
            continue
        m = _EDITION.match(block)
        if m:
            edition = m["edition"].strip()
            ordinal = _ORDINAL.match(edition)
            reading.put("edition", ordinal.group(1) if ordinal else edition)
            continue
        m = _VOLUMES.match(block)
        if m:
            reading.put("number_of_volumes", m["count"])
            continue
        if block.startswith("In ") and not quoted and "container_title" not in reading.data:
            # "Lenin Speech in 1920. In Wikimedia Commons.": a work within a larger one.
            reading.put("container_title", block[3:].strip())
            continue
        m = _VOLUME.match(block)
        if m:
            reading.put("volume", m["volume"])
            if m["title"]:
                reading.data.setdefault("extra", {})["volume_title"] = m["title"]
            continue
        m = re.match(r"^(?:Reprint|Repr\.|Reprinted),? (?P<imprint>.+)$", block)
        reprint = _Reading()
        if (
            m
            and "issued" in reading.data
            and "original_date" not in reading.data
            and _publication(m["imprint"], reprint)
        ):
            # "My Life. 1930. Reprint, New York: Pathfinder, 1970.": first published 1930.
            reading.data["original_date"] = reading.data.pop("issued")
            reading.data.pop("publisher", None)
            reading.data.pop("publisher_place", None)
            for name, value in reprint.data.items():
                reading.put(name, value)
            published = True
            continue
        if not published and _publication(block, reading):
            published = True
            continue
        if ARCHIVE_LOCATION.match(block) or (
            "archive_location" not in reading.data
            and re.search(
                r"\bMSS?\b|\b\d+\.\d+\b|\(\d+\)|Record Group|\b(?:box|folder|file|item|reel|"
                r"fol\.) \d",
                block,
                re.IGNORECASE,
            )
            and not REPOSITORY_WORDS.search(block.split(",")[-1])
        ):
            reading.put("archive_location", block)
            continue
        if _archive(block, reading):
            continue
        if MEDIUM_WORDS.match(block) and "medium" not in reading.data:
            reading.put("medium", block)
            continue
        if quoted and _date(block):
            reading.put("issued", block)
            continue
        if (
            not published
            and not quoted
            and not reading.data.get("archive")
            and len(block.split()) <= 6
            and block[:1].isupper()
            and re.fullmatch(r"\D+(?: \d+)?", block)
        ):
            # A short capitalised element between title and imprint is a series (and number).
            series.append(block)
            continue
        if "archive" not in reading.data and _name_like(block):
            # "Leon Trotsky Internet Archive.": where the text was found online; after a
            # medium, where a work of art is ("Sindicato Mexicano de Electricistas, Mexico City").
            name, _, place = block.rpartition(", ")
            if "medium" in reading.data and name and len(place.split()) <= 3:
                reading.put("archive", name, guessed=True)
                reading.put("archive_place", place, guessed=True)
            else:
                reading.put("archive", block, guessed=not REPOSITORY_WORDS.search(block))
            continue
        reading.leftovers.append(block)
    if series:
        reading.put("collection_title", "; ".join(series), guessed=True)
    _decide_type(reading, published=published, group=group)


def _name_like(block: str) -> bool:
    """A proper name in title case without figures: ``Leon Trotsky Internet Archive``."""
    words = [w for w in block.split() if len(w) > 3]
    if not words or len(block.split()) > 8 or any(ch.isdigit() for ch in block):
        return False
    return block[:1].isupper() and sum(w[:1].isupper() for w in words) >= 0.6 * len(words)


def _decide_type(reading: _Reading, *, published: bool, group: str | None) -> None:
    data = reading.data
    if "type" in data:
        return
    title = data.get("title", "")
    archival = "archive" in data or "archive_location" in data
    if group == "image" or "medium" in data:
        data["type"] = SourceType.GRAPHIC
    elif published:
        data["type"] = SourceType.BOOK
    elif archival and re.match(r"^(?:Letter|Telegram|Postcard)\b", title):
        data["type"] = SourceType.PERSONAL_COMMUNICATION
    elif archival and COLLECTION_WORDS.search(title):
        data["type"] = SourceType.COLLECTION
    elif archival:
        data["type"] = SourceType.MANUSCRIPT
        reading.uncertain.add("type")
    elif "issued" in data or any(c["role"] != CreatorRole.AUTHOR for c in reading.creators):
        data["type"] = SourceType.BOOK
        reading.uncertain.add("type")
    elif "url" in data:
        data["type"] = SourceType.WEBPAGE
        reading.uncertain.add("type")
    else:
        data["type"] = SourceType.DOCUMENT
        reading.uncertain.add("type")


def _record(entry: _Entry, reading: _Reading) -> dict[str, Any]:
    data = dict(reading.data)
    extra = {k: v for k, v in data.pop("extra", {}).items() if v is not None}
    extra["article_text"] = entry.text
    if reading.leftovers:
        data["note"] = ". ".join(reading.leftovers)
        reading.uncertain.add("note")
    data["extra"] = extra
    if reading.creators:
        data["creators"] = reading.creators
    if entry.group:
        data["group"] = entry.group
    if data.get("type") is None:
        data["type"] = SourceType.DOCUMENT
    return data


def parse(text: str) -> ParseResult:
    """Read a Chicago-style bibliography: a record per entry, a failure per unreadable one."""
    result = ParseResult()
    previous: list[dict[str, Any]] = []
    for entry in _entries(text.lstrip("\ufeff"), result):
        reading = _Reading()
        _read_entry(entry, previous, reading)
        data = _record(entry, reading)
        if not data.get("title"):
            result.failures.append(Failure(entry.line, entry.text, "no title found in the entry"))
            continue
        try:
            source = validate_source(data)
        except InvalidRecord as exc:
            # Drop what failed (a malformed URL, an impossible date) into extra and keep the rest.
            bad = {str(e.loc[0]) for e in exc.errors if e.loc and str(e.loc[0]) in data}
            bad -= {"type", "title", "container_title"}
            for name in bad:
                data["extra"][name] = str(data.pop(name))
            try:
                source = validate_source(data)
            except InvalidRecord as again:
                result.failures.append(
                    Failure(entry.line, entry.text, again.detail.removeprefix("invalid "))
                )
                continue
            for error in exc.errors:
                result.warnings.append(
                    Notice(entry.line, f"{error.path}: {error.msg}; kept as written in extra")
                )
        if source.creators:
            previous = [
                c.model_dump(exclude_none=True, exclude={"role"}) | {"role": c.role}
                for c in source.creators[: reading.heading_names]
            ]
        if reading.uncertain:
            result.uncertain[len(result.records)] = sorted(reading.uncertain)
        result.records.append(source)
    return result


def write(records: Sequence[Source], *, style: str = "chicago-notes-bibliography") -> str:
    """A bibliography under group headings, as plain text (Chicago notes-bibliography style)."""
    # Imported here: rendering is only needed for writing, and the reader stays light.
    from citekit.render import render_bibliography

    return render_bibliography(records, style=style, grouped=True)


FORMAT = Format(
    name="plaintext",
    suffixes=(".txt",),
    media_type="text/plain",
    parse=parse,
    write=write,
    description="Plain-text bibliography in Chicago notes-bibliography style (read); Chicago text",
)
