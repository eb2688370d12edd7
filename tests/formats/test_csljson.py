"""CSL-JSON: reading, writing, guards against hostile input, and lossless round trips."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citekit.formats import csljson, read_bytes
from citekit.model import Creator, CreatorRole, PartialDate, Source, SourceType

CHECKS = Path("/work/shared/checks")
SCHEMA_FILE = CHECKS / "schema" / "csl-data.json"
DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile" / "sources.json"


@pytest.fixture(scope="module")
def schema() -> jsonschema.Draft7Validator:
    if not SCHEMA_FILE.exists():
        pytest.skip(f"CSL-JSON schema not found at {SCHEMA_FILE}")
    return jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def parse_one(item: dict[str, Any]) -> Source:
    result = csljson.parse(json.dumps([item]))
    assert result.failures == [], result.failures
    return result.records[0]


# -- reading -------------------------------------------------------------------------------


def test_typed_fields_names_and_dates() -> None:
    source = parse_one(
        {
            "id": "serge1975life",
            "type": "book",
            "title": "The Life and Death of Leon Trotsky",
            "author": [
                {"family": "Serge", "given": "Victor"},
                {"family": "Trotsky", "given": "Natalia Sedova"},
            ],
            "translator": [{"family": "Pomerans", "given": "Arnold J."}],
            "issued": {"date-parts": [["1975"]]},
            "publisher-place": "London",
            "archive_location": "Box 3",
            "number-of-volumes": 2,
        }
    )
    assert source.key == "serge1975life"
    assert [(c.role, c.family) for c in source.creators] == [
        (CreatorRole.AUTHOR, "Serge"),
        (CreatorRole.AUTHOR, "Trotsky"),
        (CreatorRole.TRANSLATOR, "Pomerans"),
    ]
    assert source.issued == PartialDate.of(1975)
    assert (source.publisher_place, source.archive_location) == ("London", "Box 3")
    assert source.number_of_volumes == "2"
    assert source.extra == {}


def test_unknown_variables_go_to_extra_verbatim() -> None:
    item = {
        "id": "x",
        "type": "article-journal",
        "title": "T",
        "container-title": "J",
        "journalAbbreviation": "J. Hist.",
        "event-date": {"date-parts": [[1940, 8, 20]]},
        "host": [{"family": "Rivera", "given": "Diego"}],
        "zotero-field": {"nested": [1, 2.5, None, True]},
    }
    source = parse_one(item)
    assert source.extra == {k: item[k] for k in ("journalAbbreviation", "event-date", "host")} | {
        "zotero-field": {"nested": [1, 2.5, None, True]}
    }
    written = json.loads(csljson.write([source]))[0]
    for name in ("journalAbbreviation", "event-date", "host"):
        assert written[name] == item[name]
    # Not a CSL variable: it survives under custom.extra, where the schema allows anything.
    assert written["custom"]["extra"] == {"zotero-field": item["zotero-field"]}


def test_custom_carries_citekits_own_data() -> None:
    source = parse_one(
        {
            "id": "ITEM-1",
            "type": "article-magazine",
            "title": "Stalin Seeks My Death",
            "container-title": "The Fourth International",
            "author": [{"family": "Trotsky", "given": "Leon"}],
            "custom": {
                "key": "trotsky1941stalin",
                "group": "primary",
                "transcriber": [{"family": "Walters", "given": "David"}],
                "extra": {"article_text": "Trotsky, Leon. ‘Stalin Seeks My Death’."},
                "zotero_item_key": "ABCD1234",
            },
        }
    )
    assert source.key == "trotsky1941stalin"
    assert source.group == "primary"
    assert source.creators[-1] == Creator(role="transcriber", family="Walters", given="David")
    assert source.extra == {
        "id": "ITEM-1",
        "article_text": "Trotsky, Leon. ‘Stalin Seeks My Death’.",
        "custom": {"zotero_item_key": "ABCD1234"},
    }
    written = json.loads(csljson.write([source]))[0]
    assert written["id"] == "ITEM-1"
    assert written["custom"] == {
        "transcriber": [{"family": "Walters", "given": "David"}],
        "zotero_item_key": "ABCD1234",
        "key": "trotsky1941stalin",
        "group": "primary",
        "extra": {"article_text": "Trotsky, Leon. ‘Stalin Seeks My Death’."},
    }


@pytest.mark.parametrize(
    ("item_id", "key", "extra"),
    [
        ("deutscher1963prophet", "deutscher1963prophet", {}),
        (
            "http://zotero.org/users/1/items/ABC",
            None,
            {"id": "http://zotero.org/users/1/items/ABC"},
        ),
        (42, None, {"id": 42}),
    ],
)
def test_key_comes_from_the_id_when_it_can(item_id: Any, key: str | None, extra: dict) -> None:
    source = parse_one({"id": item_id, "type": "book", "title": "The Prophet Outcast"})
    assert (source.key, source.extra) == (key, extra)
    assert json.loads(csljson.write([source]))[0]["id"] == item_id


def test_a_single_object_is_one_item() -> None:
    result = csljson.parse('{"id": "a", "type": "book", "title": "My Life"}')
    assert [r.title for r in result.records] == ["My Life"]


@pytest.mark.parametrize("text", ["", "  \n", "[]", " [ ] \n"])
def test_empty_input_has_no_records_and_no_failures(text: str) -> None:
    result = csljson.parse(text)
    assert (result.records, result.failures) == ([], [])


# -- bad input: each bad item is a failure naming the field; the good ones stay ------------------

GOOD = '{"id": "good", "type": "book", "title": "My Life"}'


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ('{"id": "b", "title": "No type"}', "type: missing"),
        ('{"id": "b", "type": "journalArticle", "title": "T"}', "'journalArticle' is not a CSL"),
        ('{"id": "b", "type": "book", "title": 12}', "title: Input should be a valid string"),
        ('{"id": "b", "type": "book"}', "title: a book needs title"),
        (
            '{"id": "b", "type": "book", "title": "T", "author": "Trotsky"}',
            "author: expected a list",
        ),
        ('{"id": "b", "type": "book", "title": "T", "author": [{}]}', "author[0]: a name needs"),
        ('{"id": "b", "type": "book", "title": "T", "author": [3]}', "author[0]: expected a name"),
        ('{"id": "b", "type": "book", "title": "T", "issued": {"x": 1}}', "issued"),
        ('{"id": "b", "type": "book", "title": "T", "issued": "2010-13-45"}', "issued"),
        ('{"id": "b", "type": "book", "title": "T", "URL": "javascript:x"}', "URL: URL must start"),
        ('{"id": "b", "type": "book", "title": "T", "DOI": "nope"}', "DOI: not a DOI"),
        ('{"id": "b", "type": "book", "title": "T", "ISBN": "9780000000000"}', "ISBN: invalid"),
        ('{"id": "b", "type": "book", "title": "T", "custom": {"key": "a b"}}', "custom.key"),
        ('{"id": "b", "type": "book", "title": NaN}', "title: NaN is not a JSON number"),
        ('{"id": "b", "type": "book", "title": "T", "volume": -Infinity}', "volume: -Infinity"),
        ('{"id": "b", "type": "book", "title": "\\ud800x"}', "lone surrogate \\ud800"),
        ('{"id": "b", "type": "book", "title": "T", "x": ' + "[" * 70 + "]" * 70 + "}", "nested"),
        ("null", "expected an object, got null"),
        ('"a string"', "expected an object, got str"),
    ],
)
def test_a_bad_item_fails_alone(bad: str, reason: str) -> None:
    result = csljson.parse(f"[\n{GOOD},\n{bad},\n{GOOD}\n]")
    assert [r.key for r in result.records] == ["good", "good"]
    assert len(result.failures) == 1
    failure = result.failures[0]
    assert failure.line == 3
    assert reason in failure.reason, failure.reason
    assert "(number 2)" in failure.reason


def test_several_problems_in_one_item_are_all_reported() -> None:
    bad = (
        '{"id": "b", "type": "webpage", "title": 1, "URL": "ftp://x",'
        ' "author": [{"literal": "A", "family": "B"}]}'
    )
    (failure,) = csljson.parse(f"[{bad}]").failures
    assert failure.key == "b"
    for words in ("title:", "URL:", "author[0]:"):
        assert words in failure.reason


@pytest.mark.parametrize(
    ("text", "reason", "kept"),
    [
        (f'[{GOOD}, {{"id": "x",]', "JSON syntax error at line 1", 1),
        (f"[{GOOD} {GOOD}]", "expected ',' or ']'", 1),
        (f"[{GOOD}] trailing", "unexpected text after the end", 1),
        (f"{GOOD} {GOOD}", "unexpected text after the end", 1),
        ("[" * 100_000, "nested too deeply", 0),
        ("[{'id': 'a'}]", "JSON syntax error", 0),
    ],
)
def test_broken_json_keeps_what_came_before(text: str, reason: str, kept: int) -> None:
    result = csljson.parse(text)
    assert len(result.records) == kept
    assert len(result.failures) == 1
    assert reason in result.failures[0].reason


def test_duplicate_fields_and_ignored_name_parts_are_warnings() -> None:
    text = (
        '[{"id": "a", "type": "book", "title": "First", "title": "Second",'
        ' "author": [{"family": "King", "given": "M. L.", "suffix": "Jr.", "comma-suffix": true}]}]'
    )
    result = csljson.parse(text)
    assert result.records[0].title == "Second"
    messages = [w.message for w in result.warnings]
    assert any("title is given more than once" in m for m in messages)
    assert any("author[0].comma-suffix: ignored" in m for m in messages)


def test_a_large_field_is_read() -> None:
    big = "x" * 5_000_000
    result = csljson.parse(json.dumps([{"id": "a", "type": "book", "title": "T", "note": big}]))
    assert result.records[0].note == big


def test_a_failures_raw_text_is_clipped() -> None:
    result = csljson.parse(json.dumps([{"id": "a", "type": "book", "note": "y" * 100_000}]))
    assert len(result.failures[0].raw) < 3000


# -- writing -------------------------------------------------------------------------------


def test_demo_library_export_meets_the_schema(schema: jsonschema.Draft7Validator) -> None:
    records = csljson.parse(DEMO.read_text(encoding="utf-8")).records
    data = json.loads(csljson.write(records))
    assert sorted(schema.iter_errors(data), key=str) == []
    assert len({item["id"] for item in data}) == 18


def test_ids_are_unique_and_keyless_records_get_generated_keys() -> None:
    sources = [
        Source(type="book", title="My Life", creators=[{"family": "Trotsky"}], issued="1930"),
        Source(type="book", title="My Life", creators=[{"family": "Trotsky"}], issued="1930"),
        Source(key="trotsky1930my", type="book", title="Other"),
    ]
    data = json.loads(csljson.write(sources))
    assert [item["id"] for item in data] == ["trotsky1930my", "trotsky1930mya", "trotsky1930myb"]
    assert data[2]["custom"]["key"] == "trotsky1930my"


def test_writer_output_is_compact_for_dates_and_never_touches_strings() -> None:
    source = Source(key="a", type="book", title="see [1,\n2]", issued="1932/1933")
    text = csljson.write([source])
    assert '"date-parts": [[1932], [1933]]' in text
    assert csljson.parse(text).records[0].title == "see [1,\n2]"
    assert json.loads(csljson.write([source], indent=None)) == json.loads(text)


def test_read_bytes_decodes_legacy_encodings_once() -> None:
    data = '[{"id": "a", "type": "book", "title": "Coyoacán"}]'.encode("cp1252")
    result = read_bytes(data, filename="lib.json")
    assert result.records[0].title == "Coyoacán"
    assert "cp1252" in result.warnings[0].message


@pytest.mark.slow
def test_demo_library_passes_the_real_clients(tmp_path: Path) -> None:
    script = CHECKS / "check_csljson.sh"
    if not script.exists() or not Path("/tmp/checks-venv/bin/python").exists():
        pytest.skip("real-client checks not installed (run ../shared/checks/setup.sh)")
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc not installed (run ../shared/checks/setup.sh)")
    records = csljson.parse(DEMO.read_text(encoding="utf-8")).records
    out = tmp_path / "demo.json"
    out.write_text(csljson.write(records), encoding="utf-8")
    run = subprocess.run([str(script), str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "check_csljson: PASS" in run.stdout.splitlines()[-1]


def generated_library(count: int) -> list[Source]:
    """``count`` records made from the demo library: distinct keys, titles, authors and years."""
    rng = random.Random(7)
    demo = csljson.parse(DEMO.read_text(encoding="utf-8")).records
    syllables = "ka lo mi ne ru sa ti vo ber gan dor fel hus jen kor lin mar nor pet ros".split()
    out = []
    for number in range(count):
        record = demo[number % len(demo)]
        family = "".join(rng.choice(syllables) for _ in range(3)).capitalize()
        creators = [
            c.model_copy(update={"family": family}) if c.role == "author" and c.family else c
            for c in record.creators
        ]
        change: dict[str, Any] = {
            "key": f"{record.key}{number}",
            "title": f"{record.title} {number}",
            "creators": creators,
        }
        if record.issued is not None and record.issued.start is not None:
            start = record.issued.start.model_copy(update={"year": 1900 + rng.randrange(120)})
            change["issued"] = record.issued.model_copy(update={"start": start})
        out.append(record.model_copy(update=change))
    return out


@pytest.mark.slow
def test_a_generated_10000_entry_library_meets_the_schema(
    schema: jsonschema.Draft7Validator,
) -> None:
    data = json.loads(csljson.write(generated_library(10_000)))
    assert len({item["id"] for item in data}) == 10_000
    assert next(schema.iter_errors(data), None) is None


@pytest.mark.slow
def test_a_generated_library_passes_the_real_clients(tmp_path: Path) -> None:
    script = CHECKS / "check_csljson.sh"
    if not script.exists() or not Path("/tmp/checks-venv/bin/python").exists():
        pytest.skip("real-client checks not installed (run ../shared/checks/setup.sh)")
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc not installed (run ../shared/checks/setup.sh)")
    # 2,000 entries: the checks' citation-js helper loses its report beyond 64 KiB of output
    # (process.exit before a piped stdout drains), and pandoc's citeproc needs minutes for
    # 10,000 (10,000 were checked by hand: schema and both pandocs pass).
    out = tmp_path / "generated.json"
    out.write_text(csljson.write(generated_library(2_000)), encoding="utf-8")
    run = subprocess.run(
        [str(script), str(out)],
        capture_output=True,
        text=True,
        timeout=1200,
        env={**os.environ, "EXPECT_COUNT": "2000"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "check_csljson: PASS" in run.stdout.splitlines()[-1]


# -- round trips (hypothesis) ----------------------------------------------------------------

# Letters that matter in bibliographies (accents, quotes, dashes, braces, scripts) keep
# generation cheap; full Unicode would spend the time budget on drawing characters.
ALPHABET = st.sampled_from(list("aZ09 .,:;-–—‘’“”'\"&%#{}[]\\/_~éøßčÆ ЛД中\u00a0\t\n"))
TEXT = st.text(ALPHABET, min_size=1, max_size=30).map(str.strip).filter(bool)
KEYS = st.from_regex(r"[a-z][a-z0-9_:.+-]{0,20}", fullmatch=True)
ROLES = st.sampled_from(list(CreatorRole))
NAMES = st.one_of(
    st.builds(
        dict,
        family=TEXT,
        given=st.none() | TEXT,
        suffix=st.none() | st.sampled_from(["Jr.", "III"]),
        non_dropping_particle=st.none() | st.sampled_from(["de", "van der"]),
    ),
    st.builds(dict, literal=TEXT),
)
CREATORS = st.lists(
    st.tuples(ROLES, NAMES).map(lambda pair: Creator(role=pair[0], **pair[1])), max_size=5
).map(lambda creators: sorted(creators, key=lambda c: list(CreatorRole).index(c.role)))
DATES = st.one_of(
    st.builds(
        PartialDate.of,
        st.integers(1000, 2020),
        st.none() | st.integers(1, 12),
    ),
    st.integers(1000, 2019).map(lambda y: PartialDate.parse(f"{y}/{y + 1}")),
    st.sampled_from(["c. 1920", "Spring 1935", "n.d.", "1941-08-20", "1920?"]).map(
        PartialDate.parse
    ),
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(ALPHABET, max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(ALPHABET, max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
EXTRA_KEYS = st.one_of(
    st.text(ALPHABET, min_size=1, max_size=12),
    st.sampled_from(["journalAbbreviation", "event-date", "host", "custom", "title", "author"]),
).filter(lambda k: k != "id")
PLAIN_FIELDS = [
    f
    for f in csljson.TEXT_FIELDS
    if f not in ("title", "container_title", "url", "doi", "isbn", "issn")
]


@st.composite
def sources(draw: st.DrawFn) -> Source:
    fields = draw(st.dictionaries(st.sampled_from(PLAIN_FIELDS), TEXT, max_size=8))
    return Source(
        key=draw(KEYS),
        type=draw(st.sampled_from(list(SourceType))),
        group=draw(
            st.none() | st.sampled_from(["primary", "secondary", "image", "Archival Sources"])
        ),
        title=draw(TEXT),
        container_title=draw(TEXT),
        creators=draw(CREATORS),
        issued=draw(st.none() | DATES),
        accessed=draw(st.none() | st.sampled_from(["2024-12-18", "2010"]).map(PartialDate.parse)),
        url=draw(st.none() | st.sampled_from(["https://example.org/a_(1)%26b?x=1&y=~z"])),
        doi=draw(st.none() | st.just("10.1093/acprof:oso/9780199283095.001.0001")),
        isbn=draw(st.none() | st.just("9780192851185")),
        extra=draw(st.dictionaries(EXTRA_KEYS, JSON, max_size=4)),
        **fields,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sources(), min_size=1, max_size=4, unique_by=lambda s: s.key))
def test_source_to_csljson_to_source_keeps_every_field(records: list[Source]) -> None:
    text = csljson.write(records)
    result = csljson.parse(text)
    assert result.failures == []
    assert result.records == records


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sources(), min_size=1, max_size=4, unique_by=lambda s: s.key))
def test_csljson_to_source_to_csljson_keeps_every_field(records: list[Source]) -> None:
    # Start from CSL-JSON as it is found in files, then read it, write it, and compare as JSON.
    first = json.loads(csljson.write(records))
    again = json.loads(csljson.write(csljson.parse(json.dumps(first)).records))
    assert again == first


@settings(max_examples=40, deadline=None)
@given(st.lists(sources(), min_size=1, max_size=3, unique_by=lambda s: s.key))
def test_every_export_meets_the_schema(
    schema: jsonschema.Draft7Validator, records: list[Source]
) -> None:
    data = json.loads(csljson.write(records))
    assert [e.message for e in schema.iter_errors(data)] == []


@pytest.mark.parametrize(
    "item",
    [
        {"id": "a", "type": "book", "title": "T", "issued": {"date-parts": [[1932], [1933]]}},
        {"id": "a", "type": "book", "title": "T", "issued": {"date-parts": [[1935]], "season": 1}},
        {
            "id": "a",
            "type": "book",
            "title": "T",
            "issued": {"date-parts": [[1920]], "circa": True},
        },
        {"id": "a", "type": "book", "title": "T", "issued": {"literal": "n.d."}},
        {"id": "a", "type": "book", "title": "T", "categories": ["history", "exile"]},
        {"id": 7, "type": "book", "title": "T", "citation-key": "trotsky1930my"},
        {
            "id": "a",
            "type": "chapter",
            "title": "T",
            "container-title": "C",
            "editor": [{"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"}],
            "container-author": [{"literal": "Commission of Inquiry"}],
            "page": "726-769",
            "custom": {"group": "Archival Sources", "key": "a"},
        },
    ],
)
def test_fixed_items_round_trip_exactly(item: dict[str, Any]) -> None:
    back = json.loads(csljson.write([parse_one(item)]))[0]
    custom = back.pop("custom")
    assert back == {k: v for k, v in item.items() if k != "custom"}
    assert custom["group"] == item.get("custom", {}).get("group", "secondary")


def test_a_key_repeated_many_times_is_one_warning() -> None:
    repeated = ", ".join(['"k": 1'] * 50_000)
    result = csljson.parse(f'[{{"id": "a", "type": "book", "title": "T", {repeated}}}]')
    assert len(result.records) == 1
    assert [w.message for w in result.warnings] == [
        "item 'a' (number 1): k is given more than once; the last value is kept"
    ]


# Items as other tools write them: numbers as numbers, dates as strings or date-parts with text,
# variables citekit has no field for, and custom data of their own.
RAW_ITEMS = st.fixed_dictionaries(
    {
        "id": st.one_of(KEYS, st.integers(0, 10**6), st.just("http://zotero.org/users/1/items/X")),
        "type": st.sampled_from(["book", "report", "thesis", "manuscript", "document"]),
        "title": TEXT,
    },
    optional={
        "volume": st.integers(1, 300) | TEXT,
        "page": st.sampled_from(["45", "726-769", 12]),
        "issued": st.sampled_from(
            ["1941-08", "1932/1933", {"date-parts": [["1963"]]}, {"raw": "c. 1920"}]
        ),
        "author": st.lists(NAMES, min_size=1, max_size=3),
        "translator": st.lists(NAMES, min_size=1, max_size=2),
        "journalAbbreviation": TEXT,
        "event-date": st.just({"date-parts": [[1940, 8, 20]]}),
        "citation-key": KEYS,
        "custom": st.dictionaries(st.sampled_from(["short_id", "checked", "tags"]), JSON),
        "x-tool": JSON,
    },
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def _distinct(items: list[dict[str, Any]]) -> bool:
    # Two items under one key are written with distinct ids, so that one comes back renamed.
    names = [n for i in items for n in {str(i["id"]), str(i.get("citation-key", i["id"]))}]
    return len(set(names)) == len(names)


@given(st.lists(RAW_ITEMS, min_size=1, max_size=4).filter(_distinct))
def test_foreign_csljson_reads_the_same_after_a_round_trip(items: list[dict[str, Any]]) -> None:
    first = csljson.parse(json.dumps(items))
    assert first.failures == []
    second = csljson.parse(csljson.write(first.records))
    assert second.failures == []
    assert second.records == first.records
