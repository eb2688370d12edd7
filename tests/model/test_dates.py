"""PartialDate: parsing, CSL and EDTF views, ordering."""

from __future__ import annotations

import re

import pytest

from citekit.model import PartialDate

PARSED = [
    ("1937", "1937", {"date-parts": [[1937]]}),
    ("1941-08", "1941-08", {"date-parts": [[1941, 8]]}),
    ("2010-04-21", "2010-04-21", {"date-parts": [[2010, 4, 21]]}),
    ("2024-12-18T10:30:00Z", "2024-12-18", {"date-parts": [[2024, 12, 18]]}),
    ("1932–33", "1932/1933", {"date-parts": [[1932], [1933]]}),
    ("1932-1933", "1932/1933", {"date-parts": [[1932], [1933]]}),
    ("1998–2003", "1998/2003", {"date-parts": [[1998], [2003]]}),
    ("1932/1933", "1932/1933", {"date-parts": [[1932], [1933]]}),
    ("1929-02/1940-08-21", "1929-02/1940-08-21", {"date-parts": [[1929, 2], [1940, 8, 21]]}),
    ("1932/..", "1932/..", {"date-parts": [[1932]], "raw": "1932/.."}),
    ("../1940", "../1940", {"date-parts": [[1940]], "raw": "../1940"}),
    ("1920~", "1920~", {"date-parts": [[1920]], "circa": True}),
    ("c. 1920", "1920~", {"date-parts": [[1920]], "circa": True}),
    ("ca. 1920", "1920~", {"date-parts": [[1920]], "circa": True}),
    ("1920?", "1920?", {"date-parts": [[1920]], "raw": "1920?"}),
    ("1935-21", "1935-21", {"date-parts": [[1935]], "season": 1}),
    ("Summer 1935", "1935-22", {"date-parts": [[1935]], "season": 2}),
    ("21 April 2010", "2010-04-21", {"date-parts": [[2010, 4, 21]]}),
    ("20 August, 1940", "1940-08-20", {"date-parts": [[1940, 8, 20]]}),
    ("April 21, 2010", "2010-04-21", {"date-parts": [[2010, 4, 21]]}),
    ("December 2011", "2011-12", {"date-parts": [[2011, 12]]}),
    ("18 Dec 2024", "2024-12-18", {"date-parts": [[2024, 12, 18]]}),
    ("Sept. 1939", "1939-09", {"date-parts": [[1939, 9]]}),
    ("n.d.", "n.d.", {"literal": "n.d."}),
    ("undated", "n.d.", {"literal": "n.d."}),
    (
        "Easter term, reign of Henry II",
        "Easter term, reign of Henry II",
        {"literal": "Easter term, reign of Henry II"},
    ),
]


@pytest.mark.parametrize(("text", "edtf", "csl"), PARSED)
def test_parse(text: str, edtf: str, csl: dict) -> None:
    date = PartialDate.parse(text)
    assert date.edtf() == edtf
    assert date.to_csl() == csl
    # Both views read back to the same date.
    assert PartialDate.from_csl(csl) == date
    assert PartialDate.parse(edtf) == date


@pytest.mark.parametrize(
    "text",
    ["2010-13-01", "2010-02-30", "2011-02-29", "1933-1932", "1940/1930", "12/45/2001", "  "],
)
def test_impossible_dates_are_errors(text: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse(text)


def test_strict_refuses_literals() -> None:
    with pytest.raises(ValueError, match="cannot read"):
        PartialDate.parse("sometime", strict=True)


def test_leap_day_and_views() -> None:
    date = PartialDate.parse("2012-02-29")
    assert (date.year, date.month, date.day) == (2012, 2, 29)
    assert date.as_date() is not None and date.as_date().isoformat() == "2012-02-29"
    assert PartialDate.parse("1932–33").is_range
    assert not PartialDate.parse("1932").is_range


def test_csl_input_forms() -> None:
    assert PartialDate.from_csl({"date-parts": [["1937", "5"]]}).edtf() == "1937-05"
    assert PartialDate.from_csl({"date-parts": [[1935]], "season": "Spring"}).season == 1
    assert PartialDate.from_csl({"raw": "1932–33"}).edtf() == "1932/1933"
    assert PartialDate.model_validate({"date-parts": [[1940, 8, 20]]}).day == 20
    assert PartialDate.model_validate(1937).year == 1937
    with pytest.raises(ValueError):
        PartialDate.from_csl({"date-parts": [[]]})
    assert PartialDate.from_csl({"raw": "1938", "circa": True}).edtf() == "1938~"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"literal": "spring", "raw": ["1932"]}, "'raw' is text, not list"),
        ({"date-parts": [[1932]], "literal": 1932}, "'literal' is text, not int"),
        ({"date-parts": [1932]}, "a list of [year, month, day] lists"),
        ({"date-parts": [[1932, None]]}, "a list of [year, month, day] lists"),
        ({"date-parts": [[1932, "May"]]}, "hold numbers, not [1932, 'May']"),
    ],
)
def test_a_csl_date_of_the_wrong_shape_is_refused(value: dict, reason: str) -> None:
    # Refused with the reason, never read in part (a list where text belongs was dropped).
    with pytest.raises(ValueError, match=re.escape(reason)):
        PartialDate.model_validate(value)


def test_sorting() -> None:
    texts = ["n.d.", "1941-08", "1937", "1937-05-02", "1937-05", "1932–33", "c. 1920", "-0044"]
    ordered = sorted(PartialDate.parse(t) for t in texts)
    assert [d.edtf() for d in ordered] == [
        "-0044",
        "1920~",
        "1932/1933",
        "1937",
        "1937-05",
        "1937-05-02",
        "1941-08",
        "n.d.",
    ]
    assert PartialDate.parse("1937") < PartialDate.parse("1938")
    assert PartialDate.parse("1938") >= PartialDate.parse("1937-12-31")


def test_dates_dump_as_csl_and_read_back() -> None:
    from citekit.model import Source

    source = Source(type="book", title="t", issued="1932/..", accessed="2024-12-18")
    dumped = source.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped["issued"] == {"date-parts": [[1932]], "raw": "1932/.."}
    assert dumped["accessed"] == {"date-parts": [[2024, 12, 18]]}
    assert Source.model_validate(dumped) == source
