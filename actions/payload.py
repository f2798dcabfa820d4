"""The ``screening_result`` card payload every verdict and every handoff ends with."""

from __future__ import annotations

from typing import Any

from criteria import Result


def result_payload(result: Result, status: str, reason: str | None = None) -> dict[str, Any]:
    """The ``screening_result`` custom payload clients render as a card.

    ``status``: likely_eligible, not_eligible, not_yet or handoff. A handoff carries its
    ``reason`` code (actions.handoff.Reason); "not yet" carries ``recontact_after``, the day the
    patient may qualify (ISO date).
    """
    payload: dict[str, Any] = {
        "status": status,
        "reasons": list(result.reasons),
        "site_to_verify": list(result.site_to_verify),
    }
    if status == "handoff" and reason:
        payload["reason"] = reason
    if status == "not_yet" and result.recontact_after:
        payload["recontact_after"] = result.recontact_after.isoformat()
    return {"screening_result": payload}
