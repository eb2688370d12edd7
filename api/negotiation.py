"""``Accept`` header negotiation: which of the media types a route offers the client prefers."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message

from citekit.errors import CitekitError


class NotAcceptable(CitekitError):
    """None of the media types in ``Accept`` can be produced."""

    status = 406
    title = "Not acceptable"


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header: ``text/x-bibliography; style=apa; q=0.8``."""

    type: str
    params: dict[str, str] = field(default_factory=dict)
    q: float = 1.0

    def matches(self, media_type: str) -> bool:
        major, _, minor = self.type.partition("/")
        offered_major, _, offered_minor = media_type.partition("/")
        return self.type == "*/*" or (major == offered_major and minor in ("*", offered_minor))


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header, most preferred first (ties keep their order)."""
    if not header or not header.strip():
        return [MediaRange("*/*")]
    ranges = []
    for part in header.split(","):
        if not part.strip():
            continue
        message = Message()
        message["content-type"] = part.strip()
        params = {k.lower(): v for k, v in (message.get_params() or [])[1:]}
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        if q > 0:
            ranges.append(MediaRange(message.get_content_type(), params, q))
    return sorted(ranges, key=lambda r: -r.q)


def choose(header: str | None, offered: list[str]) -> tuple[str, MediaRange]:
    """The offered media type the client prefers, and the range that chose it; 406 if none."""
    for wanted in parse_accept(header):
        for media_type in offered:
            if wanted.matches(media_type):
                return media_type, wanted
    raise NotAcceptable(f"Accept: {header} matches none of {', '.join(offered)}")
