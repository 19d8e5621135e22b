"""Cost of the validation step per read (core/validation.py), in microseconds.

Measures, in this process without Home Assistant:

* ``validate_read`` on a typical read (plate, confidence, box, time, text fields) — the part
  that runs in the event loop for every read of every source kind;
* the same with a plate that is dropped (too long) and one whose time is replaced;
* ``check_pictures`` on the pictures a camera sends — the part that runs in the executor:
  a 240x60 plate crop and a 1280x720 scene (emulator pictures), and the real 1805x1077
  Hikvision picture from tests/fixtures;
* the JSON depth check of ``protocols/safejson.py`` on a Milesight JSON push with two base64
  pictures (~60 KB), against plain ``json.loads``.

Usage::

    .venv/bin/python bench/validation.py              # 20,000 rounds
    .venv/bin/python bench/validation.py --rounds 2000  # quick
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import statistics
import sys
import time

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from custom_components.anpr.core.validation import check_pictures, validate_read  # noqa: E402
from custom_components.anpr.protocols import safejson  # noqa: E402
from custom_components.anpr.protocols.models import (  # noqa: E402
    Direction,
    ImageRole,
    PlateRead,
    ReadImage,
)
from tools.emulators import http_pusher  # noqa: E402
from tools.emulators.milesight_tcp import fake_jpeg  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"


def _read(plate: str = "AB12 CDE", when: datetime | None = None) -> PlateRead:
    return PlateRead(
        plate=plate,
        time=when or datetime.now(UTC),
        direction=Direction.IN,
        direction_raw="Approach",
        confidence=0.91,
        country="GBR",
        plate_colour="yellow",
        vehicle_type="car",
        vehicle_colour="blue",
        vehicle_make="Ford",
        plate_box=(0.37, 0.13, 0.16, 0.06),
        vendor_id="4b0a1e3c-8f9d-4c51-9a7e-0d2f6c1b5e77",
    )


def measure(rounds: int, job: Callable[[], object]) -> tuple[float, float]:
    """Return (p50, p99) in microseconds of ``job`` over ``rounds`` calls."""
    times: list[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1e6, times[int(len(times) * 0.99) - 1] * 1e6


def main() -> None:
    """Print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    args = parser.parse_args()
    rounds = args.rounds
    now = datetime.now(UTC)
    old = now - timedelta(days=30)
    crop = ReadImage(fake_jpeg(240, 60), role=ImageRole.PLATE)
    scene = ReadImage(fake_jpeg(1280, 720, 256))
    real = ReadImage(FIXTURE.read_bytes())
    body = json.dumps(http_pusher.milesight_new("AB12CDE")).encode()
    rows = [
        ("validate_read, typical read", lambda: validate_read(_read(), now)),
        ("validate_read, plate too long (dropped)", lambda: validate_read(_read("A" * 70), now)),
        ("validate_read, camera time 30 days old", lambda: validate_read(_read(when=old), now)),
        ("PlateRead construction alone (baseline)", _read),
        ("check_pictures, crop 240x60 + scene 1280x720", lambda: check_pictures([crop, scene])),
        ("check_pictures, real 1805x1077 Hikvision JPEG", lambda: check_pictures([real])),
        (f"safejson.loads, Milesight push {len(body) // 1000} KB", lambda: safejson.loads(body)),
        ("json.loads, same body (baseline)", lambda: json.loads(body)),
    ]
    print(f"rounds per row: {rounds}")
    for name, job in rows:
        p50, p99 = measure(rounds if "check" not in name else max(200, rounds // 10), job)
        print(f"{name:48} p50 {p50:8.1f} µs   p99 {p99:8.1f} µs")


if __name__ == "__main__":
    main()
