"""The panel's websocket API on a large history: 1 M synthetic sightings.

Measures the server side of ``anpr/v1/sightings/list`` (custom_components/anpr/websocket_api.py):
the SQL of one keyset page (``SightingHistory.page``) plus turning its rows into the API's JSON
(``sighting_json`` minus the picture signing, which is timed on its own), for
* the first page of 50 with each filter and with combined filters — target p50 ≤ 20 ms, p99 ≤ 100;
* the next page through the cursor, 20 pages deep — same target;
* the fuzzy plate filter at distance 1 and 2 (known plates found, then their sightings) —
  target p50 ≤ 50 ms;
plus the in-place migration (adding the indexes to a version-1 database of that size),
thumbnail creation (``feed.make_thumbnail`` on the sample picture, target p50 ≤ 15 ms off the
event loop), signing one picture path, and the size of the front-end bundle (≤ 120 KB gzipped).

Run: ``.venv/bin/python bench/panel_api.py`` (``--rows 100000`` for a quick run).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
import gzip
import io
from pathlib import Path
import random
import sqlite3
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from custom_components.anpr.core.history import (
    UNLISTED,
    SightingHistory,
    SightingQuery,
    SightingRow,
)
from custom_components.anpr.feed import make_thumbnail
from custom_components.anpr.ui import MODULE_FILE

LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"
FIXTURE = (
    Path(__file__).resolve().parents[1]
    / "tests/fixtures/20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
)
T0 = datetime(2025, 1, 1, tzinfo=UTC)
V1_SCHEMA = """
CREATE TABLE sightings (id INTEGER PRIMARY KEY, plate TEXT NOT NULL, ts REAL NOT NULL,
    camera_id TEXT NOT NULL, camera TEXT, category TEXT, list_name TEXT, direction TEXT,
    confidence REAL, read_plate TEXT, image_path TEXT);
CREATE INDEX sightings_plate_ts ON sightings (plate, ts);
CREATE INDEX sightings_ts ON sightings (ts);
CREATE TABLE plate_stats (plate TEXT PRIMARY KEY, count INTEGER NOT NULL, first_ts REAL NOT NULL,
    last_ts REAL NOT NULL, last_camera TEXT) WITHOUT ROWID;
"""


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


def ms(times: list[float]) -> str:
    """``p50 / p99 ms`` of durations in seconds."""
    return f"{pct(times, 50):.2f} / {pct(times, 99):.2f} ms"


def build_v1(path: Path, rows: int, plates: list[str], rng: random.Random) -> None:
    """A version-1 history (opening it runs every migration): ``rows`` sightings over one year."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(V1_SCHEMA)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(plates))]
    cameras = [f"cam{i}" for i in range(6)]
    lists = {p: ("allowed", "Allowed") for p in plates[:300]}
    lists.update({p: ("alert", "Alert") for p in plates[300:320]})
    lists.update({p: ("ignored", "Ignored") for p in plates[320:400]})
    step = 365 * 86400 / rows
    db.execute("BEGIN")
    batch: list[tuple[Any, ...]] = []
    chosen = rng.choices(plates, weights=weights, k=rows)
    for i, text in enumerate(chosen):
        category, list_name = lists.get(text, (None, None))
        camera = cameras[i % len(cameras)]
        batch.append((text, T0.timestamp() + i * step, camera, camera.title(), category,
                      list_name, ("in", "out", "unknown")[i % 3], 0.9, text, None))
        if len(batch) == 10_000:
            db.executemany("INSERT INTO sightings (plate, ts, camera_id, camera, category,"
                           " list_name, direction, confidence, read_plate, image_path)"
                           " VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
            batch.clear()
    if batch:
        db.executemany("INSERT INTO sightings (plate, ts, camera_id, camera, category, list_name,"
                       " direction, confidence, read_plate, image_path)"
                       " VALUES (?,?,?,?,?,?,?,?,?,?)", batch)
    db.execute("INSERT INTO plate_stats SELECT plate, count(*), min(ts), max(ts), NULL"
               " FROM sightings GROUP BY plate")
    db.execute("COMMIT")
    db.close()


def as_json(row: SightingRow) -> dict[str, Any]:
    """What ``sighting_json`` builds (without signing), for a fair serialisation cost."""
    return {
        "id": row.id, "plate": row.plate, "read_plate": row.read_plate,
        "time": row.time.isoformat(), "camera_id": row.camera_id, "camera": row.camera,
        "status": row.category, "category": row.category, "list": row.list_name,
        "direction": row.direction, "confidence": row.confidence, "reads": row.reads,
        "description": None, "thumbnail": None, "picture": None,
    }


def timed(history: SightingHistory, query: SightingQuery, runs: int) -> tuple[list[float], int]:
    """Run one page ``runs`` times; return the durations and the rows of the last run."""
    times: list[float] = []
    count = 0
    for _ in range(runs):
        start = time.perf_counter()
        page = history.page(query, 51)
        [as_json(r) for r in page[:50]]
        times.append(time.perf_counter() - start)
        count = len(page)
    return times, count


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--plates", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(15)
    plates = [plate(rng) for _ in range(args.plates)]
    results: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.db"
        start = time.perf_counter()
        build_v1(path, args.rows, plates, rng)
        print(f"built {args.rows} v1 sightings in {time.perf_counter() - start:.1f} s", flush=True)
        history = SightingHistory(path)
        start = time.perf_counter()
        history.open()  # in-place migration to version 2 (columns + indexes)
        took = time.perf_counter() - start
        results.append(("migration v1 -> v2 (indexes) at open", f"{took:.1f} s"))
        busy = plates[0]
        day = T0 + timedelta(days=200)
        cases: list[tuple[str, SightingQuery]] = [
            ("no filter", SightingQuery()),
            ("camera", SightingQuery(camera_ids=("cam3",))),
            ("status known", SightingQuery(categories=("allowed",))),
            ("status alert", SightingQuery(categories=("alert",))),
            ("status unknown", SightingQuery(categories=(UNLISTED,))),
            ("list Ignored", SightingQuery(list_names=("Ignored",))),
            ("direction out", SightingQuery(directions=("out",))),
            ("time range 08-09 one day", SightingQuery(start=day + timedelta(hours=8),
                                                       end=day + timedelta(hours=9))),
            ("plate exact (busiest)", SightingQuery(plate=busy)),
            ("plate exact (rare)", SightingQuery(plate=plates[-1])),
            ("plate prefix 2 chars", SightingQuery(plate_prefix=busy[:2])),
            ("plate prefix 4 chars", SightingQuery(plate_prefix=busy[:4])),
            ("plate prefix 5 chars (rare plate)", SightingQuery(plate_prefix=plates[-1][:5])),
            ("camera + alert + out", SightingQuery(camera_ids=("cam1",), categories=("alert",),
                                                   directions=("out",))),
            ("camera + time range", SightingQuery(camera_ids=("cam2",), start=day,
                                                  end=day + timedelta(days=1))),
            ("known + prefix", SightingQuery(categories=("allowed",), plate_prefix=busy[:2])),
        ]
        for name, query in cases:
            times, count = timed(history, query, args.runs)
            results.append((f"first page: {name}", f"{ms(times)} ({min(count, 50)} rows)"))
            # Next pages: follow the cursor 20 pages deep.
            page_times: list[float] = []
            cursor_query = query
            for _ in range(20):
                page = history.page(cursor_query, 51)
                if len(page) <= 50:
                    break
                last = page[49]
                assert last.id is not None
                cursor_query = SightingQuery(**{
                    **{f: getattr(query, f) for f in query.__dataclass_fields__},
                    "before": (last.time.timestamp(), last.id)})
                t, _count = timed(history, cursor_query, max(5, args.runs // 20))
                page_times += t
            if page_times:
                results.append((f"next pages: {name}", ms(page_times)))
        for distance in (1, 2):
            times = []
            found = 0
            for probe in rng.sample(plates, 50):
                misread = probe[:3] + ("X" if probe[3] != "X" else "Y") + probe[4:]
                start = time.perf_counter()
                near = history.fuzzy_plates(misread, distance)
                page = history.page(SightingQuery(plates=tuple(near)), 51)
                [as_json(r) for r in page[:50]]
                times.append(time.perf_counter() - start)
                found += len(near)
            results.append((f"fuzzy plate, distance {distance} (first page)",
                            f"{ms(times)} ({found / 50:.1f} plates found)"))
        history.close()
        size = path.stat().st_size
        results.append(("database size", f"{size / args.rows:.0f} bytes per sighting"))

    picture = FIXTURE.read_bytes()
    make_thumbnail(picture)
    thumbs = []
    for _ in range(100):
        start = time.perf_counter()
        out = make_thumbnail(picture)
        thumbs.append(time.perf_counter() - start)
    with Image.open(io.BytesIO(picture)) as sample:
        size = f"{sample.width}x{sample.height}"
    results.append((f"thumbnail of the sample JPEG ({size}, {len(picture) // 1024} KB)",
                    f"{ms(thumbs)}, {len(out) // 1024} KB"))
    buf = io.BytesIO()
    Image.new("RGB", (1920, 1080), (90, 120, 160)).save(buf, "JPEG", quality=90)
    hd = buf.getvalue()
    thumbs = []
    for _ in range(50):
        start = time.perf_counter()
        make_thumbnail(hd)
        thumbs.append(time.perf_counter() - start)
    results.append(("thumbnail of a 1920x1080 JPEG", ms(thumbs)))
    bundle = MODULE_FILE.read_bytes()
    packed = len(gzip.compress(bundle, 9))
    results.append(
        ("front-end bundle", f"{len(bundle) / 1024:.1f} KB, {packed / 1024:.1f} KB gzipped")
    )
    width = max(len(k) for k, _ in results)
    for key, value in results:
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
