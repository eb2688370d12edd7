"""Sentence boundaries around initials, dates, abbreviations and quotations."""

import pytest

from citekit.claims.segment import split_sentences

CASES = [
    (
        "The finale came on 20 August, 1940, when Ramón Mercader met him. He died.",
        ["The finale came on 20 August, 1940, when Ramón Mercader met him.", "He died."],
    ),
    (
        "As J. Arch Getty argues, the purges were chaotic. Others disagree.",
        ["As J. Arch Getty argues, the purges were chaotic.", "Others disagree."],
    ),
    (
        "He was born c. 1879 in Yanovka. He moved to St. Petersburg in 1905.",
        ["He was born c. 1879 in Yanovka.", "He moved to St. Petersburg in 1905."],
    ),
    (
        "Dewey et al. concluded that he was innocent. The trials were frameups.",
        ["Dewey et al. concluded that he was innocent.", "The trials were frameups."],
    ),
    (
        "He wrote: “Stalin seeks my death.” Nobody listened.",
        ["He wrote: “Stalin seeks my death.”", "Nobody listened."],
    ),
    (
        "It appeared in Vol. 2, No. 7 of the journal. It sold well.",
        ["It appeared in Vol. 2, No. 7 of the journal.", "It sold well."],
    ),
    (
        "Seva (1926-2023) turned it into a museum. Natalia lived until 1962.",
        ["Seva (1926-2023) turned it into a museum.", "Natalia lived until 1962."],
    ),
    (
        "The U.S. government refused. Dr. Smith agreed.",
        ["The U.S. government refused.", "Dr. Smith agreed."],
    ),
    (
        "As J. R. R. Tolkien wrote, it was long. Then it ended.",
        ["As J. R. R. Tolkien wrote, it was long.", "Then it ended."],
    ),
    ("“Why?” he asked. Nobody answered.", ["“Why?” he asked.", "Nobody answered."]),
    (
        "The report (Dewey et al., 1938) cleared him. He was relieved.",
        ["The report (Dewey et al., 1938) cleared him.", "He was relieved."],
    ),
    (
        "Trotsky vs. Stalin was the fight. It ended in Aug. 1940.",
        ["Trotsky vs. Stalin was the fight.", "It ended in Aug. 1940."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[1][0][:30] for c in CASES])
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert [s.text for s in split_sentences(text)] == expected


def test_offsets_point_into_the_text() -> None:
    text = "  One sentence here.  Another one, c. 1900, there.\n"
    spans = split_sentences(text, offset=10)
    assert [text[s.start - 10 : s.end - 10] for s in spans] == [s.text for s in spans]
    assert spans[0].start == 12


def test_blank_text_has_no_sentences() -> None:
    assert split_sentences(" \n ") == []
