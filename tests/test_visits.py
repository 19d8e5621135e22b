"""Visits, dwell time, vehicles on site, misreads and unreadable reads, as a user sees them.

Real hub, real cameras (the in-process test kind), the real SQLite history; time is moved with
freezegun (``freezer``) and ``async_fire_time_changed``, never slept.
"""

from __future__ import annotations

from collections.abc import Callable
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.anpr.const import DOMAIN
from custom_components.anpr.core.history import SCHEMA
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.logbook import describe_plate_read
from custom_components.anpr.protocols.models import Direction, PlateRead
from tools.emulators.milesight_tcp import fake_jpeg

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub, start_camera_reconfigure

T0 = datetime(2026, 11, 30, 9, 12, tzinfo=UTC)
ON_SITE = "sensor.anpr_site_vehicles_on_site"


@pytest.fixture(autouse=True)
def _reads_arrive_at_t0(camera_clock: Callable[[datetime], None]) -> None:
    """Reads taken around T0 arrive then: the camera-clock check keeps their time."""
    camera_clock(T0)


async def _hub(
    hass: HomeAssistant, cameras: dict[str, dict[str, Any]], **options: Any
) -> tuple[MockConfigEntry, PlateEvents]:
    await hass.config.async_update(time_zone="Europe/London", country="GB")
    entry = await async_setup_hub(hass, options)
    for name, data in cameras.items():
        await async_add_camera(hass, entry, kinds.KIND, {"name": name, "stream": True, **data})
    return entry, PlateEvents(hass)


async def _read(
    hass: HomeAssistant, events: PlateEvents, camera: str, plate: str, when: datetime, **kw: Any
) -> dict[str, Any]:
    count = len(events.events)
    kinds.RUNNING[camera].push(PlateRead(plate=plate, time=when, **kw))
    await events.wait(count + 1)
    await hass.async_block_till_done()
    return events.events[-1]


async def _push(hass: HomeAssistant, camera: str, plate: str, when: datetime, **kw: Any) -> None:
    kinds.RUNNING[camera].push(PlateRead(plate=plate, time=when, **kw))
    await hass.async_block_till_done()


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True,
        return_response=service not in ("add_plate",),
    )  # fmt: skip


def _on_site(hass: HomeAssistant) -> int:
    return int(hass.states.get(ON_SITE).state)


async def test_entry_and_exit_cameras_give_a_visit_with_dwell(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """Entry camera opens, repeat reads add, exit camera closes with the dwell time."""
    _entry, events = await _hub(
        hass, {"Gate in": {"camera_role": "entry"}, "Gate out": {"camera_role": "exit"}}
    )
    assert _on_site(hass) == 0
    arrived = await _read(hass, events, "Gate in", "AB12CDE", T0)
    assert arrived["visit_action"] == "opened"
    assert arrived["visit_started"] == T0.isoformat()
    assert arrived["dwell_s"] is None
    assert _on_site(hass) == 1
    # Seen again at the entry camera an hour later (outside the repeat window): same visit.
    again = await _read(hass, events, "Gate in", "AB12CDE", T0 + timedelta(hours=1))
    assert again["visit_action"] == "continued"
    assert again["visit_id"] == arrived["visit_id"]
    left = await _read(hass, events, "Gate out", "AB12CDE", T0 + timedelta(minutes=88))
    assert left["visit_action"] == "closed"
    assert left["visit_id"] == arrived["visit_id"]
    assert left["dwell_s"] == 88 * 60
    assert _on_site(hass) == 0
    state = hass.states.get("sensor.gate_out_last_plate")
    assert state.attributes["dwell_s"] == 88 * 60

    found = await _call(hass, "search_visits", {"plate": "AB12CDE"})
    assert found["count"] == 1
    visit = found["visits"][0]
    assert visit["status"] == "closed"
    assert visit["entry_camera"] == "Gate in" and visit["exit_camera"] == "Gate out"
    assert visit["reads"] == 3 and visit["dwell_s"] == 5280.0
    assert found["plate"]["visitor_class"] == "first_time"

    hass.config.allowlist_external_dirs = {str(tmp_path)}
    out = await _call(hass, "export_visits", {"path": str(tmp_path / "v.csv")})
    assert out["rows"] == 1
    rows = list(csv.DictReader((tmp_path / "v.csv").open()))
    assert rows[0]["plate"] == "AB12CDE" and rows[0]["dwell_s"] == "5280.0"
    assert rows[0]["entry_camera"] == "Gate in" and rows[0]["status"] == "closed"
    with pytest.raises(ServiceValidationError):
        await _call(hass, "export_visits", {"path": "/root/v.csv"})


async def test_one_camera_with_direction(hass: HomeAssistant) -> None:
    """A ``both`` camera uses the read's direction; pass-by cameras make no visits."""
    _entry, events = await _hub(hass, {"Drive": {}, "Road": {"camera_role": "pass_by"}})
    first = await _read(hass, events, "Drive", "KL12MNO", T0, direction=Direction.IN)
    assert first["visit_action"] == "opened"
    road = await _read(hass, events, "Road", "KL12MNO", T0 + timedelta(minutes=5))
    assert road["visit_id"] is None and road["visit_action"] is None
    seen = await _read(hass, events, "Drive", "KL12MNO", T0 + timedelta(minutes=10))
    assert seen["visit_action"] == "continued"  # no direction: seen on site
    out = await _read(hass, events, "Drive", "KL12MNO", T0 + timedelta(minutes=30),
                      direction=Direction.OUT)  # fmt: skip
    assert out["visit_action"] == "closed" and out["dwell_s"] == 1800
    # A camera swapped round (direction mode) still closes the right way.
    visits = (await _call(hass, "search_visits", {"camera": "Drive"}))["visits"]
    assert [v["status"] for v in visits] == ["closed"]


async def test_exit_without_entry(hass: HomeAssistant) -> None:
    _entry, events = await _hub(hass, {"Out": {"camera_role": "exit"}})
    left = await _read(hass, events, "Out", "XY51ZZZ", T0)
    assert left["visit_action"] == "exit_without_entry"
    assert left["visit_started"] is None and left["dwell_s"] is None
    assert _on_site(hass) == 0
    visits = (await _call(hass, "search_visits", {"status": "exit_only"}))["visits"]
    assert len(visits) == 1 and visits[0]["started"] is None
    assert visits[0]["ended"] == T0.isoformat()


async def test_timeout_closes_a_visit_across_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A visit left open survives a reload and closes as "no exit seen" after the timeout."""
    freezer.move_to(T0)
    entry, events = await _hub(hass, {"In": {"camera_role": "entry"}}, visit_timeout=2)
    await _read(hass, events, "In", "AB12CDE", T0)
    await _read(hass, events, "In", "AB12CDE", T0 + timedelta(minutes=30))
    assert _on_site(hass) == 1

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _on_site(hass) == 1  # reloaded from the history
    freezer.tick(timedelta(hours=2, minutes=29))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _on_site(hass) == 1  # 1 h 59 min after the last read
    freezer.tick(timedelta(minutes=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _on_site(hass) == 0
    visit = (await _call(hass, "search_visits", {"plate": "AB12CDE"}))["visits"][0]
    assert visit["status"] == "no_exit"
    assert visit["ended"] == (T0 + timedelta(minutes=30)).isoformat()
    assert visit["dwell_s"] == 1800 and visit["reads"] == 2
    # Next arrival opens a new visit.
    events = PlateEvents(hass)
    again = await _read(hass, events, "In", "AB12CDE", T0 + timedelta(hours=5))
    assert again["visit_action"] == "opened" and again["visit_id"] != visit["id"]


async def test_late_read_after_timeout_starts_a_new_visit(hass: HomeAssistant) -> None:
    """A read arriving after the timeout closes the stale visit itself (no sweep needed)."""
    _entry, events = await _hub(hass, {"Drive": {}}, visit_timeout=1)
    first = await _read(hass, events, "Drive", "AB12CDE", T0, direction=Direction.IN)
    second = await _read(hass, events, "Drive", "AB12CDE", T0 + timedelta(hours=3),
                         direction=Direction.IN)  # fmt: skip
    assert second["visit_action"] == "opened" and second["visit_id"] != first["visit_id"]
    visits = (await _call(hass, "search_visits", {"plate": "AB12CDE"}))["visits"]
    assert [v["status"] for v in visits] == ["open", "no_exit"]


async def test_misreads_merge_into_one_sighting(hass: HomeAssistant) -> None:
    """Same camera, inside the window, one look-alike apart: one sighting, best reading."""
    _entry, events = await _hub(hass, {"Gate": {}})
    first = await _read(hass, events, "Gate", "AB12CDF", T0, confidence=0.7)
    await _push(hass, "Gate", "AB12CDE", T0 + timedelta(seconds=1), confidence=0.93)
    await _push(hass, "Gate", "AB12CDE", T0 + timedelta(seconds=2), confidence=0.9)
    assert len(events.events) == 1
    attrs = hass.states.get("sensor.gate_last_plate").attributes
    assert hass.states.get("sensor.gate_last_plate").state == "AB12CDE"
    assert attrs["alternatives"] == {"AB12CDF": 1}
    assert attrs["reads"] == 3
    stored = (await _call(hass, "search_sightings", {}))["sightings"]
    assert [(s["plate"], s["alternatives"], s["id"]) for s in stored] == [
        ("AB12CDE", {"AB12CDF": 1}, first["id"])
    ]
    visits = (await _call(hass, "search_visits", {"plate": "AB12CDE"}))["visits"]
    assert len(visits) == 1  # the visit moved with the better reading


async def test_listed_reading_wins_a_merge(hass: HomeAssistant) -> None:
    _entry, events = await _hub(hass, {"Gate": {}}, fuzzy_distance=0)
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    first = await _read(hass, events, "Gate", "AB12CDF", T0, confidence=0.95)
    assert first["event_type"] == "unknown"
    await _push(hass, "Gate", "AB12CDE", T0 + timedelta(seconds=2), confidence=0.5)
    state = hass.states.get("sensor.gate_last_plate")
    assert state.state == "AB12CDE"
    assert state.attributes["category"] == "allowed"
    assert state.attributes["alternatives"] == {"AB12CDF": 1}


async def test_reads_that_must_not_merge(hass: HomeAssistant) -> None:
    """Other camera, outside the window, unlike characters, two listed plates: separate."""
    _entry, events = await _hub(hass, {"Gate": {}, "Yard": {}})
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    await _call(hass, "add_plate", {"plate": "AB12CDF", "group": "Allowed"})
    await _read(hass, events, "Gate", "XY51ZZZ", T0)
    await _read(hass, events, "Yard", "XY51ZZ2", T0 + timedelta(seconds=1))  # other camera
    await _read(hass, events, "Gate", "XY51ZZ2", T0 + timedelta(seconds=30))  # outside window
    await _read(hass, events, "Gate", "RP01AAA", T0 + timedelta(minutes=5))
    await _read(hass, events, "Gate", "RP02AAA", T0 + timedelta(minutes=5, seconds=1))
    await _read(hass, events, "Gate", "AB12CDE", T0 + timedelta(minutes=9))
    await _read(hass, events, "Gate", "AB12CDF", T0 + timedelta(minutes=9, seconds=1))
    assert events.plates == [
        "XY51ZZZ", "XY51ZZ2", "XY51ZZ2", "RP01AAA", "RP02AAA", "AB12CDE", "AB12CDF"
    ]
    assert all(not e["alternatives"] for e in events.events)


async def test_confirmed_reading_is_learnt_per_camera(hass: HomeAssistant) -> None:
    """"This was AB12CDE": the stored sighting is fixed and the misread learnt on that camera."""
    _entry, events = await _hub(hass, {"Gate": {}, "Yard": {}})
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    misread = await _read(hass, events, "Gate", "XB12CJE", T0)
    assert misread["event_type"] == "unknown"
    result = await _call(hass, "confirm_reading",
                         {"plate": "AB12CDE", "sighting_id": misread["id"]})  # fmt: skip
    assert result == {"plate": "AB12CDE", "learnt": "XB12CJE", "camera": "Gate",
                      "sighting_updated": True}  # fmt: skip
    stored = (await _call(hass, "search_sightings", {"plate": "AB12CDE"}))["sightings"]
    assert [s["id"] for s in stored] == [misread["id"]]
    learnt = await _read(hass, events, "Gate", "XB12CJE", T0 + timedelta(hours=1))
    assert learnt["plate"] == "AB12CDE" and learnt["event_type"] == "known"
    assert learnt["previous_sightings"] == 1
    other = await _read(hass, events, "Yard", "XB12CJE", T0 + timedelta(hours=2))
    assert other["plate"] == "XB12CJE" and other["event_type"] == "unknown"
    # Without a sighting: the text and camera are given.
    result = await _call(hass, "confirm_reading",
                         {"plate": "AB12CDE", "read_plate": "AB12COE", "camera": "Yard"})
    assert result["learnt"] == "AB12COE" and result["sighting_updated"] is False
    for bad, key in (
        ({"plate": "ZZ99ZZZ", "read_plate": "ZZ99ZZ2"}, "plate_not_listed"),
        ({"plate": "AB12CDE"}, "reading_needed"),
        ({"plate": "AB12CDE", "sighting_id": "nope"}, "unknown_sighting"),
        ({"plate": "AB12CDE", "read_plate": "--"}, "invalid_plate"),
        ({"plate": "--"}, "invalid_plate"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, "confirm_reading", bad)
        assert err.value.translation_key == key


async def test_learnt_misreads_survive_a_restart(hass: HomeAssistant) -> None:
    entry, events = await _hub(hass, {"Gate": {}})
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    await _call(hass, "confirm_reading", {"plate": "AB12CDE", "read_plate": "XB12CJE"})
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    read = await _read(hass, events, "Gate", "XB12CJE", T0)
    assert read["plate"] == "AB12CDE"
    assert read["corrections"] == ["learnt misread: XB12CJE => AB12CDE"]


async def test_unreadable_event_only_where_turned_on(hass: HomeAssistant) -> None:
    _entry, events = await _hub(
        hass, {"Gate": {"unreadable_events": True}, "Yard": {}}
    )
    await _read(hass, events, "Gate", "AB12CDE", T0)
    unreadable = await _read(hass, events, "Gate", "", T0 + timedelta(minutes=1))
    assert unreadable["event_type"] == "unreadable" and unreadable["plate"] == ""
    assert describe_plate_read(unreadable) == "saw a vehicle without a readable plate"
    state = hass.states.get("event.gate_plate")
    assert state.attributes["event_type"] == "unreadable"
    assert hass.states.get("sensor.gate_last_plate").state == "AB12CDE"
    # One per repeat window, and none from a camera that did not ask for them.
    await _push(hass, "Gate", "", T0 + timedelta(minutes=1, seconds=3))
    await _push(hass, "Yard", "", T0 + timedelta(minutes=2))
    assert len(events.events) == 2
    assert (await _call(hass, "search_sightings", {}))["count"] == 1


async def test_existing_database_upgrades_in_place(
    hass: HomeAssistant, isolated_history: Path
) -> None:
    """A version-1 history (before visits) opens, keeps its sightings and gains classes."""
    db = sqlite3.connect(isolated_history)
    db.executescript(SCHEMA)
    for days in (15, 8, 1):
        ts = (T0 - timedelta(days=days)).timestamp()
        db.execute(
            "INSERT INTO sightings (plate, ts, camera_id, camera) VALUES ('AB12CDE', ?, 'x', 'Old')",
            (ts,),
        )
    db.execute(
        "INSERT INTO plate_stats VALUES ('AB12CDE', 3, ?, ?, 'Old')",
        ((T0 - timedelta(days=15)).timestamp(), (T0 - timedelta(days=1)).timestamp()),
    )
    db.commit()
    db.close()
    _entry, events = await _hub(hass, {"Gate": {}})
    read = await _read(hass, events, "Gate", "AB12CDE", T0)
    assert read["previous_sightings"] == 3
    assert read["visitor_class"] == "weekly"
    assert (await _call(hass, "search_sightings", {"plate": "AB12CDE"}))["count"] == 4
    db = sqlite3.connect(isolated_history)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 3  # visits (2), panel (3)
    db.close()


async def test_diagnostics_count_visits(hass: HomeAssistant) -> None:
    entry, events = await _hub(hass, {"Gate": {"camera_role": "entry"}})
    await _read(hass, events, "Gate", "AB12CDE", T0)
    diag = await async_get_config_entry_diagnostics(hass, entry)
    assert diag["visits"] == {"visits": 1, "open_visits": 1, "hashed_plates": 0}
    assert diag["data"]["site"]["on_site"] == 1
    assert diag["data"]["site"]["visit_timeout_h"] == 12
    assert "AB12CDE" not in repr(diag)


async def test_visit_and_picture_retention(
    hass: HomeAssistant, tmp_path: Path, camera_clock: Callable[[datetime], None]
) -> None:
    """Visits and pictures have their own retention; sightings keep theirs."""
    from custom_components.anpr.protocols.models import ImageRole, ReadImage  # noqa: PLC0415

    hass.config.media_dirs = {"local": str(tmp_path / "media")}
    now = dt_util.utcnow()
    _entry, events = await _hub(
        hass, {"Gate": {"camera_role": "exit"}}, retention_days=60, visit_retention_days=10,
        picture_retention_days=5, save_images=True,
    )  # fmt: skip
    jpeg = fake_jpeg(64, 48)  # a real picture (ones that do not decode are not kept)
    camera_clock(now - timedelta(days=20))  # each old read arrived when it was taken
    await _read(hass, events, "Gate", "AB12CDE", now - timedelta(days=20),
                images=[ReadImage(jpeg, role=ImageRole.FULL)])  # fmt: skip
    camera_clock(now - timedelta(days=7))
    await _read(hass, events, "Gate", "XY51ZZZ", now - timedelta(days=7),
                images=[ReadImage(jpeg, role=ImageRole.FULL)])  # fmt: skip
    await hass.async_block_till_done()
    assert len(list((tmp_path / "media").rglob("*.jpg"))) == 2
    async_fire_time_changed(hass, dt_util.now().replace(hour=3, minute=17, second=0)
                            + timedelta(days=1))  # fmt: skip
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (await _call(hass, "search_sightings", {}))["count"] == 2
    visits = (await _call(hass, "search_visits", {}))["visits"]
    assert [v["plate"] for v in visits] == ["XY51ZZZ"]
    assert list((tmp_path / "media").rglob("*.jpg")) == []
    rows = (await _call(hass, "search_sightings", {}))["sightings"]
    assert all(r["image_path"] is None for r in rows)


async def test_history_locked_while_merging_sweeping_and_rewriting(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    isolated_history: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another process holds the history's write lock: merges, timeouts and the privacy
    rewrite each log one line and carry on; nothing crashes and no read is lost."""
    freezer.move_to(T0)
    entry, events = await _hub(hass, {"Gate": {"camera_role": "entry"}}, visit_timeout=1)
    await _read(hass, events, "Gate", "AB12CDF", T0, confidence=0.6)
    other = sqlite3.connect(isolated_history, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN EXCLUSIVE")
        await _push(hass, "Gate", "AB12CDE", T0 + timedelta(seconds=1), confidence=0.9)
        assert hass.states.get("sensor.gate_last_plate").state == "AB12CDE"
        assert "Could not update a merged sighting in the history" in caplog.text
        freezer.tick(timedelta(hours=1, minutes=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        assert _on_site(hass) == 0
        assert "Could not store 1 timed-out visits" in caplog.text
        hass.config_entries.async_update_entry(
            entry, options={**entry.options, "privacy_mode": True}
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        assert "the history rewrite stopped; it resumes at start" in caplog.text
    finally:
        other.execute("ROLLBACK")
        other.close()
    # The visit that could not be stored as closed is closed again after the restart.
    assert _on_site(hass) == 0
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _on_site(hass) == 0
    assert hass.states.get("sensor.anpr_site_privacy_rewrite").state == "100.0"


async def test_visit_search_edges(hass: HomeAssistant, tmp_path: Path) -> None:
    _entry, events = await _hub(hass, {"Gate": {}}, privacy_mode=True)
    await _read(hass, events, "Gate", "XY51ZZZ", T0, direction=Direction.IN)
    # Fuzzy search in privacy mode still finds the exact plate through its hash.
    found = await _call(hass, "search_sightings", {"plate": "XY51ZZZ", "fuzzy": 1})
    assert found["count"] == 1
    window = await _call(hass, "search_visits", {
        "start": (T0 - timedelta(hours=1)).isoformat(), "end": (T0 + timedelta(hours=1)).isoformat(),
        "status": "open", "camera": "Gate"})  # fmt: skip
    assert window["count"] == 1 and "plate" not in window
    assert (await _call(hass, "search_visits", {"plate": "ZZ99ZZZ"}))["plate"] == {
        "plate": _entry.runtime_data.pipeline.privacy.stored("ZZ99ZZZ"),
        "visitor_class": None, "usual_hour": None,
    }  # fmt: skip
    with pytest.raises(ServiceValidationError):
        await _call(hass, "search_visits", {"plate": "--"})
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "export_visits", {"path": str(tmp_path)})  # a folder
    assert err.value.translation_key == "file_error"


async def test_purge_plate_forgets_learnt_misreads(hass: HomeAssistant) -> None:
    _entry, events = await _hub(hass, {"Gate": {"camera_role": "entry"}})
    await _call(hass, "add_plate", {"plate": "AB12CDE", "group": "Allowed"})
    await _call(hass, "confirm_reading", {"plate": "AB12CDE", "read_plate": "XB12CJE"})
    await _read(hass, events, "Gate", "AB12CDE", T0)
    assert _on_site(hass) == 1
    result = await _call(hass, "purge_plate", {"plate": "AB12CDE"})
    assert result == {"sightings": 1, "visits": 1, "pictures": 0, "thumbnails": 0, "misreads": 1}
    assert _on_site(hass) == 0
    read = await _read(hass, events, "Gate", "XB12CJE", T0 + timedelta(hours=1))
    assert read["plate"] == "XB12CJE"


async def test_camera_role_changed_by_reconfigure(hass: HomeAssistant) -> None:
    """The role is in the camera's form; reconfiguring it applies to the next read."""
    from homeassistant.data_entry_flow import FlowResultType  # noqa: PLC0415

    entry, events = await _hub(hass, {"Gate": {}})
    sid = next(iter(entry.subentries))
    result = await start_camera_reconfigure(hass, entry, sid)
    assert result["type"] is FlowResultType.FORM
    fields = {str(key): key for key in result["data_schema"].schema}
    assert fields["camera_role"].default() == "both"
    assert fields["unreadable_events"].default() is False
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"camera_role": "exit", "unreadable_events": True}
    )
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    left = await _read(hass, events, "Gate", "AB12CDE", T0, direction=Direction.IN)
    assert left["visit_action"] == "exit_without_entry"
    assert (await _read(hass, events, "Gate", "", T0 + timedelta(minutes=1)))["event_type"] == (
        "unreadable"
    )


async def test_hub_options_for_visits_and_privacy(hass: HomeAssistant) -> None:
    """The hub settings form carries the visit timeout, privacy mode and both retentions."""
    from homeassistant.data_entry_flow import FlowResultType  # noqa: PLC0415

    entry, _events = await _hub(hass, {}, retention_days=90)
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    fields = {str(key): key for key in result["data_schema"].schema}

    def shown(name: str) -> Any:
        """The value the form shows: the suggested (current) one, else the default."""
        suggested = (fields[name].description or {}).get("suggested_value")
        return suggested if suggested is not None else fields[name].default()

    assert shown("visit_timeout") == 12.0
    assert shown("privacy_mode") is False
    assert shown("visit_retention_days") == 90  # follows the sightings' retention
    assert shown("picture_retention_days") == 90
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"visit_timeout": 4, "privacy_mode": True, "visit_retention_days": 30,
         "picture_retention_days": 7, "retention_days": 90},
    )  # fmt: skip
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options["visit_timeout"] == 4 and entry.options["privacy_mode"] is True
    assert entry.data["privacy_secret"]  # made at the reload that followed
    assert "privacy_secret" not in entry.options
