"""Sightings history at scale (targets: bench/README.md): 1 M synthetic sightings.

Measures, on a fresh SQLite file (custom_components/anpr/core/history.py, WAL):
* insert throughput in batches (the HA side batches writes per burst) and one row per transaction;
* previous-sightings lookup (``stats(plate)``, done for every read) p50/p99 — target ≤ 1 ms;
* ``search_sightings`` by plate (``search(plate=..., limit=100)``) p50/p99 — target ≤ 50 ms;
* fuzzy search over known plates, hour profile, CSV export of one plate, retention purge;
* database size per sighting and peak RSS.

Run: ``.venv/bin/python bench/history_scale.py`` (``--rows 100000`` for a quick run).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
import random
import resource
import statistics
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.anpr.core.history import SightingHistory, SightingRow

LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"


def plate(rng: random.Random) -> str:
    """A random UK current-format plate."""
    return (
        "".join(rng.choices(LETTERS, k=2))
        + f"{rng.randint(0, 99):02d}"
        + "".join(rng.choices(LETTERS, k=3))
    )


def pct(values: list[float], q: float) -> float:
    """Percentile ``q`` (0-100) of ``values`` in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] * 1000


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--plates", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(6)
    plates = [plate(rng) for _ in range(args.plates)]
    # Skewed: a few plates (residents) are seen very often, most rarely.
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(plates))]
    cameras = [f"cam{i}" for i in range(4)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / args.rows

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "anpr_history.db"
        history = SightingHistory(path)
        history.open()
        chosen = rng.choices(plates, weights=weights, k=args.rows)
        t0 = time.perf_counter()
        batch: list[SightingRow] = []
        for i, p in enumerate(chosen):
            cam = cameras[i % 4]
            batch.append(
                SightingRow(plate=p, time=start + step * i, camera_id=cam, camera=cam,
                            category="allowed" if i % 10 == 0 else None,
                            list_name="Family" if i % 10 == 0 else None,
                            direction="in" if i % 2 else "out", confidence=0.9, read_plate=p)
            )  # fmt: skip
            if len(batch) >= args.batch:
                history.record_many(batch)
                batch = []
        if batch:
            history.record_many(batch)
        insert_s = time.perf_counter() - t0

        single = 2000
        t0 = time.perf_counter()
        now = start + timedelta(days=366)
        for i in range(single):
            p = rng.choice(plates)
            history.record(SightingRow(plate=p, time=now + timedelta(seconds=i), camera_id="cam0"))
        single_s = time.perf_counter() - t0
        total = args.rows + single

        history.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size + sum(
            f.stat().st_size for f in Path(tmp).glob("anpr_history.db-*")
        )

        lookups = []
        for _ in range(5000):
            p = rng.choice(plates) if rng.random() < 0.9 else plate(rng)
            t = time.perf_counter()
            history.stats(p)
            lookups.append(time.perf_counter() - t)

        searches = []
        hot = plates[:20]
        for i in range(500):
            p = hot[i % len(hot)] if i % 2 else rng.choice(plates)
            t = time.perf_counter()
            history.search(plate=p, limit=100)
            searches.append(time.perf_counter() - t)

        windowed = []
        for _ in range(100):
            day = start + timedelta(days=rng.randint(0, 360))
            t = time.perf_counter()
            history.search(start=day, end=day + timedelta(days=1), camera_id="cam1", limit=100)
            windowed.append(time.perf_counter() - t)

        t = time.perf_counter()
        fuzzy = history.fuzzy_plates(plates[0], 1)
        fuzzy_s = time.perf_counter() - t
        t = time.perf_counter()
        history.hour_profile(plates[0], ZoneInfo("Europe/London"))
        profile_s = time.perf_counter() - t
        t = time.perf_counter()
        exported = history.export_csv(Path(tmp) / "x.csv", plate=plates[0])
        export_s = time.perf_counter() - t
        t = time.perf_counter()
        purged = history.purge(before=start + timedelta(days=30))
        purge_s = time.perf_counter() - t
        counts = history.counts()
        history.close()

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = [
        ("sightings stored", f"{total:,}", ""),
        ("distinct plates", f"{counts['plates'] + 0:,}", "after purge"),
        (f"insert, batches of {args.batch}", f"{args.rows / insert_s:,.0f} /s",
         f"{insert_s:.1f} s total"),
        ("insert, 1 row per transaction", f"{single / single_s:,.0f} /s", f"n={single}"),
        ("previous-sightings lookup p50", f"{pct(lookups, 50):.3f} ms", "target <= 1 ms"),
        ("previous-sightings lookup p99", f"{pct(lookups, 99):.3f} ms", "target <= 1 ms"),
        ("search by plate (limit 100) p50", f"{pct(searches, 50):.2f} ms", "target <= 50 ms"),
        ("search by plate (limit 100) p99", f"{pct(searches, 99):.2f} ms", "target <= 50 ms"),
        ("search camera+day p50", f"{pct(windowed, 50):.2f} ms", ""),
        ("fuzzy plate search (d=1)", f"{fuzzy_s * 1000:.0f} ms", f"{len(fuzzy)} plates"),
        ("hour profile, busiest plate", f"{profile_s * 1000:.1f} ms", ""),
        ("CSV export, busiest plate", f"{export_s * 1000:.0f} ms", f"{exported:,} rows"),
        ("purge oldest 30 days", f"{purge_s:.1f} s", f"{purged:,} rows"),
        ("database size per sighting", f"{size / total:.0f} B", f"{size / 1e6:.0f} MB total"),
        ("peak RSS", f"{rss_mb:.0f} MB", f"python {sys.version.split()[0]}, pid {os.getpid()}"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'metric':<{width}}  {'value':>14}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>14}  {note}")
    print(f"(lookups p50 mean check: {statistics.mean(lookups) * 1000:.3f} ms mean)")


if __name__ == "__main__":
    main()
