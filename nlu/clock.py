"""The screening day: the one "today" every reader counts from.

Readers take ``today`` as an argument; the Rasa components, which NLU calls without one,
ask here. It is the UTC date, as the store and the criteria engine count days, never the
server's local date. An evaluation reads as of its corpus's date by patching this one
function (``evaluation.evaluate``).
"""

from __future__ import annotations

from datetime import date, datetime, timezone


def screening_day() -> date:
    """Today in UTC."""
    return datetime.now(timezone.utc).date()
