"""`make bench` at its smallest: two schools, one sample, a tenth of the smoke run's rows (each
benchmark's least that still runs it). Every benchmark's code path (template and pool
provisioning, stock provisioning, releases with nothing and with a column to apply, the request
path with and without tenancy, a loop over every school, the API under load through gunicorn
beside its floor) runs and prints its figures."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {
    "provision_cold_p50",
    "provision_warm_p50",
    "migrate_noop_all",
    "migrate_add_column_all",
    "request_throughput_ratio",
    "request_throughput",
    "peak_rss_mb",
    "pg_backend_peak_mb",
    "servings_day_district",
    "claim_month_3000",
    "district_statement",
    "tender_open_score_50x500",
    "district_spend_month",
    "page_p95_worst",
    "page_p95_median",
    "page_first_load",
    "optimiser_week_one_band",
    "optimiser_week_every_band",
    "optimiser_week_cost",
    "optimiser_checks_met",
    "routes_plan_time",
    "routes_total_ride",
    "routes_longest_ride",
    "routes_riders_over_max_ride",
    "routes_bus_km",
    "transport_ingest_points_per_s",
    "riders_boarding_morning",
    "repairs_sweep_district",
    "depreciation_month_20000",
    "stocktake_close_5000",
    "dorms_bulk_allocation",
    "dorms_night_events",
    *(f"api_{p}_at_{rate}rps" for p in ("p50", "p95", "p99") for rate in (100, 200, 400)),
    "api_max_rps",
    "api_p95_at_200rps_orm_floor",
    "api_max_rps_orm_floor",
}


@pytest.mark.slow
def test_bench_at_its_smallest_prints_every_figure_with_its_baseline():
    """Without the test database: the bench makes its own."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # The test settings' sealing keys (houqin.settings.test): at production's sizes each tender
    # the pages and the opening are shown on took seconds of key making, which no figure measures.
    env |= {"PROCUREMENT_SEALING_RSA_BITS": "1024", "PROCUREMENT_SEALING_SCRYPT_COST": "1024"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.run",
            "--schools",
            "2",
            "--samples",
            "1",
            "--scale",
            "0.1",
            "--database",
            f"{settings.DATABASES['default']['TEST']['NAME']}_bench",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    figures = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert {f["name"] for f in figures} == FIGURES
    for figure in figures:
        assert set(figure) == {"name", "value", "unit", "baseline", "ratio", "schools"}
        assert figure["schools"] == 2
        assert figure["value"] > 0 and figure["baseline"] > 0
