"""Personal and institutional names, and the roles creators play."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator


def kebab(name: str) -> str:
    """CSL spells variables with hyphens: ``container_title`` → ``container-title``."""
    return name.replace("_", "-")


class Name(BaseModel):
    """A CSL name: ``Name(family="Trotsky", given="Leon")``, ``Name(literal="Wikimedia Commons")``.

    Particles follow CSL: ``non_dropping_particle`` stays with the family name in sorting
    ("van Gogh"), ``dropping_particle`` does not ("Ludwig van Beethoven" sorts under B).
    """

    model_config = ConfigDict(alias_generator=kebab, populate_by_name=True, frozen=True)

    family: str | None = None
    given: str | None = None
    dropping_particle: str | None = None
    non_dropping_particle: str | None = None
    suffix: str | None = None
    literal: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Name:
        parts = (self.family, self.given, self.literal)
        if not any(p and p.strip() for p in parts):
            raise ValueError("a name needs a family name, a given name or a literal")
        if self.literal and (self.family or self.given):
            raise ValueError("a literal name has no family or given part")
        return self

    @property
    def is_literal(self) -> bool:
        return self.literal is not None

    def family_full(self) -> str:
        """Family name with its non-dropping particle: ``de Gaulle``."""
        if self.literal:
            return self.literal
        return " ".join(p for p in (self.non_dropping_particle, self.family) if p)

    def display(self) -> str:
        """Natural order: ``Leon Trotsky``, ``Martin Luther King Jr.``."""
        if self.literal:
            return self.literal
        text = " ".join(
            p
            for p in (self.given, self.dropping_particle, self.non_dropping_particle, self.family)
            if p
        )
        return f"{text} {self.suffix}" if self.suffix else text

    def inverted(self) -> str:
        """Sort order: ``Trotsky, Leon``, ``Gaulle, Charles de``, ``King, Martin Luther, Jr.``."""
        if self.literal:
            return self.literal
        head = self.family_full()
        tail = " ".join(p for p in (self.given, self.dropping_particle) if p)
        text = f"{head}, {tail}" if tail else head
        return f"{text}, {self.suffix}" if self.suffix else text

    def sort_key(self) -> tuple[str, str]:
        """Family (with non-dropping particle), then given names, case-folded."""
        if self.literal:
            return (self.literal.casefold(), "")
        family = " ".join(p for p in (self.non_dropping_particle, self.family) if p)
        return (family.casefold(), (self.given or "").casefold())


class CreatorRole(StrEnum):
    """CSL name variables, plus ``transcriber`` ("Transcribed by David Walters")."""

    AUTHOR = "author"
    EDITOR = "editor"
    TRANSLATOR = "translator"
    CONTRIBUTOR = "contributor"
    COLLECTION_EDITOR = "collection-editor"
    CONTAINER_AUTHOR = "container-author"
    RECIPIENT = "recipient"
    INTERVIEWER = "interviewer"
    ILLUSTRATOR = "illustrator"
    COMPILER = "compiler"
    CURATOR = "curator"
    COMPOSER = "composer"
    DIRECTOR = "director"
    EDITORIAL_DIRECTOR = "editorial-director"
    ORIGINAL_AUTHOR = "original-author"
    REVIEWED_AUTHOR = "reviewed-author"
    CHAIR = "chair"
    PERFORMER = "performer"
    PRODUCER = "producer"
    ORGANIZER = "organizer"
    TRANSCRIBER = "transcriber"


class Creator(Name):
    """A name in a role: ``Creator(role="translator", family="Eastman", given="Max")``."""

    role: CreatorRole = CreatorRole.AUTHOR
