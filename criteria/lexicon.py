"""The medicine lexicon: names, brands and misspellings mapped to classes.

Read from ``data/medicines.yaml``; see that file for the sources of the steroid
equivalents. The NLU components read the same file, so names live in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Extra, Field, ValidationError, root_validator, validator

from criteria.errors import Code, TrialFileError
from criteria.yamlfile import describe_validation_error, read_yaml

DEFAULT_LEXICON = Path(__file__).parent / "data" / "medicines.yaml"

_FOLD = re.compile(r"[®™]")
_SPACE = re.compile(r"[\s\-_]+")


def fold_name(name: str) -> str:
    """Normalise a medicine name for lookup: lower case, no ®/™, runs of spaces/hyphens/underscores as one space.

    An id ("mycophenolate_mofetil") so finds its medicine as its generic name does.
    """
    return _SPACE.sub(" ", _FOLD.sub("", name)).strip().casefold()


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        allow_mutation = False


class MedicineClass(_Strict):
    """A class of medicines the rules test for."""

    plain: str = Field(..., min_length=3)
    may_count_as: tuple[str, ...] = ()


class Medicine(_Strict):
    """One medicine with every name a patient may use for it."""

    id: str = Field(..., regex=r"^[a-z][a-z0-9_]*$")
    classes: tuple[str, ...]
    brands: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    prednisone_equivalent_mg: float | None = Field(None, gt=0)
    agent: str | None = None
    # "cyclic": given as infusions or pulses (rituximab, IV cyclophosphamide), so a course
    # of a few weeks may be complete; a short duration counts as a maybe, never as too short.
    dosing: Literal["daily", "cyclic"] = "daily"

    @validator("classes")
    def _some_class(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("a medicine needs at least one class")
        return value

    @property
    def generic(self) -> str:
        """The generic name as a patient would read it."""
        return self.id.replace("_", " ")

    def names(self) -> Iterable[str]:
        """Every name this medicine answers to."""
        yield self.generic
        yield from self.brands
        yield from self.aliases

    def prednisone_factor(self) -> float | None:
        """Multiply a daily dose of this glucocorticoid by this to get prednisone mg/day."""
        if self.prednisone_equivalent_mg is None:
            return None
        return 5.0 / self.prednisone_equivalent_mg


class LexiconFile(_Strict):
    """The whole lexicon file."""

    classes: dict[str, MedicineClass]
    medicines: tuple[Medicine, ...]

    @root_validator(skip_on_failure=True)
    def _check_references(cls, values: dict[str, object]) -> dict[str, object]:
        classes = values["classes"]
        assert isinstance(classes, dict)
        medicines = values["medicines"]
        assert isinstance(medicines, tuple)
        seen_ids: set[str] = set()
        seen_names: dict[str, str] = {}
        for med in medicines:
            if med.id in seen_ids:
                raise ValueError(f"medicine id {med.id!r} is listed twice")
            seen_ids.add(med.id)
            for cls_name in med.classes:
                if cls_name not in classes:
                    raise ValueError(f"medicine {med.id!r} names unknown class {cls_name!r}")
            is_steroid = "glucocorticoid" in med.classes
            if is_steroid != (med.prednisone_equivalent_mg is not None):
                raise ValueError(
                    f"medicine {med.id!r}: prednisone_equivalent_mg is required for glucocorticoids and only for them"
                )
            for name in med.names():
                key = fold_name(name)
                if key in seen_names and seen_names[key] != med.id:
                    raise ValueError(f"name {name!r} is used by both {seen_names[key]!r} and {med.id!r}")
                seen_names[key] = med.id
        for cls_name, cls_def in classes.items():
            for other in cls_def.may_count_as:
                if other not in classes:
                    raise ValueError(f"class {cls_name!r}: may_count_as names unknown class {other!r}")
        return values

    @validator("classes")
    def _class_ids(cls, value: dict[str, MedicineClass]) -> dict[str, MedicineClass]:
        for name in value:
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"class id {name!r} must be lower_snake_case")
        return value


class Lexicon:
    """Lookup over the lexicon file."""

    def __init__(self, data: LexiconFile, path: Path) -> None:
        self.path = path
        self.classes = data.classes
        self.medicines = {m.id: m for m in data.medicines}
        self._by_name = {fold_name(n): m.id for m in data.medicines for n in m.names()}

    def agent_of(self, medicine_id: str) -> str:
        """The active agent a medicine is a form of (CellCept and Myfortic are both mycophenolate)."""
        med = self.medicines.get(medicine_id)
        return (med.agent or med.id) if med else medicine_id

    def is_cyclic(self, medicine_id: str) -> bool:
        """Whether a medicine is given in infusions or pulses (see ``Medicine.dosing``)."""
        med = self.medicines.get(medicine_id)
        return med is not None and med.dosing == "cyclic"

    def find(self, name: str) -> Medicine | None:
        """The medicine a name refers to, or None when the name is not known."""
        med_id = self._by_name.get(fold_name(name))
        return self.medicines[med_id] if med_id else None

    def all_names(self) -> dict[str, str]:
        """Every folded name with the id it maps to (for NLU phrase matchers)."""
        return dict(self._by_name)

    def membership(self, medicine_id: str, wanted: Iterable[str]) -> bool | None:
        """Whether a medicine belongs to any wanted class: True, False, or None when the site must decide.

        An id not in the lexicon (a name the patient used that we cannot place) is None for every class.
        """
        wanted_set = set(wanted)
        med = self.medicines.get(medicine_id)
        if med is None:
            return None
        if wanted_set & set(med.classes):
            return True
        for cls_name in med.classes:
            if wanted_set & set(self.classes[cls_name].may_count_as):
                return None
        return False


@cache
def load_lexicon(path: Path = DEFAULT_LEXICON) -> Lexicon:
    """Load and validate a lexicon file (cached per path).

    Raises:
        TrialFileError: missing file, bad YAML or a schema problem, naming the file and key.
    """
    raw = read_yaml(path)
    try:
        data = LexiconFile.parse_obj(raw)
    except ValidationError as exc:
        labels = {}
        if isinstance(raw, dict) and isinstance(raw.get("medicines"), list):
            for i, item in enumerate(raw["medicines"]):
                if isinstance(item, dict) and "id" in item:
                    labels[("medicines", i)] = f"medicines[{i}] ({item['id']})"
        raise TrialFileError(Code.LEXICON_INVALID, describe_validation_error(path, exc, labels)) from exc
    return Lexicon(data, path)
