"""BibLaTeX: the BibTeX reader, and a writer that keeps Unicode and uses ``date``/``journaltitle``.

Reading is shared with ``bibtex.py`` (one reader understands both dialects); this module holds the
tables in which BibLaTeX's output differs.
"""

from __future__ import annotations

from collections.abc import Sequence

from citekit.formats.base import Format
from citekit.formats.bibtex import (
    BIBLATEX_TYPES,
    BIBTEX_FIELDS,
    WRITE_TYPES_BIBLATEX,
    Dialect,
    dump,
    parse,
)
from citekit.model import Source

BIBLATEX_FIELDS: dict[str, str] = {
    **BIBTEX_FIELDS,
    "container_title": "journaltitle",
    "publisher_place": "location",
    "language": "langid",
}
BIBLATEX_TYPE_FIELDS: dict[tuple[str, str], str] = {
    ("incollection", "container_title"): "booktitle",
    ("inproceedings", "container_title"): "booktitle",
    ("inbook", "container_title"): "booktitle",
    ("inreference", "container_title"): "booktitle",
    ("book", "container_title"): "maintitle",
    ("online", "container_title"): "organization",
    ("misc", "container_title"): "booktitle",
    ("unpublished", "container_title"): "booktitle",
    ("artwork", "container_title"): "booktitle",
    ("thesis", "publisher"): "institution",
    ("phdthesis", "publisher"): "institution",
    ("mastersthesis", "publisher"): "institution",
    ("report", "publisher"): "institution",
    ("techreport", "publisher"): "institution",
    ("manual", "publisher"): "organization",
}

BIBLATEX = Dialect(
    name="biblatex",
    types=WRITE_TYPES_BIBLATEX,
    valid_types=BIBLATEX_TYPES,
    fields=BIBLATEX_FIELDS,
    type_fields=BIBLATEX_TYPE_FIELDS,
    iso_dates=True,
)


def write(records: Sequence[Source], *, ascii: bool = False) -> str:
    """Records as BibLaTeX: Unicode kept, ``date``/``urldate``, ``journaltitle``, ``location``."""
    return dump(records, BIBLATEX, ascii=ascii)


FORMAT = Format(
    name="biblatex",
    suffixes=(".bib",),
    media_type="application/x-bibtex",
    parse=parse,
    write=write,
    description="BibLaTeX (.bib): read both dialects, write BibLaTeX with Unicode",
)
