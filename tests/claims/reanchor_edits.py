"""Realistic edits of the demo article, shared by the re-anchoring tests and benchmark."""

from collections.abc import Callable


def _replace(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, f"edit target not in the article: {old[:40]!r}"
        return text.replace(old, new, 1)

    return edit


def _move_paragraph(start_words: str, before_words: str) -> Callable[[str], str]:
    """Move the paragraph starting with ``start_words`` before the one starting ``before_words``."""

    def edit(text: str) -> str:
        paragraphs = text.split("\n\n")
        moving = next(p for p in paragraphs if p.startswith(start_words))
        paragraphs.remove(moving)
        at = next(i for i, p in enumerate(paragraphs) if p.startswith(before_words))
        paragraphs.insert(at, moving)
        return "\n\n".join(paragraphs)

    return edit


def _chain(*edits: Callable[[str], str]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        for one in edits:
            text = one(text)
        return text

    return edit


TYPOS = _chain(
    _replace("political manoeuvres", "political maneuvres"),
    _replace("Trotsky,\u00a0 Zinoviev", "Trotsky, Zinoviev"),  # a no-break space in the original
    _replace("shock was too much", "shock were too much"),
    _replace("Natalia stopped receiving", "Natalia stoped receiving"),
)
INSERTED = _replace(
    "Stunned, the household sat",
    "The proceedings were broadcast across Europe. Stunned, the household sat",
)
MOVED = _move_paragraph("Even in the tranquil villa", "This was a productive period")
REWORDED = _chain(
    _replace(
        "Stunned, the household sat and listened to the wireless as the trial unfolded.",
        "Stunned, the whole household sat listening to the radio while the trial unfolded.",
    ),
    _replace(
        "He kept chickens and a small army of rabbits in the garden",
        "In the garden he kept chickens and a small army of rabbits",
    ),
)
CAPTION_EDITED = _replace("Trotsky in 1918.", "Trotsky in 1918, in uniform.")
ALL = _chain(TYPOS, INSERTED, MOVED, REWORDED, CAPTION_EDITED)

# name → (edit, sentences the edit adds)
EDITS: dict[str, tuple[Callable[[str], str], int]] = {
    "typos": (TYPOS, 0),
    "sentence inserted": (INSERTED, 1),
    "paragraph moved": (MOVED, 0),
    "sentences reworded": (REWORDED, 0),
    "caption edited": (CAPTION_EDITED, 0),
    "all together": (ALL, 1),
}
