"""List and history actions through a real hub (test_push kind): what a user sees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.anpr.const import DOMAIN
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.protocols.models import (
    CameraListVerdict,
    Direction,
    ImageRole,
    PlateRead,
    ReadImage,
)
from tools.emulators.milesight_tcp import fake_jpeg

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub

# A real picture: ones that do not decode are dropped by the validation step.
JPEG = fake_jpeg(64, 48)
T0 = datetime(2025, 6, 3, 9, 30, tzinfo=UTC)  # a Tuesday, 10:30 in London


@pytest.fixture(autouse=True)
def _recorded_reads(camera_clock: Callable[[datetime], None]) -> None:
    """Reads here carry recorded capture times (June 2025): they arrive a day later, inside the
    camera-clock window of the validation step."""
    camera_clock(T0 + timedelta(days=1))


async def _hub(hass: HomeAssistant, **options: Any) -> tuple[MockConfigEntry, PlateEvents]:
    await hass.config.async_update(time_zone="Europe/London", country="GB")
    entry = await async_setup_hub(hass, options)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Drive"})
    return entry, PlateEvents(hass)


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=service not in (
            "add_plate", "remove_plate")
    )


async def _read(hass: HomeAssistant, events: PlateEvents, plate: str, when: datetime,
                **kw: Any) -> dict[str, Any]:
    count = len(events.events)
    kinds.RUNNING["Drive"].push(PlateRead(plate=plate, time=when, **kw))
    await events.wait(count + 1)
    await hass.async_block_till_done()
    return events.events[-1]


async def test_add_plate_applies_to_next_read(hass: HomeAssistant) -> None:
    _entry, events = await _hub(hass)
    first = await _read(hass, events, "AB12CDE", T0)
    assert first["event_type"] == "unknown"
    await _call(hass, "add_plate", {"plate": "ab12 cde", "group": "Allowed",
                                     "description": "Alice", "aliases": ["AB12C0E"]})
    second = await _read(hass, events, "AB12C0E", T0 + timedelta(minutes=1))
    assert second["event_type"] == "known"
    assert second["matched_by"] == "alias" and second["description"] == "Alice"
    # Fuzzy (distance 1 by default) and the reason say why.
    third = await _read(hass, events, "AB12CDF", T0 + timedelta(minutes=2))
    assert third["matched_by"] == "fuzzy" and "distance 1" in third["reason"]
    # Format fix for UK plates (HA country GB): 8 at a letter position is a B.
    fourth = await _read(hass, events, "A8I2CDE", T0 + timedelta(minutes=3))
    assert fourth["plate"] == "AB12CDE" and fourth["matched_by"] == "exact"
    assert fourth["corrections"] == ["format uk_current: A8I2CDE => AB12CDE"]
    await _call(hass, "remove_plate", {"plate": "AB12CDE"})
    fifth = await _read(hass, events, "AB12CDE", T0 + timedelta(minutes=4))
    assert fifth["event_type"] == "unknown"


async def test_add_plate_validity_and_camera_scope(hass: HomeAssistant) -> None:
    entry, events = await _hub(hass)
    await _call(hass, "add_plate", {"plate": "CL34NER", "group": "allowed",
                                     "validity": "Tue 09:00-12:00", "cameras": ["Drive"]})
    inside = await _read(hass, events, "CL34NER", T0)
    assert inside["event_type"] == "known"
    outside = await _read(hass, events, "CL34NER", T0 + timedelta(days=1))
    assert outside["event_type"] == "unknown"
    assert "outside its validity window" in outside["reason"]
    stored = entry.runtime_data.lists.lists.get("CL34NER", "allowed")
    assert stored is not None and stored.cameras == [next(iter(entry.subentries))]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"plate": "--", "group": "allowed"}, "invalid_plate"),
        ({"plate": "AB12CDE", "group": "nope"}, "unknown_group"),
        ({"plate": "AB12CDE", "validity": "Funday"}, "invalid_validity"),
        ({"plate": "AB12CDE", "rules": ["AB("]}, "invalid_rule"),
        ({"plate": "AB12CDE", "cameras": ["Garage"]}, "unknown_camera"),
    ],
)
async def test_add_plate_errors_are_translated(
    hass: HomeAssistant, data: dict[str, Any], key: str
) -> None:
    await _hub(hass)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "add_plate", data)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


async def test_import_csv_reports_bad_rows_keeps_good(hass: HomeAssistant, tmp_path: Path) -> None:
    entry, events = await _hub(hass)
    csv_text = (
        "plate,group,description,validity\n"
        "AB12CDE,Allowed,Alice,\n"
        ",Allowed,no plate,\n"
        "XY51ZZZ,Stolen cars,unknown group,\n"
        "CL34NER,allowed,Cleaner,Funday 09:00-12:00\n"
        "KL12MNO,alert,Bad guy,Mon-Sun\n"
        "ZZ99ZZZ,,default group,\n"
    )
    result = await _call(hass, "import_plates", {"csv": csv_text, "group": "ignored"})
    assert result["added"] == 3
    assert [(r["line"], r["error"]) for r in result["rejected"]] == [
        (3, "empty_plate"), (4, "unknown_group"), (5, "invalid_validity")]  # fmt: skip
    lists = entry.runtime_data.lists.lists
    assert lists.get("ZZ99ZZZ", "ignored") is not None
    alert = await _read(hass, events, "KL12MNO", T0)
    assert alert["event_type"] == "alert"

    # From a file in an allowed folder, and export round trip.
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    (tmp_path / "in.csv").write_text("QQ11QQQ,allowed,From file,Mon-Fri 08:00-18:00\n")
    result = await _call(hass, "import_plates", {"path": str(tmp_path / "in.csv")})
    assert result == {"added": 1, "rejected": []}
    exported = await _call(hass, "export_plates", {"path": str(tmp_path / "out.csv")})
    assert "QQ11QQQ,Allowed,From file,\"Mon,Tue,Wed,Thu,Fri 08:00-18:00\"" in exported["csv"]
    assert (tmp_path / "out.csv").read_text() == exported["csv"]
    assert {p["plate"] for p in exported["plates"]} == {"AB12CDE", "KL12MNO", "ZZ99ZZZ",
                                                        "QQ11QQQ"}  # fmt: skip
    only_alert = await _call(hass, "export_plates", {"group": "alert"})
    assert [p["plate"] for p in only_alert["plates"]] == ["KL12MNO"]
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "export_plates", {"path": "/etc/passwd"})
    assert err.value.translation_key == "path_not_allowed"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "import_plates", {})
    assert err.value.translation_key == "import_needs_input"


async def test_search_export_purge_sightings(hass: HomeAssistant, tmp_path: Path) -> None:
    _entry, events = await _hub(hass)
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    await _read(hass, events, "AB12CDE", T0)
    await _read(hass, events, "AB12CDE", T0 + timedelta(hours=1))
    await _read(hass, events, "AB12CDF", T0 + timedelta(hours=2))  # fuzzy -> listed
    await _read(hass, events, "XY51ZZZ", T0 + timedelta(hours=3))
    await _read(hass, events, "XY51ZZA", T0 + timedelta(hours=4))

    exact = await _call(hass, "search_sightings", {"plate": "ab12 cde"})
    assert exact["count"] == 2
    assert exact["plate"]["count"] == 2 and sum(exact["plate"]["hours"]) == 2
    assert exact["plate"]["hours"][10] == 1 and exact["plate"]["hours"][11] == 1  # London
    fuzzy = await _call(hass, "search_sightings", {"plate": "AB12CDE", "fuzzy": 1})
    assert fuzzy["count"] == 3
    pattern = await _call(hass, "search_sightings", {"plate": "XY51*"})
    assert [s["plate"] for s in pattern["sightings"]] == ["XY51ZZA", "XY51ZZZ"]
    one_char = await _call(hass, "search_sightings", {"plate": "XY51ZZ?"})
    assert one_char["count"] == 2
    by_list = await _call(hass, "search_sightings", {"list": "allowed"})
    assert by_list["count"] == 3
    by_category = await _call(hass, "search_sightings", {"category": "allowed", "limit": 1})
    assert by_category["count"] == 1 and by_category["sightings"][0]["plate"] == "AB12CDF"
    window = await _call(hass, "search_sightings", {
        "start": (T0 + timedelta(minutes=30)).isoformat(),
        "end": (T0 + timedelta(hours=3)).isoformat(), "camera": "Drive"})
    assert [s["plate"] for s in window["sightings"]] == ["AB12CDF", "AB12CDE"]

    hass.config.allowlist_external_dirs = {str(tmp_path)}
    out = await _call(hass, "export_sightings", {"path": str(tmp_path / "s.csv"),
                                                  "plate": "XY51*"})
    assert out["rows"] == 2
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0].startswith("time,plate,read_plate,camera")
    assert len(lines) == 3
    with pytest.raises(ServiceValidationError):
        await _call(hass, "export_sightings", {"path": "/root/x.csv"})

    purged = await _call(hass, "purge_sightings", {"plate": "AB12CDE"})
    assert purged == {"deleted": 2}
    assert (await _call(hass, "search_sightings", {"plate": "AB12CDE"}))["count"] == 0
    # Counts restart for a purged plate.
    again = await _read(hass, events, "AB12CDE", T0 + timedelta(hours=5))
    assert again["previous_sightings"] == 0
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "purge_sightings", {})
    assert err.value.translation_key == "purge_needs_filter"
    # Age: everything older than 0 days (all of it, T0 is in the past).
    purged = await _call(hass, "purge_sightings", {"older_than_days": 0})
    assert purged["deleted"] == 4


async def test_retention_purge_daily_and_saved_pictures(
    hass: HomeAssistant, tmp_path: Path, camera_clock: Callable[[datetime], None]
) -> None:
    hass.config.media_dirs = {"local": str(tmp_path / "media")}
    _entry, events = await _hub(hass, retention_days=30, save_images=True)
    now = dt_util.utcnow()
    camera_clock(now - timedelta(days=40))  # the old read arrived 40 days ago
    old = await _read(hass, events, "AB12CDE", now - timedelta(days=40),
                      images=[ReadImage(JPEG, role=ImageRole.FULL)])
    camera_clock(now)
    await _read(hass, events, "XY51ZZZ", now - timedelta(days=1), direction=Direction.IN,
                images=[ReadImage(JPEG, role=ImageRole.FULL)])
    await hass.async_block_till_done()
    saved = sorted((tmp_path / "media" / "anpr").rglob("*.jpg"))
    assert len(saved) == 2 and saved[0].read_bytes() == JPEG
    rows = (await _call(hass, "search_sightings", {}))["sightings"]
    assert all(r["image_path"] for r in rows)
    assert old["plate"] == "AB12CDE"

    # The daily purge (03:17 local) removes the 40-day-old sighting and its picture.
    async_fire_time_changed(hass, dt_util.now().replace(hour=3, minute=17, second=0)
                            + timedelta(days=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    rows = (await _call(hass, "search_sightings", {}))["sightings"]
    assert [r["plate"] for r in rows] == ["XY51ZZZ"]
    left = sorted((tmp_path / "media" / "anpr").rglob("*.jpg"))
    assert len(left) == 1 and "XY51ZZZ" in left[0].name


async def test_diagnostics_have_counts_not_plates(hass: HomeAssistant) -> None:
    entry, events = await _hub(hass)
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    await _read(hass, events, "AB12CDE", T0)
    diag = await async_get_config_entry_diagnostics(hass, entry)
    assert diag["history"] == {"sightings": 1, "plates": 1}
    assert diag["lists"]["entries"] == 1
    assert "AB12CDE" not in repr(diag)


async def test_retention_zero_keeps_nothing(hass: HomeAssistant, tmp_path: Path) -> None:
    hass.config.media_dirs = {"local": str(tmp_path / "media")}
    _entry, events = await _hub(hass, retention_days=0, save_images=True)
    await _read(hass, events, "AB12CDE", T0, images=[ReadImage(JPEG, role=ImageRole.FULL)])
    second = await _read(hass, events, "AB12CDE", T0 + timedelta(minutes=5))
    assert second["previous_sightings"] == 0
    assert (await _call(hass, "search_sightings", {}))["count"] == 0
    assert not list((tmp_path / "media").rglob("*.jpg"))


async def test_camera_verdict_is_the_fallback(hass: HomeAssistant) -> None:
    _entry, events = await _hub(hass)
    camera_alert = await _read(hass, events, "XY51ZZZ", T0, camera_list=CameraListVerdict.ALERT,
                               camera_list_name="Blocklist")
    assert camera_alert["event_type"] == "alert" and camera_alert["matched_by"] == "camera"
    assert camera_alert["list"] == "Blocklist"
    # Our own list wins over the camera's verdict.
    await _call(hass, "add_plate", {"plate": "XY51ZZZ", "group": "allowed"})
    ours = await _read(hass, events, "XY51ZZZ", T0 + timedelta(minutes=1),
                       camera_list=CameraListVerdict.ALERT)
    assert ours["event_type"] == "known" and ours["matched_by"] == "exact"
