"""Every criterion line of the listing maps to criteria, every criterion quotes the listing, ids stay put."""

from __future__ import annotations

from pathlib import Path

import pytest

from criteria import Trial
from criteria.trace import coverage, format_coverage, listing_lines, listing_path

HERE = Path(__file__).parent
SHARED_LISTING = HERE.parents[2] / "shared" / "trial" / "NCT07193810-listing.txt"


def test_every_listing_line_is_covered(trial: Trial) -> None:
    lines = listing_lines(listing_path(trial))
    table = coverage(trial, lines)
    print("\n" + format_coverage(table))  # shown with -s: the coverage table for a reviewer
    # 2 common + 7 SLE + 6 IIM + 6 SSc + 2 contraception inclusion lines, 24 exclusion lines.
    assert len([line for line in lines if line.section == "inclusion"]) == 23
    assert len([line for line in lines if line.section == "exclusion"]) == 24
    uncovered = [f"{line.section} {line.item}" for line, ids in table.items() if not ids]
    assert not uncovered


def test_every_criterion_quotes_its_line_exactly(trial: Trial) -> None:
    lines = listing_lines(listing_path(trial))
    listing_text = listing_path(trial).read_text(encoding="utf-8")
    for crit in trial.criteria:
        if crit.source.section == "conditions":
            assert crit.source.text in listing_text, crit.id
            continue
        matches = [
            line
            for line in lines
            if (line.section, line.item) == (crit.source.section, crit.source.item) and crit.source.text in line.text
        ]
        assert len(matches) == 1, f"{crit.id}: quote not found in {crit.source.section} {crit.source.item}"


def test_a_changed_quote_is_caught(trial: Trial) -> None:
    # The check above is only worth something if a paraphrase fails it.
    lines = listing_lines(listing_path(trial))
    age = next(line for line in lines if (line.section, line.item) == ("inclusion", "2"))
    assert "Aged 18 to 65 years" not in age.text
    assert "Aged 18-65 years" in age.text


@pytest.mark.skipif(not SHARED_LISTING.exists(), reason="no shared/ checkout beside the repo")
def test_bundled_listing_matches_the_source_of_truth(trial: Trial) -> None:
    assert listing_path(trial).read_text(encoding="utf-8") == SHARED_LISTING.read_text(encoding="utf-8")


def test_ids_are_stable(trial: Trial) -> None:
    lines = [tuple(line.split()) for line in (HERE / "stable_ids.txt").read_text().splitlines()]
    recorded = {line for line in lines if line and not line[0].startswith("#") and line[0] != "retired"}
    retired = {line[1:] for line in lines if line and line[0] == "retired"}
    current = {("criterion", c.id) for c in trial.criteria} | {("fact", f) for f in trial.facts}
    assert not recorded - current, "an id that stored screenings use was removed or renamed: retire it instead"
    assert not current - recorded, "a new id: add it to stable_ids.txt on purpose"
    # A retired id keeps its old meaning in stored answers, so it is never used again.
    assert not retired & current, "a retired id was reused"
    assert not retired & recorded
