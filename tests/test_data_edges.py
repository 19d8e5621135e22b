"""Edge cases of the plate-data modules: bad input, failures, limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
import pytest

from custom_components.anpr import services as services_module
from custom_components.anpr.const import DOMAIN
from custom_components.anpr.core import plates as plates_module
from custom_components.anpr.core.dvla import DvlaUnavailable, VesCache, VesClient, VesResult
from custom_components.anpr.core.history import SightingHistory, SightingRow
from custom_components.anpr.core.plates import (
    PlateEntry,
    PlateGroup,
    PlateLists,
    parse_list_csv,
)
from custom_components.anpr.core.validity import Validity, ValidityError
from custom_components.anpr.protocols.models import ImageRole, PlateRead, ReadImage
from custom_components.anpr.purge import _delete_files
from custom_components.anpr.store import HistoryStore
from tools.emulators.dvla import DvlaEmulator

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub, device_by_identifier

T0 = datetime(2025, 6, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _recorded_reads(camera_clock: Callable[[datetime], None]) -> None:
    """Reads here carry recorded capture times (June 2025): they arrive a day later, inside the
    camera-clock window of the validation step."""
    camera_clock(T0 + timedelta(days=1))


# --- pure modules -------------------------------------------------------------------------------


def test_validity_rejects_inconsistent_parts() -> None:
    from datetime import date, time  # noqa: PLC0415

    with pytest.raises(ValidityError):
        Validity(start_time=time(9))
    with pytest.raises(ValidityError):
        Validity(start_date=date(2025, 2, 1), end_date=date(2025, 1, 1))
    with pytest.raises(ValidityError):
        Validity(weekdays=frozenset({7}))
    with pytest.raises(ValidityError):
        Validity.parse("2025-02-30")
    with pytest.raises(ValidityError):
        Validity.parse("Mo")
    with pytest.raises(ValidityError):
        Validity.from_dict({"start_date": "nope"})
    assert Validity.from_dict("Tue") == Validity(weekdays=frozenset({1}))
    assert Validity.from_dict(None) is None
    single = Validity.parse("2025-06-03")
    assert single is not None and single.start_date == single.end_date
    assert Validity.parse("Sat,,Sun") == Validity(weekdays=frozenset({5, 6}))
    assert Validity.parse("09:00-24:00").end_time == time(0)  # type: ignore[union-attr]


def test_plate_lists_errors_and_legacy_match() -> None:
    lists = PlateLists()
    with pytest.raises(ValueError):
        lists.add(PlateEntry(plate=" - ", group="allowed"))
    with pytest.raises(KeyError):
        lists.add(PlateEntry(plate="AB12CDE", group="nope"))
    with pytest.raises(ValueError):
        lists.set_group(PlateGroup(id="x", name="X", category="vip"))
    with pytest.raises(KeyError):
        lists.remove_group("nope")
    lists.add(PlateEntry(plate="AB12CDE", group="allowed", cameras=["gate"]))
    lists.add(PlateEntry(plate="AB12CDE", group="alert"))
    found = lists.match("AB12CDE", "gate")
    assert found is not None and found.group.category == "alert"
    assert lists.match("ZZ99ZZZ") is None
    assert PlateLists.from_dict(None).groups.keys() == {"allowed", "alert", "ignored"}
    # Stored data from a newer or broken version: unknown keys ignored, bad groups skipped.
    stored = {"groups": [{"id": "f", "name": "F", "category": "allowed", "future": 1},
                         {"name": "no id"}],
              "entries": [{"plate": "AB12CDE", "group": "f"}, {"plate": "X"}]}  # fmt: skip
    loaded = PlateLists.from_dict(stored)
    assert list(loaded.groups) == ["f"] and list(loaded.entries) == [("f", "AB12CDE")]


def test_csv_row_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plates_module, "MAX_CSV_ROWS", 2)
    good, problems = parse_list_csv("A1ABC,allowed\nA2ABC,allowed\nA3ABC,allowed\n", PlateLists())
    assert len(good) == 2 and problems[0].error == "too_many_rows"


def test_history_closed_and_rollback(tmp_path: Path) -> None:
    memory = SightingHistory(":memory:")
    memory.open()
    memory.record(SightingRow(plate="AB12CDE", time=T0, camera_id="c"))
    assert memory.known_plates() == ["AB12CDE"]
    assert memory.purge() == 0
    memory.db.execute("DROP TABLE plate_stats")
    with pytest.raises(sqlite3.Error):
        memory.record(SightingRow(plate="AB12CDE", time=T0, camera_id="c"))
    with pytest.raises(sqlite3.Error):
        memory.purge(plate="AB12CDE")
    assert memory.db.in_transaction is False
    memory.close()
    with pytest.raises(sqlite3.ProgrammingError):
        memory.stats("AB12CDE")


def test_delete_files_stays_inside_the_media_folder(tmp_path: Path) -> None:
    root = tmp_path / "anpr"
    (root / "2025-06-03").mkdir(parents=True)
    inside = root / "2025-06-03" / "a.jpg"
    inside.write_bytes(b"x")
    outside = tmp_path / "keep.jpg"
    outside.write_bytes(b"x")
    removed = _delete_files(root, [str(inside), str(outside), str(root / "gone.jpg")])
    assert removed == 1 and outside.exists() and not (root / "2025-06-03").exists()


def test_cache_zero_ttl() -> None:
    cache = VesCache(0)
    cache.put("AA19AAA", VesResult("found"))
    assert cache.get("AA19AAA") is None and len(cache) == 0


# --- DVLA quirks against the emulator --------------------------------------------------------


@pytest.fixture
async def emulator() -> AsyncIterator[DvlaEmulator]:
    emu = DvlaEmulator(api_key="k")
    await emu.start()
    yield emu
    await emu.stop()


@pytest.mark.enable_socket
async def test_dvla_body_quirks(emulator: DvlaEmulator) -> None:
    emulator.raw["AA19EEE"] = (200, b"not json", {})
    emulator.raw["AA19PPP"] = (200, b"x" * 70_000, {})
    emulator.raw["AA19SRN"] = (418, b"{}", {})
    emulator.raw["AA19DSL"] = (429, b'{"errors": ["x"]}', {"Retry-After": "soon"})
    emulator.raw["AA19MOT"] = (404, b'{"errors": [{"title": "Vehicle Not Found"}]}', {})
    async with aiohttp.ClientSession() as session:
        client = VesClient(session, "k", base_url=emulator.url)
        assert await client.lookup("AA19EEE") == VesResult("found")
        assert await client.lookup("AA19PPP") == VesResult("found")
        with pytest.raises(DvlaUnavailable) as err:
            await client.lookup("AA19SRN")
        assert err.value.status == 418
        with pytest.raises(DvlaUnavailable) as err:
            await client.lookup("AA19DSL")
        assert err.value.retry_after is None and str(err.value) == "HTTP 429"
        client.retry_at = 0
        missing = await client.lookup("AA19MOT")
        assert missing == VesResult("not_found", {}, "Vehicle Not Found")


@pytest.mark.enable_socket
async def test_dvla_enricher_dedupes_inflight_and_survives_errors(
    hass: HomeAssistant, emulator: DvlaEmulator
) -> None:
    emulator.delay = 0.2
    entry = await async_setup_hub(hass, {"dvla_api_key": "k", "dvla_base_url": emulator.url})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Drive", "stream": True})
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19AAA", time=T0))
    kinds.RUNNING["Drive"].push(PlateRead(plate="AA19AAA", time=T0))
    await events.wait(2)
    await hass.async_block_till_done()
    assert emulator.requests["AA19AAA"] == 1  # the second sighting did not ask again
    # Ignored plates are never looked up.
    await hass.services.async_call(DOMAIN, "add_plate", {"plate": "AA19EEE",
                                                         "group": "ignored"}, blocking=True)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19EEE", time=T0 + timedelta(minutes=1)))
    await hass.async_block_till_done()
    assert emulator.requests["AA19EEE"] == 0
    # A broken enricher never breaks reads.
    enricher = entry.runtime_data.lookup

    async def boom(plate: str) -> Any:
        raise RuntimeError("boom")

    enricher.client.lookup = boom
    kinds.RUNNING["Gate"].push(PlateRead(plate="AA19PPP", time=T0 + timedelta(minutes=2)))
    await events.wait(3)
    await hass.async_block_till_done()
    assert enricher.diagnostics()["errors"] == 1


# --- HA side: stores, services, editor --------------------------------------------------------


async def test_history_store_errors_reach_the_caller(hass: HomeAssistant, tmp_path: Path) -> None:
    store = HistoryStore(hass, tmp_path / "h.db")
    await store.async_open()
    assert await store.async_purge(plate="AB12CDE") == 0
    await hass.async_add_executor_job(store.history.db.execute, "DROP TABLE plate_stats")
    with pytest.raises(sqlite3.Error):
        await store.async_record(SightingRow(plate="AB12CDE", time=T0, camera_id="c"))
    await store.async_close()


async def test_services_edge_cases(
    hass: HomeAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "export_plates", {}, blocking=True,
                                       return_response=True)
    entry = await async_setup_hub(hass)
    camera_id = await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate"})
    device = device_by_identifier(hass, camera_id)
    assert device is not None

    async def call(service: str, data: dict[str, Any]) -> Any:
        return await hass.services.async_call(DOMAIN, service, data, blocking=True,
                                              return_response=True)

    # Cameras by subentry id and by device id.
    await hass.services.async_call(DOMAIN, "add_plate", {
        "plate": "AB12CDE", "cameras": [camera_id, device.id]}, blocking=True)
    assert entry.runtime_data.lists.lists.get("AB12CDE", "allowed").cameras == [camera_id] * 2

    hass.config.allowlist_external_dirs = {str(tmp_path)}
    # Replace empties each list named in the file first.
    await call("import_plates", {"csv": "XY51ZZZ,allowed\n", "replace": True})
    assert set(entry.runtime_data.lists.lists.entries) == {("allowed", "XY51ZZZ")}
    with pytest.raises(ServiceValidationError) as err:
        await call("import_plates", {"path": str(tmp_path / "missing.csv")})
    assert err.value.translation_key == "file_error"
    big = tmp_path / "big.csv"
    big.write_text("A1ABC,allowed\n" * 10)
    monkeypatch.setattr(services_module, "_MAX_IMPORT_BYTES", 20)
    with pytest.raises(ServiceValidationError) as err:
        await call("import_plates", {"path": str(big)})
    assert err.value.translation_key == "file_error"
    with pytest.raises(ServiceValidationError) as err:
        await call("export_plates", {"path": str(tmp_path)})  # a folder
    assert err.value.translation_key == "file_error"
    with pytest.raises(ServiceValidationError) as err:
        await call("export_plates", {"path": "relative.csv"})  # under /config: not allowed
    assert err.value.translation_key == "path_not_allowed"
    with pytest.raises(ServiceValidationError) as err:
        await call("search_sightings", {"plate": "--"})
    assert err.value.translation_key == "invalid_plate"
    with pytest.raises(ServiceValidationError) as err:
        await call("export_sightings", {"path": str(tmp_path)})
    assert err.value.translation_key == "file_error"
    with pytest.raises(ServiceValidationError) as err:
        await call("purge_sightings", {"plate": "--"})
    assert err.value.translation_key == "invalid_plate"


async def test_picture_saver_failures_and_no_picture(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    blocker = tmp_path / "media"
    blocker.write_text("a file where the folder should be")
    hass.config.media_dirs = {"local": str(blocker)}
    entry = await async_setup_hub(hass, {"save_images": True})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate"})
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", time=T0))  # no picture
    kinds.RUNNING["Gate"].push(PlateRead(plate="XY51ZZZ", time=T0,
                                         images=[ReadImage(b"\xff\xd8x", role=ImageRole.FULL)]))
    await events.wait(2)
    await hass.async_block_till_done()
    rows = await entry.runtime_data.history.async_search()
    assert [r.image_path for r in rows] == [None, None]


async def test_daily_purge_failure_is_logged(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await async_setup_hub(hass)
    await hass.async_block_till_done()

    async def broken(**_: Any) -> Any:
        raise sqlite3.OperationalError("disk I/O error")

    entry.runtime_data.history.async_purge_with_images = broken  # type: ignore[method-assign]
    assert await hass.config_entries.async_reload(entry.entry_id) is True
    await hass.async_block_till_done()
    # The new runtime purged fine; break the new one and fire the daily timer.
    entry.runtime_data.history.async_purge_with_images = broken  # type: ignore[method-assign]
    from homeassistant.util import dt as dt_util  # noqa: PLC0415
    from pytest_homeassistant_custom_component.common import async_fire_time_changed  # noqa: PLC0415

    async_fire_time_changed(hass, dt_util.now().replace(hour=3, minute=17, second=0)
                            + timedelta(days=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Daily sightings purge failed" in caplog.text


async def test_editor_aborts_and_errors(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    menu = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "lists"})
    assert menu["description_placeholders"] == {"groups": "3", "plates": "0"}

    async def pick(step: str) -> Any:
        return await hass.config_entries.options.async_configure(
            menu["flow_id"], {"next_step_id": step})

    async def submit(data: dict[str, Any]) -> Any:
        return await hass.config_entries.options.async_configure(menu["flow_id"], data)

    await pick("add_group")
    result = await submit({"name": "  ", "category": "allowed", "priority": "low"})
    assert result["errors"] == {"name": "name_required"}
    await submit({"name": "Family", "category": "allowed", "priority": "low"})
    await pick("edit_group")
    result = await submit({"group": "family"})
    assert result["step_id"] == "edit_group_details"
    result = await submit({"name": "", "category": "allowed", "priority": "low"})
    assert result["errors"] == {"name": "name_required"}
    result = await submit({"name": "Alert", "category": "allowed", "priority": "low"})
    assert result["errors"] == {"name": "group_exists"}
    await submit({"name": "Family", "category": "allowed", "priority": "low",
                  "vehicles": False})
    assert entry.runtime_data.lists.lists.groups["family"].tracks_vehicles is False
    await pick("paste_plates")
    result = await submit({"plates": "\n\n", "group": "family"})
    assert result["errors"] == {"plates": "no_plates"}
    many = "\n".join(f"bad{i},nope" for i in range(12))
    result = await submit({"plates": many, "group": "family"})
    assert "2 more" in result["description_placeholders"]["problems"]
    await submit({})
    # Edit a plate that disappeared meanwhile: back to the menu.
    await pick("add_plate")
    await submit({"plate": "AB12CDE", "group": "family"})
    await pick("edit_plate")
    result = await submit({"plate": "AB12CDE", "group": "family"})
    bad = await submit({"plate": "AB12CDE", "group": "family", "validity": "Funday"})
    assert bad["errors"] == {"validity": "invalid_validity"}
    entry.runtime_data.lists.lists.remove("AB12CDE")
    result = await submit({"plate": "AB12CDE", "group": "family"})
    assert result["type"] is FlowResultType.MENU
    done = await pick("done")
    assert done["type"] is FlowResultType.CREATE_ENTRY

    # With the hub unloaded the editor aborts.
    assert await hass.config_entries.async_unload(entry.entry_id)
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], {"next_step_id": "lists"})
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "hub_not_loaded"


async def test_editor_steps_abort_when_hub_unloads_mid_flow(hass: HomeAssistant) -> None:
    steps = ["add_group", "edit_group", "remove_group", "add_plate", "edit_plate",
             "remove_plates", "paste_plates"]  # fmt: skip
    entry = await async_setup_hub(hass)
    flows = []
    for step in steps:
        flow = await hass.config_entries.options.async_init(entry.entry_id)
        await hass.config_entries.options.async_configure(
            flow["flow_id"], {"next_step_id": "lists"})
        form = await hass.config_entries.options.async_configure(
            flow["flow_id"], {"next_step_id": step})
        assert form["type"] is FlowResultType.FORM
        flows.append(form)
    details = await hass.config_entries.options.async_init(entry.entry_id)
    await hass.config_entries.options.async_configure(details["flow_id"], {"next_step_id": "lists"})
    await hass.config_entries.options.async_configure(details["flow_id"],
                                                      {"next_step_id": "edit_group"})
    details = await hass.config_entries.options.async_configure(details["flow_id"],
                                                                {"group": "allowed"})
    assert details["step_id"] == "edit_group_details"
    flows.append(details)
    assert await hass.config_entries.async_unload(entry.entry_id)
    answers = {
        "add_group": {"name": "X", "category": "allowed", "priority": "low"},
        "edit_group": {"group": "allowed"},
        "remove_group": {"group": "allowed"},
        "add_plate": {"plate": "AB12CDE", "group": "allowed"},
        "edit_plate": {"plate": "AB12CDE", "group": "allowed"},
        "remove_plates": {"plates": "AB12CDE"},
        "paste_plates": {"plates": "AB12CDE", "group": "allowed"},
        "edit_group_details": {"name": "X", "category": "allowed", "priority": "low"},
    }
    for form in flows:
        result = await hass.config_entries.options.async_configure(
            form["flow_id"], answers[form["step_id"]])
        assert result["type"] is FlowResultType.ABORT, form["step_id"]
        assert result["reason"] == "hub_not_loaded"


async def test_actions_need_a_loaded_hub(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(DOMAIN, "search_sightings", {}, blocking=True,
                                       return_response=True)
    assert err.value.translation_key == "hub_not_loaded"


def test_matching_internals(monkeypatch: pytest.MonkeyPatch) -> None:
    from custom_components.anpr.core import matching  # noqa: PLC0415
    from custom_components.anpr.core.matching import (  # noqa: PLC0415
        FuzzyIndex,
        Matcher,
        PlateFormat,
        fix_format,
        levenshtein,
    )

    # A format family with two different fixes is ambiguous: the plate is kept.
    monkeypatch.setitem(matching.COUNTRY_FORMATS, "XX", [PlateFormat("f", "LD"),
                                                          PlateFormat("f", "DL")])
    assert fix_format("00", "XX") == matching.FormatFix("00", None)
    assert PlateFormat("x", "LD").fix("0") is None
    assert levenshtein("ABCDEFG", "AB", limit=2) == 3
    index = FuzzyIndex(["AB12CDE"], 1)
    index.add("AB12CDE")
    index.remove("ZZ99ZZZ")
    index.remove("AB12CDE")
    assert index.search("AB12CDE") == [] and index.search("AB12CDE", 0) == []
    lists = PlateLists()
    lists.add(PlateEntry(plate="AB12CDE", group="allowed"))
    matcher = Matcher(lists, fuzzy_distance=1)
    matcher.prepare()
    del lists.groups["allowed"]  # an entry whose group vanished is never matched
    assert matcher.match("AB12CDE").match is None
