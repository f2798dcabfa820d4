"""Parsing the YAML form of a rule into the rule tree of ``criteria.rules``.

Errors name the position in the tree (``rule.all[1].any[0]``) so a trial author can find them.
"""

from __future__ import annotations

from typing import Any

from criteria.errors import QuantityError
from criteria.medicine_rule import MedicineTest
from criteria.quantities import Quantity
from criteria.rules import AllOf, AnyOf, DosePerKg, FactTest, Not, Rule

_FACT_KEYS = {"fact", "is", "in", "min", "max", "above", "below", "within", "within_less_than"}
_MED_KEYS = {"from", "classes", "min_count", "each_at_least", "total_more_than"}


def parse_rule(raw: object, where: str = "rule") -> Rule:
    """Build a rule tree from its YAML form.

    Raises:
        ValueError: naming the position (``rule.all[1].any[0]``) and what is wrong.
    """
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"{where}: a rule must be a mapping such as {{fact: age, min: 18 years}}")
    keys = set(raw)
    if keys in ({"all"}, {"any"}):
        (op,) = keys
        children = raw[op]
        if not isinstance(children, list) or len(children) < 2:
            raise ValueError(f"{where}.{op}: needs a list of at least two rules")
        parsed = tuple(parse_rule(c, f"{where}.{op}[{i}]") for i, c in enumerate(children))
        return AllOf(parsed) if op == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(parse_rule(raw["not"], f"{where}.not"))
    if "fact" in keys:
        return _parse_fact_test(raw, where)
    if keys == {"medicines"}:
        return _parse_medicines(raw["medicines"], f"{where}.medicines")
    if "dose_per_kg" in keys:
        return _parse_dose_per_kg(raw, where)
    raise ValueError(f"{where}: unknown rule keys {sorted(map(str, keys))}")


def _quantity(raw: object, where: str) -> Quantity:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise ValueError(f"{where}: expected a quantity such as '40 mg/day'")
    try:
        return Quantity.parse(str(raw)) if isinstance(raw, str) else Quantity(float(raw), "")
    except QuantityError as exc:
        raise ValueError(f"{where}: {exc.message}") from exc


def _parse_fact_test(raw: dict[str, Any], where: str) -> FactTest:
    unknown = set(raw) - _FACT_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    fact = raw["fact"]
    if not isinstance(fact, str):
        raise ValueError(f"{where}.fact: must be a fact id")
    families = [
        {"is"} & set(raw),
        {"in"} & set(raw),
        {"min", "max", "above", "below"} & set(raw),
        {"within"} & set(raw),
        {"within_less_than"} & set(raw),
    ]
    if sum(1 for f in families if f) != 1:
        raise ValueError(f"{where}: use exactly one of is / in / min-max-above-below / within / within_less_than")
    if "is" in raw:
        return FactTest(fact, equals=(raw["is"],))
    if "in" in raw:
        if not isinstance(raw["in"], list) or not raw["in"]:
            raise ValueError(f"{where}.in: needs a non-empty list")
        return FactTest(fact, equals=tuple(raw["in"]))

    def bound(key: str) -> Quantity | None:
        return _quantity(raw[key], f"{where}.{key}") if key in raw else None

    return FactTest(
        fact,
        min=bound("min"),
        max=bound("max"),
        above=bound("above"),
        below=bound("below"),
        within=bound("within"),
        within_less_than=bound("within_less_than"),
    )


def _parse_medicines(raw: object, where: str) -> MedicineTest:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: must be a mapping")
    unknown = set(raw) - _MED_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    sources, classes = raw.get("from"), raw.get("classes")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise ValueError(f"{where}.from: needs a list of medicine-list fact ids")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        raise ValueError(f"{where}.classes: needs a list of medicine classes")
    count = raw.get("min_count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"{where}.min_count: must be a whole number of at least 1")
    return MedicineTest(
        tuple(sources),
        tuple(classes),
        count,
        _quantity(raw["each_at_least"], f"{where}.each_at_least") if "each_at_least" in raw else None,
        _quantity(raw["total_more_than"], f"{where}.total_more_than") if "total_more_than" in raw else None,
    )


def _parse_dose_per_kg(raw: dict[str, Any], where: str) -> DosePerKg:
    unknown = set(raw) - {"dose_per_kg", "above", "min"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    spec = raw["dose_per_kg"]
    if not isinstance(spec, dict) or set(spec) != {"dose", "weight"}:
        raise ValueError(f"{where}.dose_per_kg: needs exactly 'dose' and 'weight' fact ids")
    if ("above" in raw) == ("min" in raw):
        raise ValueError(f"{where}: use exactly one of above / min")
    bound_key = "above" if "above" in raw else "min"
    bound = _quantity(raw[bound_key], f"{where}.{bound_key}")
    if bound.unit != "mg/kg/day":
        raise ValueError(f"{where}.{bound_key}: must be in mg/kg/day")
    return DosePerKg(str(spec["dose"]), str(spec["weight"]), **{bound_key: bound})
