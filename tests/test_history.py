"""SightingHistory (SQLite) and the HA-side HistoryStore: counts, search, purge, batching."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
import random
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
import pytest

from custom_components.anpr.core.history import SightingHistory, SightingRow
from custom_components.anpr.core.matching import levenshtein
from custom_components.anpr.store import HistoryStore

T0 = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)


def _row(plate: str, minutes: int, camera: str = "cam1", **kw: object) -> SightingRow:
    return SightingRow(plate=plate, time=T0 + timedelta(minutes=minutes), camera_id=camera,
                       camera=camera.title(), **kw)  # type: ignore[arg-type]


_OPENED: list[SightingHistory] = []


@pytest.fixture(autouse=True)
def _close_histories() -> Iterator[None]:
    """Close every database a test opened with :func:`_history`."""
    yield
    while _OPENED:
        _OPENED.pop().close()


def _history(tmp_path: Path) -> SightingHistory:
    history = SightingHistory(tmp_path / "h.db")
    history.open()
    _OPENED.append(history)
    return history


def test_counts_first_last_and_purge_rebuild(tmp_path: Path) -> None:
    history = _history(tmp_path)
    assert history.record(_row("AB12CDE", 0)).count == 0
    before = history.record(_row("AB12CDE", 10, "cam2"))
    assert before.count == 1 and before.last_seen == T0 and before.last_camera == "Cam1"
    history.record(_row("AB12CDE", 20, "cam3"))
    stats = history.stats("AB12CDE")
    assert (stats.count, stats.first_seen, stats.last_camera) == (3, T0, "Cam3")
    # Purging the oldest keeps counts true.
    assert history.purge(before=T0 + timedelta(minutes=5)) == 1
    stats = history.stats("AB12CDE")
    assert stats.count == 2 and stats.first_seen == T0 + timedelta(minutes=10)
    assert history.purge(plate="AB12CDE") == 2
    assert history.stats("AB12CDE").count == 0
    assert history.counts() == {"sightings": 0, "plates": 0}
    history.close()
    # Crash-safe file: WAL mode.
    again = _history(tmp_path)
    assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_search_filters(tmp_path: Path) -> None:
    history = _history(tmp_path)
    history.record_many([
        _row("AB12CDE", 0, category="allowed", list_name="Family"),
        _row("AB12CDE", 60, "cam2", category="allowed", list_name="Family"),
        _row("XY51ZZZ", 120, category="alert", list_name="Alert"),
        _row("XY51ZZA", 180, "cam2"),
        _row("A%B_1", 200),
    ])  # fmt: skip
    assert len(history.search(plate="AB12CDE")) == 2
    assert [r.plate for r in history.search(plate_like="XY51%")] == ["XY51ZZA", "XY51ZZZ"]
    assert [r.plate for r in history.search(plate_like="A\\%B%")] == ["A%B_1"]
    assert len(history.search(camera_id="cam2")) == 2
    assert [r.plate for r in history.search(list_name="Alert")] == ["XY51ZZZ"]
    assert len(history.search(category="allowed")) == 2
    window = history.search(start=T0 + timedelta(minutes=60), end=T0 + timedelta(minutes=180))
    assert [r.plate for r in window] == ["XY51ZZZ", "AB12CDE"]
    assert len(history.search(limit=1)) == 1
    assert history.search(plates=[]) == []


def test_fuzzy_plates_matches_a_full_scan(tmp_path: Path) -> None:
    history = _history(tmp_path)
    rng = random.Random(1)
    alphabet = "AB12"
    plates = {"".join(rng.choices(alphabet, k=rng.randint(3, 5))) for _ in range(300)}
    history.record_many([_row(p, i) for i, p in enumerate(sorted(plates))])
    for query in ["AB12", "A1B", "BB22B", "1111", "A"]:
        for distance in (1, 2):
            expected = {p for p in plates if levenshtein(query, p) <= distance}
            assert set(history.fuzzy_plates(query, distance)) == expected, (query, distance)


def test_hour_profile_in_local_time_and_export(tmp_path: Path) -> None:
    history = _history(tmp_path)
    history.record_many([_row("AB12CDE", 0), _row("AB12CDE", 30), _row("AB12CDE", 24 * 60)])
    hours = history.hour_profile("AB12CDE", ZoneInfo("Europe/London"))
    assert hours[10] == 3 and sum(hours) == 3  # 09:00 UTC is 10:00 BST
    out = tmp_path / "x.csv"
    assert history.export_csv(out, plate="AB12CDE") == 3
    lines = out.read_text().splitlines()
    assert lines[0] == (
        "time,plate,read_plate,camera,camera_id,direction,category,list,confidence,image_path"
    )
    assert lines[1].startswith("2025-06-04T09:00:00+00:00,AB12CDE,,Cam1,cam1")


async def test_store_batches_concurrent_writes(hass: HomeAssistant, tmp_path: Path) -> None:
    store = HistoryStore(hass, tmp_path / "h.db")
    await store.async_open()
    results = await asyncio.gather(*(store.async_record(_row("AB12CDE", i)) for i in range(50)))
    assert sorted(r.count for r in results) == list(range(50))
    assert (await store.async_stats("AB12CDE")).count == 50
    assert await store.async_fuzzy_plates("AB12CDF", 1) == ["AB12CDE"]
    await store.async_close()
