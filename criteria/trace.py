"""Traceability: every criterion line of the listing maps to criteria, and every criterion to a line.

The listing's eligibility section is parsed into numbered lines ("inclusion 2",
"inclusion SLE 3", "exclusion 11"); cohort headings ("For Systemic Lupus
Erythematosus (SLE):") count in the numbering but are not criteria. Markdown escapes
(a backslash before ``>``) are removed, as in the trial file's quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from criteria.trial import Trial

_BULLET = re.compile(r"^\* (.+)$")
_NUMBERED = re.compile(r"^\s+(\d+)\. (.+)$")
_HEADING = re.compile(r"^For .+\((\w+)\):$")


@dataclass(frozen=True)
class ListingLine:
    """One criterion line of the listing."""

    section: str
    item: str
    text: str


def listing_path(trial: Trial) -> Path:
    """The listing file bundled beside the trial file."""
    return trial.path.parent / trial.meta.listing


def unescape(text: str) -> str:
    """Drop markdown backslash escapes, so the quoted text reads as printed."""
    return re.sub(r"\\([<>*_])", r"\1", text)


def listing_lines(path: Path) -> list[ListingLine]:
    """The inclusion and exclusion lines of a listing, numbered as a reader would cite them."""
    lines: list[ListingLine] = []
    section = None
    bullet = 0
    cohort = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if stripped in {"Inclusion Criteria:", "Exclusion Criteria:"}:
            section = stripped.split()[0].lower()
            bullet, cohort = 0, None
            continue
        if section is None:
            continue
        if stripped and not raw.startswith((" ", "*")):
            break  # the next part of the page
        if match := _BULLET.match(raw):
            bullet += 1
            heading = _HEADING.match(match.group(1))
            cohort = heading.group(1) if heading else None
            if not heading:
                lines.append(ListingLine(section, str(bullet), unescape(match.group(1)).strip()))
        elif (match := _NUMBERED.match(raw)) and cohort:
            lines.append(ListingLine(section, f"{cohort} {match.group(1)}", unescape(match.group(2)).strip()))
    return lines


def coverage(trial: Trial, lines: list[ListingLine]) -> dict[ListingLine, list[str]]:
    """For each listing line, the ids of the criteria quoting it."""
    table: dict[ListingLine, list[str]] = {line: [] for line in lines}
    for crit in trial.criteria:
        for line in lines:
            if (crit.source.section, crit.source.item) == (line.section, line.item) and crit.source.text in line.text:
                table[line].append(crit.id)
    return table


def format_coverage(table: dict[ListingLine, list[str]]) -> str:
    """The coverage table as text, one listing line per row."""
    rows = [f"{'listing line':<16} {'criteria':<60} text"]
    for line, ids in table.items():
        text = line.text if len(line.text) <= 60 else line.text[:57] + "..."
        rows.append(f"{line.section[:3]} {line.item:<12} {', '.join(ids) or 'NOT COVERED':<60} {text}")
    return "\n".join(rows)
