"""The medicine lexicon: name lookup, class membership, steroid equivalents, file validation."""

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from criteria.errors import Code, TrialFileError
from criteria.lexicon import DEFAULT_LEXICON, Lexicon, fold_name, load_lexicon


@pytest.mark.parametrize(
    ("name", "medicine_id"),
    [
        ("CellCept", "mycophenolate_mofetil"),  # brand
        ("cell cept", "mycophenolate_mofetil"),  # brand split in two, as patients type it
        ("Cell-Cept", "mycophenolate_mofetil"),  # hyphen folds to a space
        ("  CELLCEPT ", "mycophenolate_mofetil"),  # case and padding
        ("mycophenolate mofetil", "mycophenolate_mofetil"),  # generic: the id with spaces
        ("MMF", "mycophenolate_mofetil"),  # clinicians' abbreviation
        ("PLAQUENIL®", "hydroxychloroquine"),  # ® copied from a pill box
        ("Medrol™", "methylprednisolone"),  # ™ too
        ("plaquinil", "hydroxychloroquine"),  # common misspelling
        ("HCQ", "hydroxychloroquine"),
        ("Rituxan", "rituximab"),  # US brand
        ("MabThera", "rituximab"),  # EU brand of the same medicine
        ("Benlysta", "belimumab"),
        ("pred", "prednisone"),  # short for prednisone
        ("prednizone", "prednisone"),  # misspelling
        ("Solu Medrol", "methylprednisolone"),  # "Solu-Medrol" without the hyphen
        ("MTX", "methotrexate"),
        ("CYC", "cyclophosphamide"),
        ("Xeljanz", "tofacitinib"),  # small molecule, counts for IIM
        ("Saphnelo", "anifrolumab"),  # the listing's example of a non-standard SLE therapy
        ("Prograf", "tacrolimus"),
        ("Imuran", "azathioprine"),
        ("Arava", "leflunomide"),
        ("vit d", "vitamin_d"),  # a supportive medicine is still placed, so it is not sent to a person
    ],
)
def test_find_by_generic_brand_alias_and_misspelling(lexicon: Lexicon, name: str, medicine_id: str) -> None:
    found = lexicon.find(name)
    assert found is not None
    assert found.id == medicine_id


@pytest.mark.parametrize(
    "name",
    [
        "Zorblax",  # made up
        "aspirin",  # real, but not in the lexicon: must not be guessed
        "Cell",  # a prefix of a brand is not the brand
        "cellcept xr",  # extra words are not stripped
        "",  # nothing
        "   ",  # only spaces
        "®",  # only a symbol that folding removes
    ],
)
def test_unknown_names_are_none(lexicon: Lexicon, name: str) -> None:
    assert lexicon.find(name) is None


def test_every_listed_name_finds_its_own_medicine(lexicon: Lexicon) -> None:
    # Folding must not make one medicine's name land on another (the loader forbids clashes).
    for medicine in lexicon.medicines.values():
        for name in medicine.names():
            found = lexicon.find(name)
            assert found is not None and found.id == medicine.id, name


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Solu-Medrol", "solu medrol"),
        ("  Depo -  Medrol ", "depo medrol"),  # runs of spaces and hyphens become one space
        ("PLAQUENIL®", "plaquenil"),
        ("Xeljanz™ XR", "xeljanz xr"),
    ],
)
def test_fold_name(raw: str, folded: str) -> None:
    assert fold_name(raw) == folded


@pytest.mark.parametrize(
    ("medicine_id", "wanted", "expected"),
    [
        ("rituximab", ["biologic"], True),
        ("rituximab", ["b_cell_depleting"], True),  # one medicine, several classes
        ("rituximab", ["immunosuppressant"], False),  # the listing keeps biologics apart
        ("methotrexate", ["glucocorticoid", "immunosuppressant"], True),  # any wanted class is enough
        ("anifrolumab", ["nonstandard_sle"], True),
        # An immune medicine the listing does not name: the site decides, so it is neither yes nor no.
        ("voclosporin", ["immunosuppressant"], None),
        ("immunoglobulin", ["biologic"], None),
        ("voclosporin", ["glucocorticoid"], False),  # ... but it is certainly not a steroid
        ("folic_acid", ["immunosuppressant"], False),  # supportive medicines never count
        ("amlodipine", ["biologic", "small_molecule"], False),
        ("prednisone", [], False),  # no wanted class: nothing to belong to
        ("not_in_lexicon", ["biologic"], None),  # an id we cannot place is unknown, never False
    ],
)
def test_membership_is_three_valued(
    lexicon: Lexicon, medicine_id: str, wanted: list[str], expected: bool | None
) -> None:
    assert lexicon.membership(medicine_id, wanted) is expected


@pytest.mark.parametrize(
    ("name", "mg_per_day", "prednisone_mg_per_day"),
    [
        ("prednisone", 40, 40),  # the reference itself
        ("prednisolone", 40, 40),  # 1:1 with prednisone
        ("methylprednisolone", 32, 40),  # 4 mg = 5 mg prednisone
        ("Medrol", 8, 10),  # by brand, same factor
        ("dexamethasone", 6, 40),  # 0.75 mg = 5 mg prednisone
        ("dexamethasone", 0.75, 5),
        ("hydrocortisone", 160, 40),  # 20 mg = 5 mg prednisone
        ("deflazacort", 48, 40),  # 6 mg = 5 mg prednisone
        ("betamethasone", 0.6, 5),  # 0.6 mg = 5 mg prednisone
        ("cortisone", 25, 5),  # 25 mg = 5 mg prednisone
    ],
)
def test_prednisone_equivalents(lexicon: Lexicon, name: str, mg_per_day: float, prednisone_mg_per_day: float) -> None:
    medicine = lexicon.find(name)
    assert medicine is not None
    factor = medicine.prednisone_factor()
    assert factor is not None
    assert mg_per_day * factor == pytest.approx(prednisone_mg_per_day)


@pytest.mark.parametrize("name", ["methotrexate", "rituximab", "hydroxychloroquine", "folic acid"])
def test_non_steroids_have_no_prednisone_factor(lexicon: Lexicon, name: str) -> None:
    medicine = lexicon.find(name)
    assert medicine is not None
    assert medicine.prednisone_factor() is None


def test_the_trial_uses_the_bundled_lexicon_read_once(lexicon: Lexicon) -> None:
    assert lexicon.path == DEFAULT_LEXICON
    assert load_lexicon(DEFAULT_LEXICON) is lexicon  # cached per path, not re-read per trial


# --- invalid lexicon files ---------------------------------------------------------------


def _medicine(data: dict[str, Any], medicine_id: str) -> dict[str, Any]:
    return next(m for m in data["medicines"] if m["id"] == medicine_id)


def _alias_clash(data: dict[str, Any]) -> None:
    _medicine(data, "tacrolimus")["aliases"].append("Cell-Cept")


def _duplicate_id(data: dict[str, Any]) -> None:
    data["medicines"].append(copy.deepcopy(_medicine(data, "tacrolimus")))


def _steroid_without_equivalent(data: dict[str, Any]) -> None:
    del _medicine(data, "dexamethasone")["prednisone_equivalent_mg"]


def _equivalent_on_non_steroid(data: dict[str, Any]) -> None:
    _medicine(data, "methotrexate")["prednisone_equivalent_mg"] = 5


def _unknown_class(data: dict[str, Any]) -> None:
    _medicine(data, "methotrexate")["classes"] = ["immunosupressant"]


def _unknown_key(data: dict[str, Any]) -> None:
    _medicine(data, "methotrexate")["brand"] = ["Trexall"]


def _zero_equivalent(data: dict[str, Any]) -> None:
    _medicine(data, "prednisone")["prednisone_equivalent_mg"] = 0


def _no_class(data: dict[str, Any]) -> None:
    _medicine(data, "prednisone")["classes"] = []


def _unknown_may_count_as(data: dict[str, Any]) -> None:
    data["classes"]["unlisted_immunomodulator"]["may_count_as"].append("immunosupressant")


@pytest.mark.parametrize(
    ("mutate", "fragments"),
    [
        # A brand or alias given to two medicines would make lookup depend on file order.
        pytest.param(_alias_clash, ["'Cell-Cept'", "'mycophenolate_mofetil'", "'tacrolimus'"], id="name-clash"),
        pytest.param(_duplicate_id, ["'tacrolimus'", "twice"], id="duplicate-id"),
        # Without an equivalent a steroid dose could not be compared with the mg/day limits.
        pytest.param(
            _steroid_without_equivalent, ["'dexamethasone'", "prednisone_equivalent_mg"], id="steroid-no-equiv"
        ),
        # ... and an equivalent on a non-steroid would let it pass as a steroid dose.
        pytest.param(
            _equivalent_on_non_steroid, ["'methotrexate'", "prednisone_equivalent_mg"], id="equiv-non-steroid"
        ),
        pytest.param(_unknown_class, ["'methotrexate'", "'immunosupressant'"], id="unknown-class"),
        pytest.param(_unknown_key, ["methotrexate", "brand", "extra fields not permitted"], id="unknown-key"),
        pytest.param(_zero_equivalent, ["prednisone", "prednisone_equivalent_mg"], id="zero-equiv"),
        pytest.param(_no_class, ["prednisone", "classes"], id="no-class"),
        pytest.param(_unknown_may_count_as, ["unlisted_immunomodulator", "'immunosupressant'"], id="may-count-as"),
    ],
)
def test_invalid_lexicon_files_name_the_file_and_the_fault(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], fragments: list[str]
) -> None:
    data = yaml.safe_load(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    mutate(data)
    # load_lexicon is cached per path: every test writes its own file.
    path = tmp_path / "medicines.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TrialFileError) as caught:
        load_lexicon(path)
    error = caught.value
    assert error.code is Code.LEXICON_INVALID
    assert str(path) in error.message
    # The medicine and the key at fault are named on the same line of the report.
    assert any(all(f in line for f in fragments) for line in error.message.splitlines()), error.message


def test_the_unchanged_lexicon_round_trips(tmp_path: Path) -> None:
    # Control for the test above: dumping and reloading alone breaks nothing.
    data = yaml.safe_load(DEFAULT_LEXICON.read_text(encoding="utf-8"))
    path = tmp_path / "medicines.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert set(load_lexicon(path).medicines) == set(load_lexicon().medicines)


def test_a_missing_lexicon_is_a_trial_file_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(TrialFileError) as caught:
        load_lexicon(path)
    assert caught.value.code is Code.TRIAL_FILE_MISSING
    assert str(path) in caught.value.message
