"""Privacy mode end to end: hashed history, search by plate, background rewrite, purge.

Real hub and SQLite history; the database file is opened directly to check that no unlisted
plate is left in the clear anywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
import sqlite3
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.anpr.const import DATA_PRIVACY_SECRET, DOMAIN
from custom_components.anpr.core.privacy import PlateHasher
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.protocols.models import Direction, ImageRole, PlateRead, ReadImage
from custom_components.anpr.site import REWRITE_BATCH
from tools.emulators.milesight_tcp import fake_jpeg

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub

T0 = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
REWRITE = "sensor.anpr_site_privacy_rewrite"


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=service != "add_plate"
    )


async def _read(
    hass: HomeAssistant, events: PlateEvents, plate: str, when: datetime, **kw: Any
) -> dict[str, Any]:
    count = len(events.events)
    kinds.RUNNING["Gate"].push(PlateRead(plate=plate, time=when, **kw))
    await events.wait(count + 1)
    await hass.async_block_till_done()
    return events.events[-1]


def _dump(path: Path) -> str:
    """Every text value of the history database (sightings, visits, stats, profiles)."""
    db = sqlite3.connect(path)
    try:
        return repr([
            db.execute(f"SELECT * FROM {table}").fetchall()
            for table in ("sightings", "visits", "plate_stats", "plate_profile")
        ])  # fmt: skip
    finally:
        db.close()


async def _enable_privacy(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    hass.config_entries.async_update_entry(entry, options={**entry.options, "privacy_mode": True})
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_privacy_mode_end_to_end(
    hass: HomeAssistant, isolated_history: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Switch on: history rewritten; new reads hashed; search, visits and classes work."""
    caplog.set_level(logging.DEBUG)
    hass.config.media_dirs = {"local": str(tmp_path / "media")}
    await hass.config.async_update(time_zone="Europe/London", country="GB")
    entry = await async_setup_hub(hass, {"save_images": True, "visit_timeout": 0})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    events = PlateEvents(hass)
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    jpeg = fake_jpeg(64, 48)  # a real picture (ones that do not decode are not kept)
    await _read(hass, events, "XY51ZZZ", T0, direction=Direction.IN,
                images=[ReadImage(jpeg, role=ImageRole.FULL)])  # fmt: skip
    await _read(hass, events, "AB12CDE", T0 + timedelta(minutes=1))
    await hass.async_block_till_done()
    assert "XY51ZZZ" in _dump(isolated_history)
    assert any("XY51ZZZ" in p.name for p in (tmp_path / "media").rglob("*.jpg"))
    assert hass.states.get(REWRITE) is None  # no privacy sensor while the mode is off

    await _enable_privacy(hass, entry)
    secret = entry.data[DATA_PRIVACY_SECRET]
    hashed = PlateHasher(secret).hash("XY51ZZZ")
    dump = _dump(isolated_history)
    assert "XY51ZZZ" not in dump  # rewritten in the background
    assert hashed in dump
    assert "AB12CDE" in dump  # listed plates stay in the clear
    pictures = list((tmp_path / "media").rglob("*.jpg"))
    assert len(pictures) == 1 and "XY51ZZZ" not in pictures[0].name
    assert float(hass.states.get(REWRITE).state) == 100.0

    # Searching by the plate hashes the query.
    found = await _call(hass, "search_sightings", {"plate": "XY51ZZZ"})
    assert found["count"] == 1 and found["sightings"][0]["plate"] == hashed
    assert found["sightings"][0]["read_plate"] is None
    assert found["sightings"][0]["image_path"] == str(pictures[0])
    assert found["plate"]["count"] == 1
    visits = await _call(hass, "search_visits", {"plate": "XY51ZZZ"})
    assert visits["count"] == 1 and visits["visits"][0]["plate"] == hashed

    # A new read: the live event has the plate, the history only the hash; counts go on.
    events = PlateEvents(hass)
    again = await _read(hass, events, "XY51ZZZ", T0 + timedelta(days=1), direction=Direction.OUT)
    assert again["plate"] == "XY51ZZZ"
    assert again["previous_sightings"] == 1
    assert again["visitor_class"] == "occasional"
    assert again["visit_action"] == "closed" and again["dwell_s"] == 86400
    assert "XY51ZZZ" not in _dump(isolated_history)

    # Diagnostics and logs never carry the secret.
    diag = await async_get_config_entry_diagnostics(hass, entry)
    assert secret not in repr(diag)
    assert diag["visits"]["hashed_plates"] == 1
    assert diag["data"]["site"]["privacy_mode"] is True
    assert secret not in caplog.text

    # Purge everything about the plate: sightings, visits, picture, thumbnail, stats, profile.
    result = await _call(hass, "purge_plate", {"plate": "XY51ZZZ"})
    assert result == {
        "sightings": 2,
        "visits": 1,
        "pictures": 1,
        "thumbnails": 1,
        "misreads": 0,
    }
    assert hashed not in _dump(isolated_history)
    assert list((tmp_path / "media").rglob("*.jpg")) == []
    assert (await _call(hass, "search_visits", {"plate": "XY51ZZZ"}))["count"] == 0
    assert (await _call(hass, "search_sightings", {"plate": "AB12CDE"}))["count"] == 1
    fresh = await _read(hass, events, "XY51ZZZ", T0 + timedelta(days=2))
    assert fresh["previous_sightings"] == 0 and fresh["visitor_class"] == "first_time"


async def test_rewrite_runs_in_batches_with_progress(
    hass: HomeAssistant, isolated_history: Path
) -> None:
    """More plates than one batch: the progress sensor reaches 100 %, nothing stays clear."""
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    history = entry.runtime_data.history
    from custom_components.anpr.core.history import SightingRow  # noqa: PLC0415

    rows = [
        SightingRow(plate=f"ZZ{n:05d}", time=T0 + timedelta(seconds=n), camera_id="x")
        for n in range(REWRITE_BATCH + 50)
    ]
    await history.async_run(history.history.record_many, rows)
    seen: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: seen.append(event.data["new_state"].state)
        if event.data["entity_id"] == REWRITE and event.data["new_state"] else None,
    )
    await _enable_privacy(hass, entry)
    assert hass.states.get(REWRITE).state == "100.0"
    assert "ZZ00001" not in _dump(isolated_history)
    assert any(0 < float(s) < 100 for s in seen)  # a batch boundary was reported
    assert (await _call(hass, "search_sightings", {"plate": "ZZ00001"}))["count"] == 1
    # Turning the mode off does not bring plates back; turning it on again reuses the secret.
    secret = entry.data[DATA_PRIVACY_SECRET]
    hass.config_entries.async_update_entry(entry, options={"privacy_mode": False})
    await hass.async_block_till_done(wait_background_tasks=True)
    hass.config_entries.async_update_entry(entry, options={"privacy_mode": True})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.data[DATA_PRIVACY_SECRET] == secret
    assert (await _call(hass, "search_sightings", {"plate": "ZZ00001"}))["count"] == 1


async def test_plate_leaving_the_lists_is_hashed_at_the_next_start(
    hass: HomeAssistant, isolated_history: Path
) -> None:
    entry = await async_setup_hub(hass, {"privacy_mode": True})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    events = PlateEvents(hass)
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    await _read(hass, events, "AB12CDE", T0)
    assert "AB12CDE" in _dump(isolated_history)
    await hass.services.async_call(DOMAIN, "remove_plate", {"plate": "AB12CDE"}, blocking=True)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "AB12CDE" not in _dump(isolated_history)
    assert (await _call(hass, "search_sightings", {"plate": "AB12CDE"}))["count"] == 1
