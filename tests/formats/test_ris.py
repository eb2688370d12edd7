"""RIS: reading real-world shapes, guarding against broken framing, lossless round trips."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.formats import decode, get_format, read_bytes
from citekit.formats.ris import (
    CREATOR_TAGS,
    CSL_TO_TYPE,
    TYPE_TO_CSL,
    parse,
    parse_date,
    write,
)
from citekit.model import CreatorRole, PartialDate, Source, SourceType

DATA = Path(__file__).parent / "data"
FILES = sorted(DATA.glob("*.ris"))
CHECK_RIS = Path("/work/shared/checks/check_ris.sh")
CHECKS_VENV = Path("/tmp/checks-venv/bin/python")
TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]  - ")


def read(name: str):
    text, _ = decode((DATA / name).read_bytes())
    return parse(text)


def dump(records: list[Source]) -> list[dict]:
    return [r.model_dump(mode="json") for r in records]


# -- fixed files -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fixed_file_round_trip_keeps_every_record_and_field(path: Path) -> None:
    text, _ = decode(path.read_bytes())
    first = parse(text)
    again = parse(write(first.records))
    assert dump(again.records) == dump(first.records)
    assert again.failures == []


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_export_is_one_tag_per_line_never_wrapped(path: Path) -> None:
    text, _ = decode(path.read_bytes())
    out = write(parse(text).records)
    for line in out.splitlines():
        assert line == "" or TAG_LINE.match(line), line
    assert out.count("TY  - ") == out.count("ER  - ")


def test_registry_finds_ris_by_name_and_suffix() -> None:
    result = read_bytes((DATA / "zotero_export.ris").read_bytes(), filename="x.ris")
    assert get_format("ris").write is write
    assert len(result.records) == 5


def test_zotero_export_maps_tags_to_fields() -> None:
    book, article, chapter, webpage, image = read("zotero_export.ris").records
    assert book.type == SourceType.BOOK
    assert book.isbn == "9780192810656"
    assert (book.publisher, book.publisher_place) == ("Oxford University Press", "London")
    assert book.extra["keywords"] == ["Trotsky", "exile"]
    assert book.note == "First published 1963."
    assert article.type == SourceType.ARTICLE_JOURNAL
    assert (article.container_title, article.volume, article.issue) == ("History Today", "61", "12")
    assert article.page == "7-8"
    assert article.issn == "0018-2753"
    assert article.issued == PartialDate.of(2011, 12)
    assert article.accessed == PartialDate.of(2024, 12, 18)
    assert article.extra["ris:J2"] == "Hist. Today"
    assert article.extra["ris:L1"].startswith("file:///")
    assert chapter.creators_in(CreatorRole.EDITOR)[0].family == "Thatcher"
    assert chapter.doi == "10.1057/9780230503526_7"
    assert webpage.type == SourceType.WEBPAGE
    assert webpage.issued == PartialDate.of(2010, 4, 21)
    assert webpage.extra["ris:AB"] == "Second paragraph of the abstract."
    assert image.group == "image"
    assert image.creators[0].literal == "Wikimedia Commons"
    assert image.url == "https://commons.wikimedia.org/wiki/File:Trotsky,_Lenin,_Kamenev_(1919).jpg"


def test_bom_does_not_lose_the_first_record() -> None:
    raw = (DATA / "bom_first_record.ris").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert [r.title for r in read("bom_first_record.ris").records] == ["My Life"]
    # Also when the BOM reaches parse() undecoded (text read with plain utf-8).
    assert [r.title for r in parse(raw.decode("utf-8")).records] == ["My Life"]


def test_crlf_and_legacy_tags() -> None:
    my_life, betrayed = read("endnote_crlf.ris").records
    assert my_life.creators[0].family == "Trotsky"
    assert my_life.year == 1960
    assert betrayed.creators_in(CreatorRole.TRANSLATOR)[0].family == "Eastman"
    assert betrayed.extra["ris:TY"] == "EBOOK"
    assert write([betrayed]).startswith("TY  - EBOOK\n")


def test_tag_spacing_variants_are_accepted() -> None:
    result = read("spacing_variants.ris")
    assert result.failures == []
    assert [r.title for r in result.records] == ["My Life", "Stalin Seeks My Death"]
    assert result.records[0].creators[0].given == "Leon"
    assert result.records[1].container_title == "The Fourth International"


def test_indented_tag_lines_are_read() -> None:
    text = "  TY  - BOOK\n  TI  - My Life\n  AU  - Trotsky, Leon\n  ER  - \n"
    assert [r.title for r in parse(text).records] == ["My Life"]


def test_record_without_er_is_reported_not_merged() -> None:
    result = read("missing_er.ris")
    assert [r.title for r in result.records] == ["My Life", "Good After Stray"]
    reasons = [(f.line, f.reason) for f in result.failures]
    assert reasons[0][0] == 1 and "not closed by 'ER" in reasons[0][1] and "line 6" in reasons[0][1]
    assert reasons[1][0] == 12 and "outside a record" in reasons[1][1]
    assert reasons[2][0] == 23 and "end of input" in reasons[2][1]
    assert "Unclosed Record" in result.failures[0].raw
    assert "Stray Title" in result.failures[1].raw


def test_continuation_lines_unknown_tags_and_bad_identifiers_are_kept() -> None:
    result = read("wrapped_and_unknown.ris")
    (report,) = result.records
    assert report.title.endswith("Charges Made Against Leon Trotsky in the Moscow Trials")
    assert report.extra["ris:ZZ"] == "an unknown tag"
    assert report.extra["ris:C1"] == "custom one"
    assert report.extra["ris:SN"] == "not-an-isbn"
    assert report.extra["ris:DO"] == "nonsense"
    messages = " | ".join(str(w) for w in result.warnings)
    assert "line 12: DO (doi): not a DOI" in messages
    assert "line 11: SN (isbn): invalid ISBN" in messages
    out = write([report])
    for line in ("ZZ  - an unknown tag", "C1  - custom one", "SN  - not-an-isbn", "DO  - nonsense"):
        assert line in out.splitlines()


def test_invalid_record_is_a_failure_with_line_and_field() -> None:
    text = "TY  - JOUR\nTI  - No Journal\nPY  - 2001\nER  - \n\nTY  - BOOK\nTI  - Fine\nER  - \n"
    result = parse(text)
    assert [r.title for r in result.records] == ["Fine"]
    (failure,) = result.failures
    assert failure.line == 1
    assert "container-title" in failure.reason


def test_unknown_type_is_read_as_document_with_a_warning() -> None:
    result = parse("TY  - WHATEVER\nTI  - Odd\nER  - \n")
    assert result.records[0].type == SourceType.DOCUMENT
    assert "unknown RIS type 'WHATEVER'" in str(result.warnings[0])
    assert write(result.records).startswith("TY  - GEN\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010/04/21/", PartialDate.of(2010, 4, 21)),
        ("2010/04/21", PartialDate.of(2010, 4, 21)),
        ("1941/08//", PartialDate.of(1941, 8)),
        ("1937///", PartialDate.of(1937)),
        ("1935///Spring", PartialDate.parse("Spring 1935")),
        ("1932///1932/1933", PartialDate.parse("1932/1933")),
        ("///n.d.", PartialDate(literal="n.d.")),
        ("2010-04-21", PartialDate.of(2010, 4, 21)),
        ("1963", PartialDate.of(1963)),
    ],
)
def test_ris_dates(text: str, expected: PartialDate) -> None:
    assert parse_date(text) == expected


def test_py_and_da_merge_into_the_more_precise_date() -> None:
    text = "TY  - NEWS\nTI  - T\nT2  - Paper\nPY  - 2010\nDA  - 2010/04/21/\nER  - \n"
    assert parse(text).records[0].issued == PartialDate.of(2010, 4, 21)
    conflicting = "TY  - BOOK\nTI  - T\nPY  - 2010\nDA  - 1999/01/01\nER  - \n"
    record = parse(conflicting).records[0]
    assert record.issued == PartialDate.of(2010)
    assert record.extra["ris:DA"] == "1999/01/01"


def test_sn_is_isbn_or_issn_by_checksum_then_type() -> None:
    text = (
        "TY  - JOUR\nTI  - T\nT2  - J\nSN  - 0018-2753\nER  - \n\n"
        "TY  - BOOK\nTI  - B\nSN  - 0-19-281065-0\nSN  - 0018-2753\nER  - \n"
    )
    article, book = parse(text).records
    assert article.issn == "0018-2753"
    assert book.isbn == "0192810650"
    assert book.issn == "0018-2753"


def test_fields_without_a_ris_tag_survive_as_note_lines() -> None:
    source = Source(
        type="article-magazine",
        title="Stalin Seeks My Death",
        group="primary",
        creators=[
            {"family": "Trotsky", "given": "Leon"},
            {"family": "Walters", "given": "David", "role": "transcriber"},
        ],
        container_title="The Fourth International",
        issued="1941-08",
        original_date="1940",
        archive="Leon Trotsky Internet Archive",
        note="First line\n\nThird line",
        extra={"howpublished": "print"},
    )
    out = write([source])
    assert "N1  - transcriber: Walters, David" in out.splitlines()
    assert dump(parse(out).records) == dump([source])


def test_types_without_a_ris_type_come_back() -> None:
    speech = Source(type="speech", title="Speech", creators=[{"literal": "Leon Trotsky"}])
    out = write([speech])
    assert out.startswith("TY  - GEN\n")
    assert parse(out).records[0].type == SourceType.SPEECH


def test_every_table_entry_is_consistent() -> None:
    for csl, ty in CSL_TO_TYPE.items():
        assert TYPE_TO_CSL[ty] == csl
    assert set(CREATOR_TAGS) >= {"AU", "A1", "A2", "A3", "A4", "ED", "TA"}


# -- property-based round trips ----------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéøł", min_size=1, max_size=8)
CAPITAL = st.tuples(st.sampled_from("ABCDEFGHIJKLMNOPRSTUVWŁÉ"), WORD).map("".join)
PHRASE = (
    st.lists(
        st.one_of(CAPITAL, WORD, st.sampled_from(["&", "1937", "—", "(1919)"])),
        min_size=1,
        max_size=6,
    )
    .map(lambda words: " ".join(words))
    .filter(lambda s: s[0].isupper() or s[0].isdigit() or s[0] in "&—(")
)
TITLE = st.lists(
    st.one_of(CAPITAL, WORD, st.sampled_from([":", "?", "’s", "1929–1940"])), min_size=1, max_size=8
).map(lambda words: " ".join(words))
PERSON = st.fixed_dictionaries(
    {"family": CAPITAL, "role": st.sampled_from(list(CreatorRole))},
    optional={
        "given": st.lists(CAPITAL, min_size=1, max_size=2).map(" ".join),
        "non_dropping_particle": st.sampled_from(["de", "van der", "von"]),
        "suffix": st.sampled_from(["Jr.", "III"]),
    },
)
INSTITUTION = st.fixed_dictionaries(
    {"literal": st.lists(CAPITAL, min_size=1, max_size=3).map(" ".join), "role": st.just("author")}
)
DATE = st.one_of(
    st.builds(PartialDate.of, st.integers(1000, 2020)),
    st.builds(PartialDate.of, st.integers(1000, 2020), st.integers(1, 12)),
    st.builds(PartialDate.of, st.integers(1000, 2020), st.integers(1, 12), st.integers(1, 28)),
    st.integers(1000, 2019).map(lambda y: PartialDate.parse(f"{y}/{y + 1}")),
    st.integers(1000, 2020).map(lambda y: PartialDate.parse(f"c. {y}")),
    st.integers(1000, 2020).map(lambda y: PartialDate.parse(f"Spring {y}")),
    st.just(PartialDate(literal="n.d.")),
)
NUMBER = st.integers(1, 999).map(str)


@st.composite
def sources(draw: st.DrawFn) -> Source:
    """Records of every type, with the fields RIS has tags or note lines for."""
    kind = draw(st.sampled_from(list(SourceType)))
    data: dict = {"type": kind, "title": draw(TITLE)}
    data["creators"] = draw(st.lists(st.one_of(PERSON, INSTITUTION), max_size=4))
    optional = {
        "container_title": TITLE,
        "collection_title": TITLE,
        "title_short": TITLE,
        "publisher": PHRASE,
        "publisher_place": PHRASE,
        "volume": NUMBER,
        "issue": NUMBER,
        "number": NUMBER,
        "edition": NUMBER,
        "page": st.one_of(NUMBER, st.tuples(NUMBER, NUMBER).map("-".join), st.just("xii–xiv")),
        "issued": DATE,
        "accessed": st.builds(PartialDate.of, st.integers(1995, 2024), st.integers(1, 12)),
        "original_date": DATE,
        "url": st.sampled_from(
            ["https://example.org/a?b=c&d=e~f", "http://x.org/File:A_(1919).jpg"]
        ),
        "doi": st.sampled_from(["10.1000/xyz-123", "10.1057/9780230503526_7"]),
        "isbn": st.sampled_from(["9780192810656", "0192810650"]),
        "issn": st.just("0018-2753"),
        "language": st.sampled_from(["en", "ru", "de-AT"]),
        "genre": PHRASE,
        "medium": PHRASE,
        "archive": PHRASE,
        "archive_location": PHRASE,
        "abstract": PHRASE,
        "note": st.lists(PHRASE, min_size=1, max_size=3).map("\n".join),
        "group": st.sampled_from(["primary", "secondary", "image", "letters"]),
        "key": st.from_regex(r"[a-z]{3,10}[0-9]{4}[a-z]{0,5}", fullmatch=True),
    }
    for name in draw(st.sets(st.sampled_from(sorted(optional)))):
        data[name] = draw(optional[name])
    if kind in {
        SourceType.CHAPTER,
        SourceType.ARTICLE_JOURNAL,
        SourceType.ARTICLE_MAGAZINE,
        SourceType.ARTICLE_NEWSPAPER,
        SourceType.ENTRY_DICTIONARY,
        SourceType.ENTRY_ENCYCLOPEDIA,
        SourceType.WEBPAGE,
        SourceType.POST_WEBLOG,
    }:
        data.setdefault("container_title", draw(TITLE))
    extra_keys = st.sampled_from(["ris:J2", "ris:L1", "ris:C3", "keywords", "howpublished"])
    extra = draw(st.dictionaries(extra_keys, PHRASE, max_size=3))
    if "keywords" in extra:
        extra["keywords"] = [extra["keywords"], "second"]
    data["extra"] = extra
    return Source.model_validate(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sources(), min_size=1, max_size=3))
def test_property_records_survive_a_ris_round_trip(records: list[Source]) -> None:
    result = parse(write(records))
    assert result.failures == []
    assert dump(result.records) == dump(records)


# Tags with one canonical spelling on export; their values must all come back under it.
CANONICAL = {"A1": "AU", "T1": "TI", "Y1": "PY", "JO": "T2", "JF": "T2", "ED": "A2", "TA": "A4"}


@st.composite
def ris_records(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Tagged lines as other tools write them, legacy tag spellings included."""
    ty = draw(st.sampled_from(sorted(TYPE_TO_CSL)))
    lines = [("TY", ty), (draw(st.sampled_from(["TI", "T1"])), draw(TITLE))]
    if TYPE_TO_CSL[ty] in {
        SourceType.CHAPTER,
        SourceType.ARTICLE_JOURNAL,
        SourceType.ARTICLE_MAGAZINE,
        SourceType.ARTICLE_NEWSPAPER,
        SourceType.ENTRY_DICTIONARY,
        SourceType.ENTRY_ENCYCLOPEDIA,
        SourceType.WEBPAGE,
        SourceType.POST_WEBLOG,
    }:
        lines.append((draw(st.sampled_from(["T2", "JO", "JF"])), draw(TITLE)))
    name = st.tuples(CAPITAL, CAPITAL).map(", ".join)
    for _ in range(draw(st.integers(0, 4))):
        lines.append((draw(st.sampled_from(sorted(CREATOR_TAGS))), draw(name)))
    optional = [
        ("PY", st.integers(1000, 2020).map(str)),
        ("VL", NUMBER),
        ("IS", NUMBER),
        ("SP", NUMBER),
        ("CY", PHRASE),
        ("PB", PHRASE),
        ("ET", NUMBER),
        ("AB", PHRASE),
        ("N1", PHRASE),
        ("KW", PHRASE),
        ("LA", st.just("en")),
        ("UR", st.just("https://example.org/x_(1).jpg")),
        ("Y2", st.just("2024/12/18/")),
        ("ZZ", PHRASE),
        ("C5", PHRASE),
        ("AD", PHRASE),
    ]
    for tag, values in draw(
        st.lists(st.sampled_from(optional), max_size=8, unique_by=lambda x: x[0])
    ):
        lines.append((tag, draw(values)))
    return lines


@settings(max_examples=100, deadline=None)
@given(st.lists(ris_records(), min_size=1, max_size=3))
def test_property_ris_to_ris_keeps_every_tag_value(records: list[list[tuple[str, str]]]) -> None:
    text = "".join(
        "".join(f"{tag}  - {value}\n" for tag, value in lines) + "ER  - \n\n" for lines in records
    )
    first = parse(text)
    assert first.failures == []
    out = write(first.records)
    written = {
        (tag, value) for tag, _, value in (line.partition("  - ") for line in out.splitlines())
    }
    for lines in records:
        for tag, value in lines[1:]:
            if tag == "Y2":
                value = value.rstrip("/")
            assert (CANONICAL.get(tag, tag), value) in written
    assert dump(parse(out).records) == dump(first.records)


# -- real clients ------------------------------------------------------------------------------


needs_checks = pytest.mark.skipif(
    not (CHECK_RIS.exists() and CHECKS_VENV.exists() and shutil.which("bash")),
    reason="real-client checks not installed (run /work/shared/checks/setup.sh)",
)
DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile" / "sources.json"


def run_check(path: Path, count: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(CHECK_RIS), str(path)],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "EXPECT_COUNT": str(count)},
    )


def generated_library(count: int) -> list[Source]:
    """Every CSL type in turn, with the fields real libraries fill, accents and odd URLs."""
    kinds = list(SourceType)
    out = []
    for i in range(count):
        out.append(
            Source(
                type=kinds[i % len(kinds)],
                title=f"Trotsky and {['the USSR', 'Zürich', 'Łódź', 'Coyoacán'][i % 4]}: part {i}",
                container_title=f"Journal of History {i % 50}",
                publisher=f"Press & Sons {i % 30}",
                publisher_place="New York",
                creators=[
                    {"family": f"Author{i % 997}", "given": "Anna Maria"},
                    {"family": "Gaulle", "non_dropping_particle": "de", "given": "Charles"},
                    {"literal": f"Institute {i % 7}", "role": "editor"},
                    {"family": "Walters", "given": "David", "role": "transcriber"},
                ],
                issued=PartialDate.of(1900 + i % 120, 1 + i % 12, 1 + i % 28),
                accessed=PartialDate.of(2024, 12, 18),
                url=f"https://example.org/item/{i}?a=b&c=d~e_(1919).jpg",
                page=f"{i % 300 + 1}-{i % 300 + 20}",
                volume=str(i % 40 + 1),
                group=["image", "primary", "secondary"][i % 3],
                note=f"Line one of note {i}\nLine two",
                extra={"keywords": ["exile", "Mexico"], "ris:J2": "J. Hist."},
            )
        )
    return out


@pytest.mark.slow
@needs_checks
def test_demo_library_export_passes_the_real_clients(tmp_path: Path) -> None:
    demo = get_format("csljson").parse(DEMO.read_text(encoding="utf-8")).records
    assert len(demo) == 18
    path = tmp_path / "demo.ris"
    path.write_text(write(demo), encoding="utf-8")
    done = run_check(path, 18)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert dump(parse(path.read_text(encoding="utf-8")).records) == dump(demo)


@pytest.mark.slow
@needs_checks
def test_ten_thousand_entries_pass_the_real_clients(tmp_path: Path) -> None:
    records = generated_library(10_000)
    path = tmp_path / "big.ris"
    path.write_text(write(records), encoding="utf-8")
    back = parse(path.read_text(encoding="utf-8"))
    assert back.failures == [] and dump(back.records) == dump(records)
    done = run_check(path, 10_000)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.mark.slow
@needs_checks
def test_export_passes_the_real_client_checks(tmp_path: Path) -> None:
    records: list[Source] = []
    for path in FILES:
        text, _ = decode(path.read_bytes())
        records += parse(text).records
    records += [
        Source(type=kind, title=f"A {kind.value} record", container_title="Container")
        for kind in SourceType
    ]
    out = tmp_path / "export.ris"
    out.write_text(write(records), encoding="utf-8")
    run = subprocess.run(
        ["bash", str(CHECK_RIS), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "EXPECT_COUNT": str(len(records))},
    )
    assert run.returncode == 0, run.stdout + run.stderr
