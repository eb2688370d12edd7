"""Partial dates: a year, a month, a day, a season, circa, ranges and a literal fallback."""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import total_ordering
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_serializer, model_validator

MONTHS: dict[str, int] = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTHS.update({"sept": 9})
SEASONS: dict[str, int] = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
SEASON_NAMES = {1: "Spring", 2: "Summer", 3: "Autumn", 4: "Winter"}
NO_DATE = {"n.d.", "n.d", "nd", "no date", "undated", "s.d.", "o.j."}

_EDTF_POINT = re.compile(
    r"(?P<year>-?\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?(?P<q>[?~%]?)"
)
_TEXT_MONTH = r"(?P<mname>[A-Za-z]{3,9})\.?"
_HUMAN = [
    # 21 April 2010, 20 August, 1940, 18 Dec 2024
    re.compile(rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_TEXT_MONTH},?\s+(?P<year>\d{{3,4}})"),
    # April 21, 2010
    re.compile(rf"{_TEXT_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{3,4}})"),
    # December 2011, Spring 1935
    re.compile(rf"{_TEXT_MONTH},?\s+(?P<year>\d{{3,4}})"),
    re.compile(r"(?P<year>\d{3,4})"),
]
_CIRCA = re.compile(r"^(?:c\.|ca\.|circa|approx\.|about)\s*", re.IGNORECASE)
_DASHES = re.compile(r"\s*[–—‒-]\s*")


# The JSON form of a date, for schemas: EDTF / ISO text or a CSL date object.
CSL_DATE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "examples": ["1937", "1941-08", "1932/1933", "1920~", "n.d."]},
        {
            "type": "object",
            "properties": {
                "date-parts": {
                    "type": "array",
                    "items": {"type": "array", "items": {"type": ["integer", "string"]}},
                },
                "season": {"type": ["integer", "string"]},
                "circa": {"type": ["boolean", "integer", "string"]},
                "literal": {"type": "string"},
                "raw": {"type": "string"},
            },
        },
        {"type": "null"},
    ]
}


_CSL_DATE_TYPES: dict[str, tuple[type, ...]] = {
    "date-parts": (list,),
    "season": (int, str),
    "circa": (bool, int, str),
    "literal": (str,),
    "raw": (str,),
}


def _check_csl_types(value: dict[str, Any]) -> None:
    """A CSL date's members must have the types CSL_DATE_SCHEMA gives them."""
    for name, types in _CSL_DATE_TYPES.items():
        member = value.get(name)
        if member is not None and not isinstance(member, types):
            kinds = " or ".join(t.__name__ for t in types).replace("str", "text")
            raise ValueError(f"a CSL date's {name!r} is {kinds}, not {type(member).__name__}")
    for item in value.get("date-parts") or []:
        if not isinstance(item, list) or not all(
            isinstance(p, int | str) and not isinstance(p, bool) for p in item
        ):
            raise ValueError("CSL date-parts is a list of [year, month, day] lists")


class DatePoint(BaseModel):
    """One end of a date: year with an optional month and day, or a season of a year."""

    model_config = ConfigDict(frozen=True)

    year: int
    month: int | None = None
    day: int | None = None
    season: int | None = None

    @model_validator(mode="after")
    def _check(self) -> DatePoint:
        if not -9999 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not between 1 and 12")
        if self.day is not None:
            if self.month is None:
                raise ValueError("a day needs a month")
            last = calendar.monthrange(self.year, self.month)[1] if self.year > 0 else 31
            if not 1 <= self.day <= last:
                raise ValueError(f"day {self.day} does not exist in {self.year}-{self.month:02d}")
        if self.season is not None and not 1 <= self.season <= 4:
            raise ValueError(f"season {self.season} is not between 1 and 4")
        if self.season is not None and self.month is not None:
            raise ValueError("a date has a month or a season, not both")
        return self

    def parts(self) -> list[int]:
        """CSL date-parts: ``[1932, 5, 4]``."""
        return [p for p in (self.year, self.month, self.day) if p is not None]

    def edtf(self) -> str:
        if self.season is not None:
            return f"{self.year:04d}-{20 + self.season}"
        out = f"{self.year:04d}" if self.year >= 0 else f"-{-self.year:04d}"
        if self.month is not None:
            out += f"-{self.month:02d}"
            if self.day is not None:
                out += f"-{self.day:02d}"
        return out

    def sort_key(self) -> tuple[int, int, int]:
        month = self.month or (self.season * 3 - 2 if self.season else 0)
        return (self.year, month, self.day or 0)


@total_ordering
class PartialDate(BaseModel):
    """A date as sources give them: ``1937``, ``1941-08``, ``2010-04-21``, ``1932/1933``, ``1920~``.

    ``PartialDate.parse("1932–33")`` is a closed range, ``"1932/.."`` an open one, ``"c. 1920"``
    circa, ``"Spring 1935"`` a season, ``"n.d."`` a literal.
    """

    model_config = ConfigDict(frozen=True)

    start: DatePoint | None = None
    end: DatePoint | None = None
    open_start: bool = False
    open_end: bool = False
    circa: bool = False
    uncertain: bool = False
    literal: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: Any) -> Any:
        if isinstance(value, str):
            return cls.parse(value).fields()
        if isinstance(value, int) and not isinstance(value, bool):
            return {"start": {"year": value}}
        if isinstance(value, dict) and ("date-parts" in value or "raw" in value):
            _check_csl_types(value)
            return cls.from_csl(value).fields()
        return value

    @model_validator(mode="after")
    def _check(self) -> PartialDate:
        if self.literal is None and self.start is None and self.end is None:
            raise ValueError("a date needs a year, a range or a literal")
        if self.start and self.end and self.end.sort_key() < self.start.sort_key():
            raise ValueError(
                f"range ends ({self.end.edtf()}) before it starts ({self.start.edtf()})"
            )
        return self

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None) -> PartialDate:
        """``PartialDate.of(1940, 8, 20)``."""
        return cls(start=DatePoint(year=year, month=month, day=day))

    @classmethod
    def parse(cls, text: str, *, strict: bool = False) -> PartialDate:
        """Read ISO 8601 / EDTF level 0–1, ``1932–33``, ``21 April 2010``, ``c. 1920``, ``n.d.``.

        Text that is no date at all becomes a literal, unless ``strict``; text that looks like a
        numeric date but is impossible (``2010-13-45``) is always an error.
        """
        raw = " ".join(text.split())
        if not raw:
            raise ValueError("empty date")
        if raw.lower() in NO_DATE:
            return cls(literal="n.d.")
        try:
            parsed = cls._parse_edtf(raw) or cls._parse_human(raw)
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise ValueError(f"not a valid date {raw!r}: {reason}") from None
        if parsed is not None:
            return parsed
        if re.fullmatch(r"[\d\s/.:T+Z?~%-]+", raw):
            raise ValueError(f"not a valid date: {raw!r}")
        if strict:
            raise ValueError(f"cannot read date {raw!r}")
        return cls(literal=raw)

    @classmethod
    def _point(cls, match: re.Match[str]) -> DatePoint:
        year = int(match["year"])
        month = int(match["month"]) if match["month"] else None
        day = int(match["day"]) if match["day"] else None
        if month is not None and 21 <= month <= 24 and day is None:
            return DatePoint(year=year, season=month - 20)
        return DatePoint(year=year, month=month, day=day)

    @classmethod
    def _parse_edtf(cls, raw: str) -> PartialDate | None:
        text = raw.split("T", 1)[0] if re.match(r"\d{4}-\d{2}-\d{2}T", raw) else raw
        if "/" in text:
            left, _, right = text.partition("/")
            flags: dict[str, Any] = {}
            start = end = None
            for side, name in ((left, "start"), (right, "end")):
                if side in ("", ".."):
                    flags[f"open_{name}"] = True
                    continue
                m = _EDTF_POINT.fullmatch(side)
                if not m:
                    return None
                flags.update(cls._qualifiers(m["q"]))
                if name == "start":
                    start = cls._point(m)
                else:
                    end = cls._point(m)
            return cls(start=start, end=end, **flags)
        m = _EDTF_POINT.fullmatch(text)
        if m:
            return cls(start=cls._point(m), **cls._qualifiers(m["q"]))
        # 1932–33, 1932-1933, 1932 – 33
        m = re.fullmatch(r"(\d{4})[–—-](\d{2}|\d{4})", _DASHES.sub("-", text))
        if m:
            first, second = m.group(1), m.group(2)
            end_year = int(first[:2] + second) if len(second) == 2 else int(second)
            if end_year <= int(first):
                raise ValueError(f"range {raw!r} ends before it starts")
            return cls(start=DatePoint(year=int(first)), end=DatePoint(year=end_year))
        return None

    @staticmethod
    def _qualifiers(q: str) -> dict[str, bool]:
        return {"circa": q in ("~", "%"), "uncertain": q in ("?", "%")}

    @classmethod
    def _parse_human(cls, raw: str) -> PartialDate | None:
        text = raw.strip("[]")
        circa = bool(_CIRCA.match(text))
        text = _CIRCA.sub("", text)
        uncertain = text.endswith("?")
        text = text.rstrip("?").strip()
        for pattern in _HUMAN:
            m = pattern.fullmatch(text)
            if not m:
                continue
            groups = m.groupdict()
            year = int(groups["year"])
            month = season = None
            if groups.get("mname"):
                name = groups["mname"].lower()
                if name in MONTHS:
                    month = MONTHS[name]
                elif name in SEASONS and not groups.get("day"):
                    season = SEASONS[name]
                else:
                    return None
            day = int(groups["day"]) if groups.get("day") else None
            point = DatePoint(year=year, month=month, day=day, season=season)
            return cls(start=point, circa=circa, uncertain=uncertain)
        return None

    @classmethod
    def from_csl(cls, value: dict[str, Any]) -> PartialDate:
        """Read a CSL date: ``{"date-parts": [[1932], [1933]], "circa": true}``."""
        if value.get("literal"):
            return cls(literal=str(value["literal"]))
        circa = value.get("circa") not in (None, False, "", 0)
        if value.get("raw"):
            parsed = cls.parse(str(value["raw"]))
            return parsed.model_copy(update={"circa": True}) if circa else parsed
        parts = value.get("date-parts")
        if not parts:
            raise ValueError("a CSL date needs date-parts, raw or literal")
        points = []
        for item in parts[:2]:
            try:
                numbers = [int(p) for p in item if str(p).strip() != ""]
            except ValueError:
                raise ValueError(f"CSL date-parts hold numbers, not {item!r}") from None
            if not numbers:
                continue
            numbers += [None] * (3 - len(numbers))  # type: ignore[list-item]
            points.append(DatePoint(year=numbers[0], month=numbers[1], day=numbers[2]))
        if not points:
            raise ValueError("CSL date-parts hold no year")
        season = value.get("season")
        if season and points[0].month is None:
            number = SEASONS.get(str(season).lower()) or int(season)
            points[0] = DatePoint(year=points[0].year, season=number)
        return cls(start=points[0], end=points[1] if len(points) > 1 else None, circa=circa)

    def fields(self) -> dict[str, Any]:
        """The model's own fields (``model_dump`` gives the CSL form instead)."""
        return {name: getattr(self, name) for name in type(self).model_fields}

    @model_serializer(mode="plain")
    def _serialise_as_csl(self) -> dict[str, Any]:
        """Dumped (to JSON, to storage, over the API) as a CSL date; read back losslessly."""
        return self.to_csl()

    # -- views --------------------------------------------------------------------------------

    @property
    def year(self) -> int | None:
        point = self.start or self.end
        return point.year if point else None

    @property
    def month(self) -> int | None:
        return self.start.month if self.start else None

    @property
    def day(self) -> int | None:
        return self.start.day if self.start else None

    @property
    def season(self) -> int | None:
        return self.start.season if self.start else None

    @property
    def is_range(self) -> bool:
        return self.end is not None or self.open_end or self.open_start

    def to_csl(self) -> dict[str, Any]:
        """CSL-JSON date: ``{"date-parts": [[2010, 4, 21]]}``."""
        if self.literal is not None:
            return {"literal": self.literal}
        out: dict[str, Any] = {}
        points = [p for p in (self.start, self.end) if p is not None]
        out["date-parts"] = [p.parts() for p in points]
        if self.season:
            out["season"] = self.season
        if self.circa:
            out["circa"] = True
        if self.open_start or self.open_end or self.uncertain:
            out["raw"] = self.edtf()
        return out

    def edtf(self) -> str:
        """EDTF string: ``1932/1933``, ``1920~``, ``1935-21``, ``../1940``; literal as is."""
        if self.literal is not None:
            return self.literal
        q = (
            "%"
            if self.circa and self.uncertain
            else "~"
            if self.circa
            else "?"
            if self.uncertain
            else ""
        )
        if not self.is_range:
            assert self.start is not None
            return self.start.edtf() + q
        left = self.start.edtf() + q if self.start else ".."
        right = self.end.edtf() + q if self.end else ".."
        return f"{left}/{right}"

    def as_date(self) -> date | None:
        """The (latest) full calendar date this names, when it names one."""
        point = self.end or self.start
        if point and point.month and point.day and point.year > 0:
            return date(point.year, point.month, point.day)
        return None

    def sort_key(self) -> tuple[int, int, int, int]:
        """Literal dates sort after every real date."""
        point = self.start or self.end
        if point is None:
            return (1, 0, 0, 0)
        return (0, *point.sort_key())

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __str__(self) -> str:
        return self.edtf()
