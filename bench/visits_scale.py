"""Visits and visitor classes at scale: 1 M sightings of 50,000 plates.

Builds a history the way the integration writes it (custom_components/anpr/core/history.py, schema
2: sightings, visits, visitor profiles), generated as in ``bench/history_scale.py`` (skewed
plates, four cameras over a year: two entry, two exit cameras), then measures on that file:

* **bookkeeping added to read → event**: one read through the HA-free pipeline
  (``Pipeline.async_process``, recorder writing to the SQLite file in the loop) with visits and
  classes, against the same pipeline writing a version-1 sighting (the statements of the old
  write path: stats lookup, insert, stats upsert; no visit, no profile) — p50 difference, target
  ≤ 0.2 ms;
* the visit state machine alone (``VisitTracker.step``) and the classification alone;
* ``search_visits`` for one plate (``search_visits(plates=[p], limit=100)``), p50 / p99 —
  target ≤ 20 ms;
* a demo day: ``--demo`` prints the visit list of one synthetic day (entry and exit cameras).

Run: ``.venv/bin/python bench/visits_scale.py`` (``--rows 100000`` for a quick run).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
import random
import statistics
import sys
import tempfile
import time
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.anpr.core.history import (
    PlateStats,
    SightingHistory,
    SightingQuery,
    SightingRow,
)
from custom_components.anpr.core.pipeline import CameraSettings, Pipeline
from custom_components.anpr.core.plates import PlateLists
from custom_components.anpr.core.visitors import local_day
from custom_components.anpr.core.visits import ACTION_OPENED, VisitTracker
from custom_components.anpr.protocols.models import Direction, PlateRead

LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"
LONDON = ZoneInfo("Europe/London")
CAMERAS = [("cam0", "entry"), ("cam1", "exit"), ("cam2", "entry"), ("cam3", "exit")]


def plate(rng: random.Random) -> str:
    """A random UK current-format plate."""
    return (
        "".join(rng.choices(LETTERS, k=2))
        + f"{rng.randint(0, 99):02d}"
        + "".join(rng.choices(LETTERS, k=3))
    )


def pct(values: list[float], q: float) -> float:
    """Percentile ``q`` (0-100) of ``values`` (seconds) in ms."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))] * 1000


def build(history: SightingHistory, rows: int, plates: list[str], rng: random.Random) -> float:
    """Fill the history with ``rows`` sightings (visits and profiles included); seconds."""
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(plates))]
    tracker = VisitTracker(timedelta(hours=12))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / rows
    chosen = rng.choices(plates, weights=weights, k=rows)
    t0 = time.perf_counter()
    batch: list[SightingRow] = []
    for i, p in enumerate(chosen):
        cam, role = CAMERAS[i % 4]
        when = start + step * i
        visit = tracker.step(p, role, "unknown", cam, when)
        assert visit is not None
        batch.append(SightingRow(
            plate=p, time=when, camera_id=cam, camera=cam, direction="unknown",
            confidence=0.9, read_plate=p, sid=f"s{i}", visit_id=visit.visit.id,
            visit=visit.visit, expired=visit.expired, arrival=visit.action == ACTION_OPENED,
        ))  # fmt: skip
        if len(batch) >= 500:
            history.record_many(batch)
            batch = []
    if batch:
        history.record_many(batch)
    return time.perf_counter() - t0


def v1_record(history: SightingHistory, row: SightingRow) -> PlateStats:
    """The version-1 write path (no visit, no profile), for the baseline."""
    db = history.db
    db.execute("BEGIN")
    before = history.stats(row.plate)
    ts = row.time.timestamp()
    db.execute(
        "INSERT INTO sightings (plate, ts, camera_id, camera, category, list_name, direction,"
        " confidence, read_plate, image_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (row.plate, ts, row.camera_id, row.camera, row.category, row.list_name, row.direction,
         row.confidence, row.read_plate, row.image_path),
    )  # fmt: skip
    db.execute(
        "INSERT INTO plate_stats (plate, count, first_ts, last_ts, last_camera)"
        " VALUES (?, 1, ?, ?, ?) ON CONFLICT(plate) DO UPDATE SET"
        " count = count + 1, first_ts = min(first_ts, excluded.first_ts),"
        " last_ts = max(last_ts, excluded.last_ts),"
        " last_camera = CASE WHEN excluded.last_ts >= last_ts"
        " THEN excluded.last_camera ELSE last_camera END",
        (row.plate, ts, ts, row.camera),
    )
    db.execute("COMMIT")
    return before


async def read_to_event(
    history: SightingHistory, plates: list[str], rng: random.Random, n: int, with_visits: bool,
    start: datetime,
) -> list[float]:
    """Time ``n`` reads through the pipeline until it returns a new sighting (the event)."""
    done: list[float] = []

    async def recorder(row: SightingRow) -> PlateStats:
        return history.record(row) if with_visits else v1_record(history, row)

    pipeline = Pipeline(
        lists=PlateLists(),
        recorder=recorder,
        visits=VisitTracker(timedelta(hours=12)) if with_visits else None,
    )
    cams = [CameraSettings(camera_id=c, name=c, repeat_window=0, role=r) for c, r in CAMERAS]
    for i in range(n):
        read = PlateRead(plate=rng.choice(plates), time=start + timedelta(seconds=7 * i),
                         direction=Direction.UNKNOWN)  # fmt: skip
        began = time.perf_counter()
        result = await pipeline.async_process(read, cams[i % 4])
        if result is not None and result[1]:
            done.append(time.perf_counter() - began)
    return done


def timed(func: Callable[[], Any], n: int) -> list[float]:
    """Run ``func`` ``n`` times; return each duration in seconds."""
    out = []
    for _ in range(n):
        t = time.perf_counter()
        func()
        out.append(time.perf_counter() - t)
    return out


def demo_day(history: SightingHistory) -> None:
    """Print the visit list of a synthetic demo day (entry camera Gate in, exit Gate out)."""
    day = datetime(2026, 11, 30, tzinfo=LONDON)
    names = {"gin": "Gate in", "gout": "Gate out", "drive": "Drive"}
    script = [  # (local time, plate, camera)
        ("07:58", "AB12CDE", "gout"), ("08:41", "KL19MNO", "gin"), ("09:12", "PL73UMB", "gin"),
        ("09:13", "PL73UMB", "drive"), ("10:40", "PL73UMB", "gout"), ("11:05", "DX21PST", "gin"),
        ("11:09", "DX21PST", "gout"), ("09:50", "GR08CER", "gin"), ("17:22", "AB12CDE", "gin"),
        ("17:31", "KL19MNO", "gout"),
    ]  # fmt: skip
    roles = {"gin": "entry", "gout": "exit", "drive": "both"}
    tracker = VisitTracker(timedelta(hours=12))
    for hhmm, p, cam in script:
        hour, minute = map(int, hhmm.split(":"))
        when = day.replace(hour=hour, minute=minute).astimezone(UTC)
        stepped = tracker.step(p, roles[cam], "unknown", cam, when)
        assert stepped is not None
        history.record(SightingRow(plate=p, time=when, camera_id=cam, camera=names[cam],
                                   visit_id=stepped.visit.id, visit=stepped.visit,
                                   arrival=stepped.action == ACTION_OPENED))  # fmt: skip
    end_of_day = day.replace(hour=23, minute=59).astimezone(UTC)
    history.save_visits(tracker.expire(end_of_day))
    visits = history.search_visits(start=day.astimezone(UTC), end=end_of_day, limit=None)
    print(f"\nVisits on {day:%a %d %b %Y} (Europe/London):")
    print(f"{'plate':<9} {'arrived':>7} {'left':>7} {'dwell':>8}  {'status':<10} "
          f"{'entry':<8} {'exit':<8} reads")  # fmt: skip
    for v in sorted(visits, key=lambda v: v.started or v.last_seen):
        arrived = f"{v.started.astimezone(LONDON):%H:%M}" if v.started else "—"
        left = f"{v.ended.astimezone(LONDON):%H:%M}" if v.ended and v.status != "open" else "—"
        dwell = "—" if v.dwell_s is None else f"{int(v.dwell_s // 3600)}h{int(v.dwell_s % 3600 // 60):02d}m"
        print(f"{v.plate:<9} {arrived:>7} {left:>7} {dwell:>8}  {v.status:<10} "
              f"{names.get(v.entry_camera or '', '—'):<8} {names.get(v.exit_camera or '', '—'):<8} "
              f"{v.reads}")  # fmt: skip


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--plates", type=int, default=50_000)
    parser.add_argument("--reads", type=int, default=3000)
    parser.add_argument("--demo", action="store_true", help="only print the demo day")
    args = parser.parse_args()
    rng = random.Random(16)
    with tempfile.TemporaryDirectory() as tmp:
        history = SightingHistory(Path(tmp) / "anpr_history.db")
        history.open()
        history.tz = LONDON
        if args.demo:
            demo_day(history)
            return
        plates = [plate(rng) for _ in range(args.plates)]
        build_s = build(history, args.rows, plates, rng)
        counts = history.counts() | history.visit_counts()
        later = datetime(2026, 1, 2, tzinfo=UTC)
        # Alternate blocks so load changes hit both paths alike.
        base: list[float] = []
        full: list[float] = []
        block = max(1, args.reads // 10)
        for k in range(10):
            start = later + timedelta(days=k)
            base += asyncio.run(read_to_event(history, plates, rng, block, False, start))
            full += asyncio.run(read_to_event(
                history, plates, rng, block, True, start + timedelta(hours=12)))  # fmt: skip
        tracker = VisitTracker(timedelta(hours=12))
        now = later + timedelta(days=30)
        step_times = timed(lambda: tracker.step(rng.choice(plates), "both", "in", "cam0", now),
                           20000)  # fmt: skip
        profile = history.profile(plates[0])
        assert profile is not None
        day = local_day(now, LONDON)[0]
        class_times = timed(lambda: profile.classify(day), 20000)
        hot = plates[:20]
        searches = timed(lambda: history.search_visits(plates=[rng.choice(hot + plates[20:40])],
                                                       limit=100), 500)  # fmt: skip
        one = history.search_visits(plates=[plates[0]], limit=100)
        # The panel (websocket API): a page of 50 sightings given their visitor class and dwell
        # (SightingHistory.annotate), and a page of visits, first and through the cursor.
        pages = [history.page(SightingQuery(camera_ids=(f"cam{i % 4}",)), 50) for i in range(4)]
        annotate_times = timed(lambda: history.annotate(rng.choice(pages)), 500)
        with_visit = sum(r.visit_id is not None for p in pages for r in p)
        visit_pages = timed(lambda: history.search_visits(limit=51), 500)
        deep = history.search_visits(limit=5001)[5000:]
        cursor = (deep[0].last_seen.timestamp(), deep[0].id) if deep else None
        visit_next = timed(lambda: history.search_visits(limit=51, before=cursor), 500)
        history.close()
    added = pct(full, 50) - pct(base, 50)
    rows = [
        ("history", f"{counts['sightings']:,}", f"sightings, {counts['plates']:,} plates, "
         f"{counts['visits']:,} visits; built in {build_s:.0f} s"),
        ("read→event v1 write path p50", f"{pct(base, 50):.3f} ms", f"p99 {pct(base, 99):.3f} ms"),
        ("read→event with visits+classes p50", f"{pct(full, 50):.3f} ms",
         f"p99 {pct(full, 99):.3f} ms"),
        ("bookkeeping added p50", f"{added:.3f} ms", "target <= 0.2 ms"),
        ("(mean difference)", f"{(statistics.mean(full) - statistics.mean(base)) * 1000:.3f} ms", ""),
        ("VisitTracker.step p50", f"{pct(step_times, 50) * 1000:.2f} us", ""),
        ("visitor class p50", f"{pct(class_times, 50) * 1000:.2f} us", ""),
        ("search_visits one plate p50", f"{pct(searches, 50):.2f} ms", "target <= 20 ms"),
        ("search_visits one plate p99", f"{pct(searches, 99):.2f} ms",
         f"busiest plate: {len(one)} visits returned (limit 100)"),
        ("panel: annotate a page of 50 p50", f"{pct(annotate_times, 50):.2f} ms",
         f"p99 {pct(annotate_times, 99):.2f} ms; {with_visit}/200 rows with a visit"),
        ("panel: visits/list first page p50", f"{pct(visit_pages, 50):.2f} ms",
         f"p99 {pct(visit_pages, 99):.2f} ms (50 visits)"),
        ("panel: visits/list page 100 deep p50", f"{pct(visit_next, 50):.2f} ms",
         f"p99 {pct(visit_next, 99):.2f} ms (cursor)"),
    ]  # fmt: skip
    width = max(len(r[0]) for r in rows)
    print(f"{'metric':<{width}}  {'value':>12}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>12}  {note}")


if __name__ == "__main__":
    main()
