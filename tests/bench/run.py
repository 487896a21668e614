"""`make bench`: build a synthetic district and measure Houqin against stock django-tenants.

    python -m tests.bench.run [--schools 1000] [--smoke] [--scale 1] [--record docs/benchmarks.md]

Prints one JSON object per figure:
    {"name", "value", "unit", "baseline", "ratio", "schools"}
where the baseline is stock django-tenants (or, for throughput, the same endpoint without
tenancy) doing the same work in the same run, and ratio = value / baseline. The database is
created afresh (`houqin_bench` on DATABASE_URL's server, or on an embedded server under
.bench/) and dropped at the end. `--scale` multiplies the rows, requests, rounds and seconds of
each benchmark (the schools and samples have their own arguments): the test suite runs every
benchmark's code path at the smallest sizes that still exercise it (tests/test_bench_smoke.py).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

DATABASE = "houqin_bench"
SCALE = 1.0


def _sized(size: float, least: int = 1) -> str:
    """`size` times --scale, whole, at least `least` (what the benchmark needs to run at all)."""
    return str(max(least, round(size * SCALE)))


def _admin_connection() -> Any:
    """A connection to the server's `postgres` database (libpq reads the URL, socket included)."""
    import psycopg2

    url = urlsplit(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
    connection = psycopg2.connect(urlunsplit(url._replace(path="/postgres")))
    connection.autocommit = True
    return connection


def _recreate_database(drop_only: bool = False) -> str:
    connection = _admin_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            if not drop_only:
                cursor.execute(f"CREATE DATABASE {DATABASE}")
            cursor.execute("SHOW server_version")
            return str(cursor.fetchone()[0])
    finally:
        connection.close()


def _step(name: str, *options: str, stage: int = 1, **env: str) -> dict[str, Any]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.steps", name, *options],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
            "BENCH_DATABASE": DATABASE,
            "BENCH_STAGE": str(stage),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-2000:] + result.stderr[-4000:])
        raise SystemExit(f"benchmark step {name} failed")
    sys.stderr.write(f"step {name} {' '.join(options)}: {time.perf_counter() - started:.1f} s\n")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _figure(name: str, value: float, unit: str, baseline: float, schools: int) -> dict[str, Any]:
    return {
        "name": name,
        "value": round(value, 4),
        "unit": unit,
        "baseline": round(baseline, 4),
        "ratio": round(value / baseline, 4) if baseline else None,
        "schools": schools,
    }


def run(schools: int, samples: int, smoke: bool) -> list[dict[str, Any]]:
    s = str(samples)
    figures = []
    _step("setup")
    cold = _step("provision_cold", "--samples", s)
    figures.append(_figure("provision_cold_p50", cold["value"], "s", cold["baseline"], schools))
    _step("stock_sample", "--samples", s)
    _fill(schools)
    warm = _step("provision_warm", "--samples", s)
    figures.append(_figure("provision_warm_p50", warm["value"], "s", cold["baseline"], schools))
    figures += _releases(schools, samples)
    rounds = _sized(2 if smoke else 5)
    requests = _sized(30 if smoke else 200, least=5)
    tenancy: list[float] = []
    plain: list[float] = []
    for _pair in range(1 if smoke else 3):
        common = ("--rounds", rounds, "--requests", requests)
        tenancy += _step("throughput", *common, stage=2)["rounds"]
        plain += _step("throughput", *common, stage=2, BENCH_NO_TENANCY="1", BENCH_SCHOOL="s00001")[
            "rounds"
        ]
    figures.append(
        _figure(
            "request_throughput_ratio",
            statistics.median(tenancy) / statistics.median(plain),
            "ratio",
            1.0,
            schools,
        )
    )
    figures.append(
        _figure(
            "request_throughput",
            statistics.median(tenancy),
            "req/s",
            statistics.median(plain),
            schools,
        )
    )
    figures += _meals(schools, samples, smoke)
    # A tender of 50 bids x 500 lines (10 x 100 in a smoke run).
    bids, lines = (10, 100) if smoke else (50, 500)
    tender = _step(
        "tender_open", "--bids", _sized(bids, least=2), "--lines", _sized(lines), stage=2
    )
    figures.append(
        _figure("tender_open_score_50x500", tender["value"], "s", tender["baseline"], schools)
    )
    spend = _step("spend_month", "--lines", _sized(60), stage=2)
    figures.append(_figure("district_spend_month", spend["value"], "s", spend["baseline"], schools))
    figures += _optimiser(schools, smoke)
    figures += _routes(schools, smoke)
    figures += _transport(schools, smoke)
    figures += _riders(schools, smoke)
    figures += _upkeep(schools, smoke, stage=2)
    figures += _dorms(schools, smoke, stage=2)
    bounded = _step("visit", "--reconnect", "200", stage=2)
    unbounded = _step("visit", "--reconnect", str(10**9), stage=2)
    figures.append(
        _figure("peak_rss_mb", bounded["peak_rss_mb"], "MB", unbounded["peak_rss_mb"], schools)
    )
    figures.append(
        _figure(
            "pg_backend_peak_mb",
            bounded["backend_peak_mb"],
            "MB",
            unbounded["backend_peak_mb"],
            schools,
        )
    )
    return figures + _pages(schools, smoke) + _load(schools, smoke)


def _load(schools: int, smoke: bool) -> list[dict[str, Any]]:
    """The API under load through gunicorn (tests/bench/load.py): the mix at 100, 200 and 400
    requests a second and the maximum rate, Houqin over every school against two floors (a plain
    Django + DRF application on one school's rows: reading them with SQL, and with the ORM and
    DRF's generic views), in turn, medians of 3 rounds (1 in a smoke run, of 1 s a rate). The
    `api_*` figures' baseline is the SQL floor; `api_*_orm_floor` repeat Houqin's against the
    ORM floor."""
    from tests.bench import load

    codes = _step("load_setup", "--schools", str(schools), stage=2)["schools"]
    seconds, pairs = max((1.0 if smoke else 10.0) * SCALE, 0.25), 1 if smoke else 3
    result = load.compare(codes, DATABASE, [100, 200, 400], seconds, pairs)
    ours = result["houqin"]
    sys.stderr.write(f"load: {json.dumps(result)}\n")
    # At the lowest rate every request of the mix is answered 2xx by each, or the mix is wrong.
    if any(side["at_100"]["failed"] for side in result.values()):
        raise SystemExit("the load mix failed at 100 req/s: see load: above")
    figures = []
    for floor, suffix in (("floor", ""), ("floor_orm", "_orm_floor")):
        base = result[floor]
        figures += [
            _figure(
                f"api_{p}_at_{rate}rps{suffix}",
                ours[f"at_{rate}"][f"{p}_ms"],
                "ms",
                base[f"at_{rate}"][f"{p}_ms"],
                schools,
            )
            for rate in (100, 200, 400)
            for p in ("p50", "p95", "p99")
            if not suffix or (p, rate) == ("p95", 200)
        ]
        figures.append(
            _figure(
                f"api_max_rps{suffix}", ours["max"]["rps"], "req/s", base["max"]["rps"], schools
            )
        )
    return figures


def _releases(schools: int, samples: int) -> list[dict[str, Any]]:
    """A release with nothing to do, then one adding a column to a table of every school."""
    n = str(schools)
    s = str(samples)
    noop = _step("migrate", "--schools", n, "--samples", s)
    added = _step("migrate", "--schools", n, "--samples", s, stage=2)
    return [
        _figure("migrate_noop_all", noop["value"], "s", noop["baseline"], schools),
        _figure("migrate_add_column_all", added["value"], "s", added["baseline"], schools),
    ]


def _fill(schools: int) -> None:
    """The district's schools s00000.., built by two processes."""
    started = time.perf_counter()
    half = schools // 2
    with ThreadPoolExecutor(2) as pool:
        list(
            pool.map(
                lambda span: _step("fill", "--start", str(span[0]), "--stop", str(span[1])),
                [(0, half), (half, schools)],
            )
        )
    sys.stderr.write(f"built {schools} schools in {time.perf_counter() - started:.1f} s\n")


def _upkeep(schools: int, smoke: bool, stage: int) -> list[dict[str, Any]]:
    """The SLA sweep over every school with 50 open requests each, one month's depreciation of
    20,000 assets and a stock-take of 5,000 scans closed (3 schools x 5 requests, 200 assets and
    100 scans in a smoke run), each against its naive baseline (medians of 3, 1 in a smoke run)."""
    swept, sizes, samples = (
        (min(schools, 3), (5, 200, 100), "1") if smoke else (schools, (50, 20000, 5000), "3")
    )
    # A stock-take finds every kind of discrepancy from 100 scans (two rooms of the register's
    # 50 assets each) up: the register and the scans are not scaled below the smoke run's.
    requests, assets, scans = _sized(sizes[0]), _sized(sizes[1], 200), _sized(sizes[2], 100)
    sweep = _step(
        "repairs_sweep",
        *("--schools", str(swept), "--requests", requests, "--samples", samples),
        stage=stage,
    )
    month = _step("depreciation_month", "--assets", assets, "--samples", samples, stage=stage)
    take = _step("stocktake_close", "--scans", scans, "--samples", samples, stage=stage)
    return [
        _figure("repairs_sweep_district", sweep["value"], "s", sweep["baseline"], schools),
        _figure("depreciation_month_20000", month["value"], "s", month["baseline"], schools),
        _figure("stocktake_close_5000", take["value"], "s", take["baseline"], schools),
    ]


def _dorms(schools: int, smoke: bool, stage: int = 1) -> list[dict[str, Any]]:
    """A 3,000-boarder school (120 in a smoke run): a term's bulk allocation, and a night's
    20,000 door events (800) ingested with the roll call taken (the median of five nights, two
    in a smoke run), each against its naive baseline."""
    boarders, events = (120, 800) if smoke else (3000, 20000)
    bulk = _step("dorms_bulk", "--students", _sized(boarders, least=10), stage=stage)
    night = _step(
        "dorms_night",
        *("--events", _sized(events, least=50), "--samples", _sized(2 if smoke else 5)),
        stage=stage,
    )
    return [
        _figure("dorms_bulk_allocation", bulk["value"], "s", bulk["baseline"], schools),
        _figure("dorms_night_events", night["value"], "s", night["baseline"], schools),
    ]


def _pages(schools: int, smoke: bool) -> list[dict[str, Any]]:
    """Every page of both hosts on the demo district (the tests' rows only in a smoke run): the
    slowest page's p95 and the median page's, against /healthz's; the heaviest first load,
    against the sign-in page's."""
    shown = _step("pages", "--samples", _sized(3 if smoke else 30), *(["--naive"] if smoke else []))
    sys.stderr.write(f"slowest pages (p95 ms): {shown['slowest']}\n")
    return [
        _figure("page_p95_worst", shown["worst_p95_ms"], "ms", shown["healthz_p95_ms"], schools),
        _figure("page_p95_median", shown["median_p95_ms"], "ms", shown["healthz_p95_ms"], schools),
        _figure("page_first_load", shown["heaviest_kb"], "KB", shown["frame_kb"], schools),
    ]


def _meals(schools: int, samples: int, smoke: bool) -> list[dict[str, Any]]:
    """500,000 servings in a day across the district (split over two processes, like two
    canteen terminals' uploads), against one INSERT per serving measured on a few schools; a
    month's claim for a 3,000-student school against a per-student computation."""
    students = max(500_000 // schools, 1) if not smoke else 50
    _step("meals_setup", "--students", _sized(students, least=5), stage=2)
    half = schools // 2
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        spans = [(0, half), (half, schools)]
        results = list(
            pool.map(
                lambda span: _step(
                    "servings_day", "--start", str(span[0]), "--stop", str(span[1]), stage=2
                ),
                spans,
            )
        )
    ours = time.perf_counter() - started
    served = sum(r["servings"] for r in results)
    naive = _step("servings_day", "--naive", "--samples", str(max(samples // 10, 1)), stage=2)
    naive_total = naive["seconds"] * served / max(naive["servings"], 1)
    claim = _step("claim_month", "--students", _sized(300 if smoke else 3000, least=5), stage=2)
    statement = _step("statements", stage=2)
    return [
        _figure("servings_day_district", ours, "s", naive_total, schools),
        _figure("claim_month_3000", claim["value"], "s", claim["baseline"], schools),
        _figure("district_statement", statement["value"], "s", statement["baseline"], schools),
    ]


def _optimiser(schools: int, smoke: bool) -> list[dict[str, Any]]:
    """A week of breakfasts and lunches composed from 300 recipes (110 in a smoke run), for one
    band and for every band, against the cheapest week a greedy heuristic finds: time, cost and
    the standard's checks each meets."""
    recipes, samples, rounds = ("110", "1", 3) if smoke else ("300", "5", 20)
    week = _step(
        "optimiser", "--recipes", recipes, "--samples", samples, "--rounds", _sized(rounds), stage=2
    )
    return [
        _figure("optimiser_week_one_band", week["one_band"], "s", week["one_band_greedy"], schools),
        _figure(
            "optimiser_week_every_band", week["every_band"], "s", week["every_band_greedy"], schools
        ),
        _figure("optimiser_week_cost", week["cost"], "CNY", week["greedy_cost"], schools),
        _figure("optimiser_checks_met", week["checks"], "checks", week["greedy_checks"], schools),
    ]


def _routes(schools: int, smoke: bool) -> list[dict[str, Any]]:
    """A morning's routes for 400 riders, 60 candidate stops and 8 buses, planned by the search
    against nearest-neighbour chains on the same stops (tests/bench/routes.py)."""
    from tests.bench import routes

    made = routes.figures(smoke)
    return [
        _figure("routes_plan_time", made["seconds"], "s", made["baseline_seconds"], schools),
        _figure(
            "routes_total_ride",
            made["total_ride_min"],
            "min",
            made["baseline_total_ride_min"],
            schools,
        ),
        _figure(
            "routes_longest_ride",
            made["longest_ride_min"],
            "min",
            made["baseline_longest_ride_min"],
            schools,
        ),
        _figure(
            "routes_riders_over_max_ride",
            made["over_max_ride"],
            "riders",
            made["baseline_over_max_ride"],
            schools,
        ),
        _figure("routes_bus_km", made["km"], "km", made["baseline_km"], schools),
    ]


def _transport(schools: int, smoke: bool) -> list[dict[str, Any]]:
    """GPS telemetry: 1,000 buses, a point every 10 s over a 3-hour morning (1.08 M points; 50
    buses x 120 points in a smoke run), batches of 30, every alarm rule evaluated as they
    arrive, sent by two processes (as two gunicorn workers would take them), against the same
    points inserted and checked one by one by two processes (20 buses' worth; 4 in a smoke
    run)."""
    buses, points, naive = (50, 120, 4) if smoke else (1000, 1080, 20)
    ingest = _step(
        "transport",
        "--buses",
        _sized(buses, least=2),
        "--points",
        _sized(points, least=30),
        "--naive-buses",
        _sized(naive, least=2),
        "--workers",
        "2",
        stage=2,
    )
    return [
        _figure(
            "transport_ingest_points_per_s",
            ingest["points_per_s"],
            "points/s",
            ingest["naive_points_per_s"],
            schools,
        )
    ]


def _riders(schools: int, smoke: bool) -> list[dict[str, Any]]:
    """School-bus boarding: a morning's 100 events a school (100,000 at 1,000 schools), each
    bus's terminal reporting per stop, through the report service by two processes, against
    one event a transaction through the single-event service over 20 schools (2 in a smoke
    run), scaled (tests/bench/riders.py)."""
    morning = _step(
        "riders_boarding",
        "--schools",
        str(schools),
        "--naive-schools",
        "2" if smoke else "20",
        "--workers",
        "2",
        stage=2,
    )
    sys.stderr.write(f"boarding: {morning}\n")
    return [_figure("riders_boarding_morning", morning["value"], "s", morning["baseline"], schools)]


def _machine(server_version: str) -> str:
    import psutil

    return (
        f"{os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"PostgreSQL {server_version} "
        f"({'embedded' if 'host=/' in os.environ['DATABASE_URL'] else 'server'})"
    )


def _record(path: Path, figures: list[dict[str, Any]], machine: str, samples: int) -> None:
    lines = [
        "| figure | value | unit | baseline | ratio |",
        "| --- | ---: | --- | ---: | ---: |",
        *(
            f"| `{f['name']}` | {f['value']} | {f['unit']} | {f['baseline']} | {f['ratio']} |"
            for f in figures
        ),
    ]
    text = path.read_text() if path.exists() else ""
    begin, end = "<!-- figures:begin -->", "<!-- figures:end -->"
    block = "\n".join(
        [
            begin,
            f"Latest run: {time.strftime('%Y-%m-%d')}, {figures[0]['schools']} schools, "
            f"{samples} samples per p50; machine: {machine}.",
            "",
            *lines,
            end,
        ]
    )
    if begin in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text + "\n" + block + "\n"
    path.write_text(text)


def main() -> None:
    global DATABASE, SCALE
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=int(os.environ.get("SCHOOLS", "1000")))
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--record", type=Path, default=None)
    parser.add_argument("--database", default=DATABASE, help="created afresh and dropped")
    parser.add_argument("--smoke", action="store_true", help="small sizes, whatever --schools")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="rows, requests, rounds and seconds times this"
    )
    parser.add_argument(
        "--only-optimiser", action="store_true", help="the optimiser's figures alone, unrecorded"
    )
    parser.add_argument(
        "--only-pages", action="store_true", help="the pages' figures alone, unrecorded"
    )
    parser.add_argument(
        "--only-routes", action="store_true", help="route planning's figures alone, unrecorded"
    )
    parser.add_argument(
        "--only-load",
        action="store_true",
        help="the schools, then the API under load through gunicorn alone, unrecorded",
    )
    parser.add_argument(
        "--only-dorms", action="store_true", help="the boarding figures alone, unrecorded"
    )
    parser.add_argument(
        "--only-transport", action="store_true", help="the telemetry figures alone, unrecorded"
    )
    parser.add_argument(
        "--only-riders",
        action="store_true",
        help="the schools, then the school-bus boarding figure alone, unrecorded",
    )
    parser.add_argument(
        "--only-upkeep",
        action="store_true",
        help="the schools, then the upkeep figures alone, unrecorded",
    )
    parser.add_argument(
        "--only-releases",
        action="store_true",
        help="the schools, then the two release figures alone, unrecorded",
    )
    args = parser.parse_args()
    DATABASE = args.database
    SCALE = args.scale
    smoke = args.smoke or args.schools < 100
    samples = args.samples or (2 if smoke else 20)
    if args.only_routes:  # no database: coordinates in, routes out
        for figure in _routes(args.schools, smoke):
            print(json.dumps(figure))
        return
    from houqin.devstack import ensure_services

    ensure_services(".bench")  # held for the whole run, shared by every step
    server_version = _recreate_database()
    try:
        if args.only_optimiser:
            _step("setup")
            figures = _optimiser(args.schools, smoke)
        elif args.only_pages:
            _step("setup")
            figures = _pages(args.schools, smoke)
        elif args.only_load:
            _step("setup")
            _fill(args.schools)
            figures = _load(args.schools, smoke)
        elif args.only_dorms:
            _step("setup")
            figures = _dorms(args.schools, smoke)
        elif args.only_transport:
            _step("setup")
            figures = _transport(args.schools, smoke)
        elif args.only_riders:
            _step("setup")
            _fill(args.schools)
            figures = _riders(args.schools, smoke)
        elif args.only_upkeep:
            _step("setup")
            _fill(args.schools)
            figures = _upkeep(args.schools, smoke, stage=1)
        elif args.only_releases:
            _step("setup")
            _step("stock_sample", "--samples", str(samples))
            _fill(args.schools)
            figures = _releases(args.schools, samples)
        else:
            figures = run(args.schools, samples, smoke)
    finally:
        _recreate_database(drop_only=True)
    for figure in figures:
        print(json.dumps(figure))
    only = (
        args.only_optimiser
        or args.only_pages
        or args.only_upkeep
        or args.only_load
        or args.only_dorms
        or args.only_transport
        or args.only_riders
        or args.only_releases
    )
    if args.record and not only:
        _record(args.record, figures, _machine(server_version), samples)


if __name__ == "__main__":
    main()
