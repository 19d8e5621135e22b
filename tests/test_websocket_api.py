"""The panel's websocket API (anpr/v1/*) through a real hub and a real websocket client."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.anpr.core.dvla import VesResult
from custom_components.anpr.core.history import SightingRow
from custom_components.anpr.protocols.models import Direction, ImageRole, PlateRead, ReadImage

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub

T0 = datetime(2025, 6, 3, 9, 0, tzinfo=UTC)

Ws = Any  # MockHAClientWebSocket


class Api:
    """Sends ``anpr/v1/*`` commands and returns the result (or the error)."""

    def __init__(self, ws: Ws) -> None:
        self.ws = ws

    async def call(self, kind: str, **data: Any) -> dict[str, Any]:
        await self.ws.send_json_auto_id({"type": f"anpr/v1/{kind}", **data})
        msg: dict[str, Any] = await self.ws.receive_json()
        return msg

    async def ok(self, kind: str, **data: Any) -> dict[str, Any]:
        msg = await self.call(kind, **data)
        assert msg["success"], msg
        result: dict[str, Any] = msg["result"]
        assert result["api_version"] == 1
        return result

    async def error(self, kind: str, **data: Any) -> str:
        msg = await self.call(kind, **data)
        assert not msg["success"], msg
        code: str = msg["error"]["code"]
        return code


async def _hub(hass: HomeAssistant, **options: Any) -> tuple[MockConfigEntry, dict[str, str]]:
    await hass.config.async_update(time_zone="Europe/London", country="GB")
    entry = await async_setup_hub(hass, options)
    ids = {
        name: await async_add_camera(hass, entry, kinds.KIND, {"name": name})
        for name in ("Drive", "Gate")
    }
    return entry, ids


def _row(plate: str, minutes: float, camera: str, **kw: Any) -> SightingRow:
    return SightingRow(
        plate=plate, time=T0 + timedelta(minutes=minutes), camera_id=camera, camera="Drive", **kw
    )


async def _seed(entry: MockConfigEntry, ids: dict[str, str]) -> None:
    history = entry.runtime_data.history
    drive, gate = ids["Drive"], ids["Gate"]
    rows = [
        _row("AB12CDE", 0, drive, category="allowed", list_name="Allowed", direction="in"),
        _row("AB12CDF", 10, gate, direction="out", confidence=0.7),
        _row("XY51ZZZ", 20, drive, category="alert", list_name="Alert", direction="in"),
        _row("IG99NOR", 30, gate, category="ignored", list_name="Ignored", direction="unknown"),
        _row("AB12CDE", 40, gate, category="allowed", list_name="Allowed", direction="out"),
        _row("AC12CDE", 50, drive, direction="in"),
    ]
    for row in rows:
        await history.async_record(row)


Hub = tuple[MockConfigEntry, dict[str, str]]


@pytest.fixture
async def hub(hass: HomeAssistant) -> Hub:
    """The hub with cameras Drive and Gate (set up before any client starts the web app)."""
    return await _hub(hass)


@pytest.fixture
async def api(hass: HomeAssistant, hub: Hub, hass_ws_client: WebSocketGenerator) -> Api:
    """An administrator's websocket client."""
    return Api(await hass_ws_client(hass))


async def _plates(api: Api, **filters: Any) -> list[str]:
    result = await api.ok("sightings/list", **filters)
    return [s["plate"] for s in result["sightings"]]


async def test_list_every_filter(hass: HomeAssistant, hub: Hub, api: Api) -> None:
    entry, ids = hub
    await _seed(entry, ids)
    newest_first = ["AC12CDE", "AB12CDE", "IG99NOR", "XY51ZZZ", "AB12CDF", "AB12CDE"]
    assert await _plates(api) == newest_first
    # Camera by subentry id or by name; several are "any of".
    assert await _plates(api, cameras=[ids["Gate"]]) == ["AB12CDE", "IG99NOR", "AB12CDF"]
    assert await _plates(api, cameras=["drive"]) == ["AC12CDE", "XY51ZZZ", "AB12CDE"]
    assert await _plates(api, cameras=["Drive", "Gate"]) == newest_first
    assert await _plates(api, cameras=["nowhere"]) == []
    # Status: known / unknown / alert / ignored.
    assert await _plates(api, statuses=["known"]) == ["AB12CDE", "AB12CDE"]
    assert await _plates(api, statuses=["unknown"]) == ["AC12CDE", "AB12CDF"]
    assert await _plates(api, statuses=["alert", "ignored"]) == ["IG99NOR", "XY51ZZZ"]
    assert await _plates(api, statuses=["unknown", "alert"]) == ["AC12CDE", "XY51ZZZ", "AB12CDF"]
    # List name, direction.
    assert await _plates(api, lists=["Alert"]) == ["XY51ZZZ"]
    assert await _plates(api, directions=["out"]) == ["AB12CDE", "AB12CDF"]
    assert await _plates(api, directions=["unknown"]) == ["IG99NOR"]
    # Time range: start inclusive, end exclusive, any UTC offset.
    start = (T0 + timedelta(minutes=10)).isoformat()
    end = (T0 + timedelta(minutes=40)).astimezone().isoformat()
    assert await _plates(api, start=start, end=end) == ["IG99NOR", "XY51ZZZ", "AB12CDF"]
    # Plate: exact (normalised), prefix, fuzzy at distance 1 and 2.
    assert await _plates(api, plate="ab12 cde") == ["AB12CDE", "AB12CDE"]
    assert await _plates(api, plate="AB12", plate_match="prefix") == [
        "AB12CDE",
        "AB12CDF",
        "AB12CDE",
    ]
    assert await _plates(api, plate="AB12CDE", plate_match="fuzzy", distance=1) == [
        "AC12CDE",
        "AB12CDE",
        "AB12CDF",
        "AB12CDE",
    ]
    assert await _plates(api, plate="AB12CEE", plate_match="fuzzy") == ["AB12CDE", "AB12CDE"]
    assert await _plates(api, plate="AC12CDF", plate_match="fuzzy", distance=2) == [
        "AC12CDE",
        "AB12CDE",
        "AB12CDF",
        "AB12CDE",
    ]
    # Filters combine.
    assert await _plates(api, plate="AB12CDE", cameras=["Gate"], statuses=["known"]) == ["AB12CDE"]
    # The row carries everything the panel shows.
    first = (await api.ok("sightings/list", limit=1))["sightings"][0]
    assert first | {"id": 0, "camera_id": ""} == {
        "id": 0,
        "plate": "AC12CDE",
        "read_plate": None,
        "camera_id": "",
        "time": (T0 + timedelta(minutes=50)).isoformat(),
        "camera": "Drive",
        "status": "unknown",
        "category": None,
        "list": None,
        "direction": "in",
        "confidence": None,
        "reads": 1,
        "description": None,
        "thumbnail": None,
        "picture": None,
        "visit_id": None,  # recorded straight into the history, outside any visit
        "visitor_class": "first_time",
        "dwell_s": None,
    }


async def test_cursor_paging_is_stable(hass: HomeAssistant, hub: Hub, api: Api) -> None:
    entry, ids = hub
    history = entry.runtime_data.history
    # Seven rows, two pairs with the same time: the id breaks the tie.
    for i, minutes in enumerate([0, 1, 1, 2, 3, 3, 4]):
        await history.async_record(_row(f"PL{i}AAA", minutes, ids["Drive"]))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        extra = {"cursor": cursor} if cursor else {}
        page = await api.ok("sightings/list", limit=3, **extra)
        seen += [s["plate"] for s in page["sightings"]]
        pages += 1
        if pages == 1:
            # A sighting arriving while paging does not shift the next pages.
            await history.async_record(_row("NEW1AAA", 10, ids["Drive"]))
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == ["PL6AAA", "PL5AAA", "PL4AAA", "PL3AAA", "PL2AAA", "PL1AAA", "PL0AAA"]
    # A filter applies to every page; an exact page has no next cursor.
    page = await api.ok("sightings/list", limit=7)
    assert page["next_cursor"] is not None  # NEW1AAA makes eight
    page = await api.ok("sightings/list", limit=8)
    assert page["next_cursor"] is None


@pytest.mark.parametrize(
    "data",
    [
        {"limit": 0},
        {"limit": 201},
        {"limit": "ten"},
        {"plate": "A" * 21},
        {"plate": ""},
        {"plate": "---"},
        {"plate": "AB1", "plate_match": "regex"},
        {"plate": "AB1", "plate_match": "fuzzy", "distance": 3},
        {"statuses": ["friendly"]},
        {"directions": ["sideways"]},
        {"cameras": ["x" * 101]},
        {"cameras": [f"c{i}" for i in range(51)]},
        {"start": "2025-06-03T09:00:00"},
        {"start": "yesterday"},
        {"end": 12},
        {"cursor": "not a cursor"},
        {"cursor": "A" * 16},
        {"cursor": "_____________w=="},
        {"cursor": "f_gAAAAAAAAAAAAA"},
        {"unknown_field": 1},
    ],
)
async def test_list_refuses_bad_input(
    hass: HomeAssistant, hub: Hub, api: Api, data: dict[str, Any]
) -> None:
    assert await api.error("sightings/list", **data) == "invalid_format"


async def test_get_sighting_with_plate_history(hass: HomeAssistant, hub: Hub, api: Api) -> None:
    entry, ids = hub
    await _seed(entry, ids)
    await api.ok("lists/entry/set", plate="AB12CDE", group="allowed", description="Alice")
    newest = (await api.ok("sightings/list", plate="AB12CDE"))["sightings"]
    assert [s["description"] for s in newest] == ["Alice", "Alice"]
    result = await api.ok("sightings/get", sighting_id=newest[0]["id"])
    assert result["sighting"]["id"] == newest[0]["id"]
    plate = result["plate"]
    assert plate["count"] == 2 and plate["first_seen"] == T0.isoformat()
    assert plate["last_seen"] == (T0 + timedelta(minutes=40)).isoformat()
    hours = plate["hours"]
    assert len(hours) == 24 and hours[10] == 2 and sum(hours) == 2  # 10:00 and 10:40 BST
    assert [p["id"] for p in result["previous"]] == [newest[1]["id"]]
    assert [e["plate"] for e in result["list_entries"]] == ["AB12CDE"]
    assert result["list_entries"][0]["description"] == "Alice"
    assert await api.error("sightings/get", sighting_id=999999) == "not_found"
    assert await api.error("sightings/get", sighting_id=0) == "invalid_format"
    assert await api.error("sightings/get", sighting_id="1") == "invalid_format"


async def test_subscribe_added_then_thumbnail(
    hass: HomeAssistant, hub: Hub, api: Api, hass_ws_client: WebSocketGenerator, fixtures_dir: Path
) -> None:
    _entry, ids = hub
    events = PlateEvents(hass)
    gate_only = Api(await hass_ws_client(hass))
    await api.ok("sightings/subscribe")
    await gate_only.ok("sightings/subscribe", cameras=["Gate"])
    jpeg = (fixtures_dir / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg").read_bytes()
    kinds.RUNNING["Drive"].push(
        PlateRead(
            plate="AB12CDE",
            time=T0,
            direction=Direction.IN,
            confidence=0.9,
            images=[ReadImage(jpeg, "image/jpeg", role=ImageRole.VEHICLE)],
        )
    )
    await events.wait(1)
    added = await api.ws.receive_json()
    assert added["type"] == "event"
    assert added["event"]["event"] == "added"
    row = added["event"]["sighting"]
    assert row["plate"] == "AB12CDE" and row["status"] == "unknown"
    assert row["thumbnail"] is None and row["camera_id"] == ids["Drive"]
    updated = (await api.ws.receive_json())["event"]
    assert updated["event"] == "updated" and updated["sighting"]["id"] == row["id"]
    assert updated["sighting"]["thumbnail"].startswith(f"/api/anpr/picture/{row['id']}/")
    # The gate-only subscriber got nothing; a Gate read reaches it.
    kinds.RUNNING["Gate"].push(PlateRead(plate="XY51ZZZ", time=T0 + timedelta(minutes=1)))
    await events.wait(2)
    gate_event = (await gate_only.ws.receive_json())["event"]
    assert gate_event["sighting"]["plate"] == "XY51ZZZ"
    assert (await api.ws.receive_json())["event"]["sighting"]["plate"] == "XY51ZZZ"


async def test_subscribe_filters_and_merged_reads(
    hass: HomeAssistant, hub: Hub, api: Api, hass_ws_client: WebSocketGenerator
) -> None:
    entry, ids = hub
    await _seed(entry, ids)
    events = PlateEvents(hass)
    fuzzy = Api(await hass_ws_client(hass))
    await fuzzy.ok("sightings/subscribe", plate="AB12CDE", plate_match="fuzzy", distance=1)
    await api.ok("sightings/subscribe", statuses=["unknown"], plate="AB", plate_match="prefix")
    # Not matching either (other plate), then a new plate near AB12CDE, then a repeat read.
    kinds.RUNNING["Drive"].push(PlateRead(plate="ZZ99ZZZ", time=T0 + timedelta(hours=1)))
    kinds.RUNNING["Drive"].push(PlateRead(plate="AB12CDX", time=T0 + timedelta(hours=2)))
    await events.wait(2)
    first = (await fuzzy.ws.receive_json())["event"]
    assert first["event"] == "added" and first["sighting"]["plate"] == "AB12CDX"
    assert (await api.ws.receive_json())["event"]["sighting"]["plate"] == "AB12CDX"
    kinds.RUNNING["Drive"].push(PlateRead(plate="AB12CDX", time=T0 + timedelta(hours=2, seconds=3)))
    merged = (await fuzzy.ws.receive_json())["event"]
    assert merged["event"] == "updated" and merged["sighting"]["reads"] == 2
    assert merged["sighting"]["id"] == first["sighting"]["id"]
    assert (await api.ws.receive_json())["event"]["sighting"]["reads"] == 2
    page = await api.ok("sightings/list", plate="AB12CDX")
    assert page["sightings"][0]["reads"] == 2
    assert await api.error("sightings/subscribe", plate="--") == "invalid_format"


async def test_lists_crud_same_store_as_editor(hass: HomeAssistant, hub: Hub, api: Api) -> None:
    entry, ids = hub
    lists = entry.runtime_data.lists.lists
    result = await api.ok(
        "lists/entry/set",
        plate="ab12 cde",
        group="Allowed",
        description="Alice",
        aliases=["AB12C0E"],
        cameras=["Gate"],
        validity="Mon-Fri 08:00-18:00",
    )
    assert result["entry"]["plate"] == "AB12CDE"
    stored = lists.get("AB12CDE", "allowed")
    assert stored is not None and stored.cameras == [ids["Gate"]]
    assert stored.aliases == ["AB12C0E"] and stored.validity is not None
    # Edit: move to another list under another plate.
    await api.ok(
        "lists/entry/set",
        plate="AB12CDF",
        group="alert",
        original_plate="AB12CDE",
        original_group="allowed",
    )
    assert lists.get("AB12CDE", "allowed") is None and lists.get("AB12CDF", "alert")
    got = await api.ok("lists/get")
    assert [(e["plate"], e["group"]) for e in got["entries"]] == [("AB12CDF", "alert")]
    assert {g["id"] for g in got["groups"]} >= {"allowed", "alert", "ignored"}
    assert "AB12CDF" in got["csv"]
    # Remove; removing again is not found.
    assert (await api.ok("lists/entry/remove", plate="AB12CDF", group="Alert"))["removed"] == 1
    assert await api.error("lists/entry/remove", plate="AB12CDF", group="alert") == "not_found"
    # Bad entries: list, plate, validity, rule.
    for bad in (
        {"plate": "AB1", "group": "nope"},
        {"plate": "---", "group": "allowed"},
        {"plate": "AB1", "group": "allowed", "validity": "someday"},
        {"plate": "AB1", "group": "allowed", "rules": ["(unclosed"]},
    ):
        assert await api.error("lists/entry/set", **bad) == "home_assistant_error"
    assert (
        await api.error("lists/entry/set", plate="AB1", group="allowed", description="x" * 101)
        == "invalid_format"
    )
    # CSV import shows bad rows.
    imported = await api.ok("lists/import", csv="plate,group\nCD34EFG,allowed\n,allowed\n")
    assert imported["added"] == 1 and len(imported["rejected"]) == 1
    assert lists.get("CD34EFG", "allowed") is not None
    await api.ok("lists/import", csv="plate\nZZ11ZZZ\n", group="allowed", replace=True)
    assert lists.get("CD34EFG", "allowed") is None and lists.get("ZZ11ZZZ", "allowed")
    assert await api.error("lists/import", csv="x" * 1_000_001) == "invalid_format"


async def test_act_on_sightings(hass: HomeAssistant, hub: Hub, api: Api) -> None:
    entry, ids = hub
    await _seed(entry, ids)
    lists = entry.runtime_data.lists.lists
    rows = (await api.ok("sightings/list", plate="AB12CDF"))["sightings"]
    # Misread: "this was AB12CDE" needs AB12CDE on a list, then adds the alternative reading.
    assert (
        await api.error("sightings/misread", sighting_id=rows[0]["id"], plate="AB12CDE")
        == "home_assistant_error"
    )
    await api.ok("lists/entry/set", plate="AB12CDE", group="allowed")
    result = await api.ok("sightings/misread", sighting_id=rows[0]["id"], plate="AB12CDE")
    assert result["entry"]["aliases"] == ["AB12CDF"]
    again = await api.ok(
        "sightings/misread", sighting_id=rows[0]["id"], plate="AB12CDE", group="Allowed"
    )
    assert again["entry"]["aliases"] == ["AB12CDF"]
    assert lists.exact("AB12CDF")[0].plate == "AB12CDE"
    assert await api.error("sightings/misread", sighting_id=99999, plate="AB") == "not_found"
    # Delete one sighting; purge a plate.
    assert (await api.ok("sightings/delete", sighting_id=rows[0]["id"]))["deleted"] == 1
    assert await api.error("sightings/delete", sighting_id=rows[0]["id"]) == "not_found"
    assert (await api.ok("sightings/purge_plate", plate="ab12cde"))["deleted"] == 2
    assert await _plates(api) == ["AC12CDE", "IG99NOR", "XY51ZZZ"]
    assert await api.error("sightings/purge_plate", plate="--") == "home_assistant_error"
    # Export the current filter as CSV (the export_sightings columns).
    export = await api.ok("sightings/export", statuses=["unknown", "alert"])
    lines = export["csv"].splitlines()
    assert lines[0].startswith("time,plate,read_plate,camera")
    assert export["rows"] == 2 and "XY51ZZZ" in lines[2]
    assert await api.error("sightings/export", plate="--") == "invalid_format"


async def test_read_only_user_reads_but_cannot_write(
    hass: HomeAssistant,
    hub: Hub,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    entry, ids = hub
    await _seed(entry, ids)
    user = Api(await hass_ws_client(hass, hass_read_only_access_token))
    info = await user.ok("info")
    assert info["admin"] is False
    assert len(await _plates(user)) == 6
    sighting_id = (await user.ok("sightings/list", limit=1))["sightings"][0]["id"]
    for kind in (
        "sightings/get",
        "sightings/subscribe",
        "vehicles",
        "cameras",
        "lists/get",
        "sightings/export",
    ):
        await user.ok(
            kind,
            **(
                {"sighting_id": sighting_id}
                if kind.endswith("get") and kind.startswith("sightings")
                else {}
            ),
        )
    writes: list[tuple[str, dict[str, Any]]] = [
        ("lists/entry/set", {"plate": "AB1", "group": "allowed"}),
        ("lists/entry/remove", {"plate": "AB1", "group": "allowed"}),
        ("lists/import", {"csv": "plate\nAB1\n", "group": "allowed"}),
        ("sightings/misread", {"sighting_id": sighting_id, "plate": "AB12CDE"}),
        ("sightings/delete", {"sighting_id": sighting_id}),
        ("sightings/purge_plate", {"plate": "AB12CDE"}),
    ]
    for kind, data in writes:
        assert await user.error(kind, **data) == "unauthorized", kind
    assert entry.runtime_data.lists.lists.entries == {}
    assert len(await _plates(user)) == 6


async def test_info_vehicles_cameras(hass: HomeAssistant, hub: Hub, api: Api) -> None:
    entry, ids = hub
    events = PlateEvents(hass)
    info = await api.ok("info")
    assert info["admin"] is True and info["statuses"] == ["known", "unknown", "alert", "ignored"]
    assert {c["name"] for c in info["cameras"]} == {"Drive", "Gate"}
    assert {g["id"] for g in info["lists"]} >= {"allowed", "alert", "ignored"}
    await api.ok("lists/entry/set", plate="AB12CDE", group="allowed", description="Alice")
    await hass.async_block_till_done()
    now = datetime.now(UTC)
    kinds.RUNNING["Drive"].push(PlateRead(plate="AB12CDE", time=now, direction=Direction.IN))
    await events.wait(1)
    await hass.async_block_till_done()
    vehicles = (await api.ok("vehicles"))["vehicles"]
    assert [(v["plate"], v["name"], v["present"], v["last_camera"]) for v in vehicles] == [
        ("AB12CDE", "Alice", True, "Drive")
    ]
    await entry.runtime_data.history.async_record(
        _row("OLD1AAA", 0, ids["Gate"])
    )  # 2025: outside the last day
    cameras = {c["name"]: c for c in (await api.ok("cameras"))["cameras"]}
    drive, gate = cameras["Drive"], cameras["Gate"]
    assert drive["sightings_hour"] == 1 and drive["sightings_day"] == 1
    assert drive["last_plate"] == "AB12CDE" and drive["running"] is True
    assert drive["last_sighting"] == now.isoformat() and drive["reads"] == 1
    assert gate["sightings_hour"] == 0 and gate["last_sighting"] == T0.isoformat()
    assert gate["last_plate"] is None and gate["settings_url"].endswith("/anpr")


async def test_commands_without_a_hub(hass: HomeAssistant, hub: Hub, api: Api) -> None:
    entry, _ids = hub
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    msg = await api.call("sightings/list")
    assert not msg["success"] and msg["error"]["translation_key"] == "hub_not_loaded"


Caller = Callable[..., Awaitable[Any]]



async def test_get_sighting_shows_cached_dvla_answer(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator
) -> None:
    await hass.config.async_update(time_zone="Europe/London", country="GB")
    entry = await async_setup_hub(
        hass, {"dvla_api_key": "key", "dvla_base_url": "http://127.0.0.1:9"})
    history = entry.runtime_data.history
    await history.async_record(_row("AB12CDE", 0, "x"))
    await history.async_record(_row("XY51ZZZ", 1, "x"))
    entry.runtime_data.lookup.cache.put("AB12CDE", VesResult("found", {"make": "FORD"}))
    api = Api(await hass_ws_client(hass))
    rows = {s["plate"]: s["id"] for s in (await api.ok("sightings/list"))["sightings"]}
    found = await api.ok("sightings/get", sighting_id=rows["AB12CDE"])
    assert found["reginfo"] == {"status": "found", "make": "FORD"}
    assert (await api.ok("sightings/get", sighting_id=rows["XY51ZZZ"]))["reginfo"] is None


async def _visit_hub(hass: HomeAssistant, **options: Any) -> MockConfigEntry:
    """A hub with an entry camera "Gate in" and an exit camera "Gate out" (stream sources)."""
    await hass.config.async_update(time_zone="Europe/London", country="GB")
    entry = await async_setup_hub(hass, options)
    for name, role in (("Gate in", "entry"), ("Gate out", "exit")):
        await async_add_camera(
            hass, entry, kinds.KIND, {"name": name, "stream": True, "camera_role": role}
        )
    return entry


async def _push_read(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    events: PlateEvents,
    camera: str,
    plate: str,
    when: datetime,
) -> None:
    """A read of ``plate`` on ``camera`` at ``when`` (the clock moved there: a live read)."""
    freezer.move_to(when)
    count = len(events.events)
    kinds.RUNNING[camera].push(PlateRead(plate=plate, time=when))
    await events.wait(count + 1)
    await hass.async_block_till_done()


async def test_visit_and_visitor_class_on_sightings(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, freezer: FrozenDateTimeFactory
) -> None:
    """Entry → exit on two cameras: visit id, class and dwell on rows, the visit in the detail."""
    entry = await _visit_hub(hass)
    gate_in = next(s for s, sub in entry.subentries.items() if sub.title == "Gate in")
    gate_out = next(s for s, sub in entry.subentries.items() if sub.title == "Gate out")
    api = Api(await hass_ws_client(hass))
    events = PlateEvents(hass)
    await api.ok("sightings/subscribe")
    arrived_at = datetime(2026, 11, 2, 9, 12, tzinfo=UTC)  # 09:12 GMT
    await _push_read(hass, freezer, events, "Gate in", "AB12CDE", arrived_at)
    added = (await api.ws.receive_json())["event"]
    assert added["event"] == "added"
    live_in = added["sighting"]
    assert live_in["visit_id"] == events.events[-1]["visit_id"] is not None
    assert live_in["visitor_class"] == "first_time" and live_in["dwell_s"] is None
    # A repeat read merged into it: the "updated" row (read back from the history) keeps both.
    freezer.move_to(arrived_at + timedelta(seconds=3))
    kinds.RUNNING["Gate in"].push(PlateRead(plate="AB12CDE", time=arrived_at + timedelta(seconds=3)))
    merged = (await api.ws.receive_json())["event"]
    assert merged["event"] == "updated" and merged["sighting"]["reads"] == 2
    assert merged["sighting"]["visit_id"] == live_in["visit_id"]
    assert merged["sighting"]["visitor_class"] == "first_time"
    await _push_read(hass, freezer, events, "Gate out", "AB12CDE", arrived_at + timedelta(minutes=88))
    live_out = (await api.ws.receive_json())["event"]["sighting"]
    assert live_out["visit_id"] == live_in["visit_id"]
    assert live_out["dwell_s"] == 88 * 60 and live_out["visitor_class"] == "first_time"

    # The same fields on history rows (list and get), read from the stored visit and profile.
    rows = (await api.ok("sightings/list", plate="AB12CDE"))["sightings"]
    assert [(r["camera"], r["visit_id"], r["visitor_class"], r["dwell_s"]) for r in rows] == [
        ("Gate out", live_in["visit_id"], "first_time", 88 * 60),
        ("Gate in", live_in["visit_id"], "first_time", None),
    ]
    detail = await api.ok("sightings/get", sighting_id=rows[1]["id"])
    assert detail["sighting"]["visitor_class"] == "first_time"
    assert detail["visit"] == {
        "id": live_in["visit_id"],
        "plate": "AB12CDE",
        "status": "closed",
        "started": arrived_at.isoformat(),
        "ended": (arrived_at + timedelta(minutes=88)).isoformat(),
        "last_seen": (arrived_at + timedelta(minutes=88)).isoformat(),
        "dwell_s": 5280.0,
        "reads": 2,
        "entry_camera_id": gate_in,
        "entry_camera": "Gate in",
        "exit_camera_id": gate_out,
        "exit_camera": "Gate out",
    }
    assert detail["plate"]["visitor_class"] == "first_time"
    assert detail["plate"]["usual_hour"] == 9
    assert detail["previous"] == []
    exit_detail = await api.ok("sightings/get", sighting_id=rows[0]["id"])
    assert exit_detail["sighting"]["dwell_s"] == 5280.0
    assert [p["dwell_s"] for p in exit_detail["previous"]] == [None]

    # A week later it comes again: that row is "weekly", the older rows keep their day's class.
    await _push_read(hass, freezer, events, "Gate in", "AB12CDE", arrived_at + timedelta(days=7))
    live = (await api.ws.receive_json())["event"]["sighting"]
    assert live["visitor_class"] == "weekly" and live["visit_id"] != live_in["visit_id"]
    rows = (await api.ok("sightings/list", plate="AB12CDE"))["sightings"]
    assert [r["visitor_class"] for r in rows] == ["weekly", "first_time", "first_time"]
    assert [r["dwell_s"] for r in rows] == [None, 5280.0, None]
    detail = await api.ok("sightings/get", sighting_id=rows[0]["id"])
    assert detail["visit"]["status"] == "open" and detail["visit"]["ended"] is None
    assert detail["visit"]["exit_camera"] is None and detail["visit"]["dwell_s"] is None
    assert detail["plate"]["visitor_class"] == "weekly"


async def test_sighting_without_a_visit(hass: HomeAssistant, hub: Hub, api: Api) -> None:
    """A stored sighting outside any visit (or whose profile is gone) shows nulls, not errors."""
    entry, ids = hub
    await _seed(entry, ids)
    rows = (await api.ok("sightings/list", plate="AB12CDF"))["sightings"]
    assert rows[0]["visit_id"] is None and rows[0]["dwell_s"] is None
    assert rows[0]["visitor_class"] == "first_time"
    detail = await api.ok("sightings/get", sighting_id=rows[0]["id"])
    assert detail["visit"] is None and detail["plate"]["visitor_class"] == "first_time"
    # A visit id whose visit was purged (visit retention) gives no visit and no dwell.
    history = entry.runtime_data.history
    await history.async_record(
        _row("ZZ11ZZZ", 60, ids["Drive"], visit_id="gone", direction="out")
    )
    row = (await api.ok("sightings/list", plate="ZZ11ZZZ"))["sightings"][0]
    assert row["visit_id"] == "gone" and row["dwell_s"] is None
    assert (await api.ok("sightings/get", sighting_id=row["id"]))["visit"] is None
    # Deleting a sighting drops the plate's stored profile (rebuilt at its next sighting): the
    # rows show no class meanwhile, the detail rebuilds it from the remaining sighting.
    two = (await api.ok("sightings/list", plate="AB12CDE"))["sightings"]
    await api.ok("sightings/delete", sighting_id=two[0]["id"])
    left = (await api.ok("sightings/list", plate="AB12CDE"))["sightings"]
    assert [r["visitor_class"] for r in left] == [None]
    detail = await api.ok("sightings/get", sighting_id=left[0]["id"])
    assert detail["sighting"]["visitor_class"] is None
    assert detail["plate"]["visitor_class"] == "first_time"


async def test_list_visits(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, freezer: FrozenDateTimeFactory
) -> None:
    """anpr/v1/visits/list: every filter, keyset paging, bad input."""
    entry = await _visit_hub(hass)
    api = Api(await hass_ws_client(hass))
    events = PlateEvents(hass)
    t = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    await _push_read(hass, freezer, events, "Gate in", "AB12CDE", t)
    await _push_read(hass, freezer, events, "Gate out", "AB12CDE", t + timedelta(hours=1))
    await _push_read(hass, freezer, events, "Gate in", "XY51ZZZ", t + timedelta(hours=2))
    await _push_read(hass, freezer, events, "Gate out", "CD34EFG", t + timedelta(hours=3))

    async def visits(**data: Any) -> list[tuple[str, str]]:
        result = await api.ok("visits/list", **data)
        return [(v["plate"], v["status"]) for v in result["visits"]]

    everything = [("CD34EFG", "exit_only"), ("XY51ZZZ", "open"), ("AB12CDE", "closed")]
    assert await visits() == everything
    assert await visits(plate="ab12 cde") == [("AB12CDE", "closed")]
    assert await visits(status="open") == [("XY51ZZZ", "open")]
    assert await visits(camera="gate out") == [("CD34EFG", "exit_only"), ("AB12CDE", "closed")]
    gate_in = next(s for s, sub in entry.subentries.items() if sub.title == "Gate in")
    assert await visits(camera=gate_in) == [("XY51ZZZ", "open"), ("AB12CDE", "closed")]
    window = {
        "start": (t + timedelta(hours=1, minutes=30)).isoformat(),
        "end": (t + timedelta(hours=2, minutes=30)).isoformat(),
    }
    assert await visits(**window) == [("XY51ZZZ", "open")]
    closed = (await api.ok("visits/list", plate="AB12CDE"))["visits"][0]
    assert closed["entry_camera"] == "Gate in" and closed["exit_camera"] == "Gate out"
    assert closed["dwell_s"] == 3600.0 and closed["reads"] == 2
    # Keyset paging: one per page, no visit lost or repeated.
    seen: list[tuple[str, str]] = []
    cursor = None
    for _ in range(4):
        page = await api.ok("visits/list", limit=1, **({"cursor": cursor} if cursor else {}))
        seen += [(v["plate"], v["status"]) for v in page["visits"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    for bad in (
        {"cursor": "!!"},
        {"cursor": "AAAA"},
        {"cursor": "f_gAAAAAAAA="},  # NaN time, no id
        {"cursor": "x" * 101},
        {"plate": "--"},
        {"plate": "A" * 21},
        {"status": "gone"},
        {"camera": ""},
        {"start": "2026-11-30T08:00:00"},
        {"limit": 0},
    ):
        assert await api.error("visits/list", **bad) == "invalid_format", bad


async def test_list_visits_privacy_mode_hashes_the_query(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, freezer: FrozenDateTimeFactory
) -> None:
    """In privacy mode the stored plate is a hash; a search by the plate still finds it."""
    entry = await _visit_hub(hass, privacy_mode=True)
    api = Api(await hass_ws_client(hass))
    events = PlateEvents(hass)
    await _push_read(hass, freezer, events, "Gate in", "AB12CDE", datetime(2026, 11, 30, 8, tzinfo=UTC))
    found = (await api.ok("visits/list", plate="AB12CDE"))["visits"]
    stored = entry.runtime_data.pipeline.privacy.stored("AB12CDE")
    assert stored != "AB12CDE"
    assert [v["plate"] for v in found] == [stored]
    assert (await api.ok("visits/list", plate="AB12CDF"))["visits"] == []
