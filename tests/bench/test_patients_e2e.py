"""End-to-end: 40 synthetic patients screened over the REST channel of the real servers.

Asserts that the run completes and reports every metric, not how good the figures are (the
bot is being improved in parallel). ``pytest -s`` prints the report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.patients.report import METRICS
from bench.patients.run import Options, run_sync
from tests.e2e.conftest import Servers, provider, servers  # noqa: F401  # the real servers' fixtures, for this module

pytestmark = pytest.mark.e2e

PATIENTS = 40


def test_forty_patients_are_screened_and_every_metric_is_reported(servers: Servers, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "patients.json"
    outcome = run_sync(
        Options(
            url=f"{servers.rasa_url}/webhooks/rest/webhook",
            token=servers.rest_token,
            patients=PATIENTS,
            seed=1,
            concurrency=8,
            seconds=150,
            jwt_secret=servers.jwt_secret,
            json_path=path,
        )
    )
    print(outcome.report)
    summary = outcome.summary
    assert summary.patients == PATIENTS
    assert summary.screened > 0
    assert summary.ends["error"] == 0, [r.error for r in outcome.records if r.error]
    assert summary.turns > 0 and summary.latency_p50_ms is not None and summary.latency_p95_ms is not None
    for label in METRICS:
        assert label in outcome.report, label
    data = json.loads(path.read_text())
    assert len(data["records"]) == summary.screened
    assert {"outcome", "truth", "bot", "transcript", "true_answers"} <= set(data["records"][0])
