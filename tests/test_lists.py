"""Plate lists: storage model, CSV parsing, and the options-flow editor (UI edits)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.anpr.core.plates import (
    InvalidPlateEntry,
    PlateEntry,
    PlateGroup,
    PlateLists,
    list_csv,
    parse_list_csv,
    plate_entry,
)
from custom_components.anpr.core.validity import Validity
from custom_components.anpr.protocols.models import PlateRead

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub


def test_plate_entry_checks_every_field() -> None:
    """The one validator behind the actions, the options-flow editor and the panel."""
    lists = PlateLists()
    lists.set_group(PlateGroup(id="family", name="Family", category="allowed"))
    entry = plate_entry(
        lists, plate="ab-12 cde", group="FAMILY", description="", aliases=["", "AB12C0E"],
        cameras=["cam1"], validity="Tue 09:00-12:00", rules=[" AB1[0-9]CDE ", "  "],
    )  # fmt: skip
    assert entry == PlateEntry(
        plate="AB12CDE", group="family", description=None, aliases=["AB12C0E"],
        cameras=["cam1"], rules=["AB1[0-9]CDE"], validity=Validity.parse("Tue 09:00-12:00"),
    )  # fmt: skip
    assert plate_entry(lists, plate="X1", group="alert").validity is None
    with pytest.raises(InvalidPlateEntry) as caught:
        plate_entry(lists, plate="--", group="nope", validity="Funday", rules=["AB(", "ok"])
    problems = caught.value.problems
    assert [(p.field, p.error) for p in problems] == [
        ("plate", "invalid_plate"), ("group", "unknown_group"),
        ("validity", "invalid_validity"), ("rules", "invalid_rule"),
    ]  # fmt: skip
    assert problems[0].placeholders == {"plate": "--"}
    assert problems[1].placeholders == {"group": "nope"}
    assert problems[2].placeholders["validity"] == "Funday" and problems[2].placeholders["error"]
    assert problems[3].placeholders["rule"] == "AB(" and problems[3].placeholders["error"]


def test_lists_round_trip_and_group_removal() -> None:
    lists = PlateLists()
    lists.set_group(PlateGroup(id="family", name="Family", category="allowed", icon="mdi:home"))
    lists.add(PlateEntry(plate="ab12 cde", group="family", description="Alice",
                         aliases=["AB12C0E"], cameras=["cam1"], rules=["AB1[0-9]CDE"],
                         validity=Validity.parse("Tue 09:00-12:00")))  # fmt: skip
    lists.add(PlateEntry(plate="XY51ZZZ", group="alert"))
    again = PlateLists.from_dict(lists.as_dict())
    entry = again.get("AB12CDE", "family")
    assert entry is not None and entry.validity == Validity.parse("Tue 09:00-12:00")
    assert entry.aliases == ["AB12C0E"] and entry.cameras == ["cam1"]
    assert again.groups["family"].icon == "mdi:home"
    revision = again.revision
    assert again.remove_group("family") == 1
    assert again.revision > revision and again.exact("AB12C0E") == []
    # Broken stored entries are skipped, the rest loads.
    data = lists.as_dict()
    data["entries"].append({"plate": "BAD", "group": "nope"})
    data["entries"].append({"plate": "X1ABC", "group": "alert", "validity": {"start_time": "x"}})
    assert len(PlateLists.from_dict(data).entries) == 2


def test_csv_round_trip() -> None:
    lists = PlateLists()
    good, problems = parse_list_csv(
        "AB12CDE,Allowed,\"Alice, Bob\",Mon-Fri 08:00-18:00,AB12C0E;AB12CD,cam1\n", lists
    )
    assert problems == []
    for entry in good:
        lists.add(entry)
    text = list_csv(lists)
    again, problems = parse_list_csv(text, PlateLists())
    assert problems == [] and len(again) == 1
    assert again[0].description == "Alice, Bob" and again[0].aliases == ["AB12C0E", "AB12CD"]
    assert again[0].validity == Validity.parse("Mon-Fri 08:00-18:00")


async def _options(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["settings", "lists"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "lists"}
    )
    assert result["type"] is FlowResultType.MENU and result["step_id"] == "lists"
    return result


async def _pick(hass: HomeAssistant, result: dict[str, Any], step: str) -> dict[str, Any]:
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def _submit(hass: HomeAssistant, result: dict[str, Any], data: dict[str, Any]) -> Any:
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


async def test_editor_groups_and_plates(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    camera_id = await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    events = PlateEvents(hass)
    lists = entry.runtime_data.lists.lists
    menu = await _options(hass, entry)

    # Add a group; a duplicate name is refused.
    form = await _pick(hass, menu, "add_group")
    assert form["step_id"] == "add_group"
    menu = await _submit(hass, form, {"name": "Family", "category": "allowed",
                                      "priority": "medium", "icon": "mdi:home"})
    assert menu["type"] is FlowResultType.MENU and "family" in lists.groups
    form = await _pick(hass, menu, "add_group")
    bad = await _submit(hass, form, {"name": "family", "category": "alert", "priority": "high"})
    assert bad["errors"] == {"name": "group_exists"}
    menu = await _submit(hass, bad, {"name": "Visitors", "category": "allowed",
                                     "priority": "low"})
    assert "visitors" in lists.groups

    # Add a plate with every detail; bad validity / rule / plate are field errors.
    form = await _pick(hass, menu, "add_plate")
    bad = await _submit(hass, form, {"plate": "--", "group": "family", "validity": "Funday",
                                     "rules": ["AB("]})
    assert bad["errors"] == {"plate": "invalid_plate", "validity": "invalid_validity",
                             "rules": "invalid_rule"}  # fmt: skip
    menu = await _submit(hass, bad, {
        "plate": "ab12 cde", "group": "family", "description": "Alice",
        "aliases": ["AB12C0E"], "cameras": [camera_id], "validity": "Mon-Sun 00:00-24:00",
        "rules": ["AB1[0-9]CDE"]})  # fmt: skip
    stored = lists.get("AB12CDE", "family")
    assert stored is not None and stored.cameras == [camera_id] and stored.rules
    # The edit applies to the next read without a reload.
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB17CDE"))
    await events.wait(1)
    assert events.events[0]["event_type"] == "known"
    assert events.events[0]["matched_by"] == "rule"
    assert events.events[0]["list"] == "Family"

    # Edit the plate: move it to Visitors with a new description.
    form = await _pick(hass, menu, "edit_plate")
    missing = await _submit(hass, form, {"plate": "ZZ99ZZZ", "group": "family"})
    assert missing["errors"] == {"plate": "plate_not_listed"}
    details = await _submit(hass, missing, {"plate": "AB12CDE", "group": "family"})
    assert details["step_id"] == "edit_plate_details"
    menu = await _submit(hass, details, {"plate": "AB12CDE", "group": "visitors",
                                         "description": "Alice (visitor)"})
    assert lists.get("AB12CDE", "family") is None
    moved = lists.get("AB12CDE", "visitors")
    assert moved is not None and moved.description == "Alice (visitor)"

    # Edit a group: it becomes an alert list.
    form = await _pick(hass, menu, "edit_group")
    details = await _submit(hass, form, {"group": "visitors"})
    menu = await _submit(hass, details, {"name": "Watched", "category": "alert",
                                         "priority": "critical"})
    assert lists.groups["visitors"].name == "Watched"
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE"))
    await events.wait(2)
    assert events.events[1]["event_type"] == "alert"

    # Paste many: plain plates and CSV rows; bad rows are reported, good ones kept.
    form = await _pick(hass, menu, "paste_plates")
    result = await _submit(hass, form, {
        "group": "family",
        "plates": "KL12MNO\nQQ11 QQQ\nXY51ZZZ,Stolen,,\nRS12TUV,alert,Van,Mon-Fri\n,,\n"})
    assert result["step_id"] == "paste_result"
    assert result["description_placeholders"]["added"] == "3"
    assert result["description_placeholders"]["rejected"] == "1"
    assert "unknown_group" in result["description_placeholders"]["problems"]
    menu = await _submit(hass, result, {})
    assert lists.get("QQ11QQQ", "family") is not None
    assert lists.get("RS12TUV", "alert") is not None

    # Remove plates (one per line) and a whole group.
    form = await _pick(hass, menu, "remove_plates")
    nothing = await _submit(hass, form, {"plates": "NOPE1"})
    assert nothing["errors"] == {"plates": "plate_not_listed"}
    menu = await _submit(hass, nothing, {"plates": "KL12MNO\nqq11qqq"})
    assert lists.get("KL12MNO", "family") is None and lists.get("QQ11QQQ", "family") is None
    form = await _pick(hass, menu, "remove_group")
    menu = await _submit(hass, form, {"group": "visitors"})
    assert "visitors" not in lists.groups and lists.get("AB12CDE", "visitors") is None

    # Done: options unchanged, no reload, lists saved to storage.
    done = await _pick(hass, menu, "done")
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.runtime_data.lists.lists is lists


async def test_editor_races_and_blank_lines(hass: HomeAssistant) -> None:
    """Lists changed by an action while a form is open; blank lines; the hub going away."""
    entry = await async_setup_hub(hass)
    lists = entry.runtime_data.lists.lists
    menu = await _options(hass, entry)
    form = await _pick(hass, menu, "add_group")
    menu = await _submit(hass, form, {"name": "Temp", "category": "allowed",
                                      "priority": "low"})
    assert "temp" in lists.groups

    # The group disappears (another tab, an action) while these forms are open.
    remove_form = await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": "remove_group"}
    )
    lists.remove_group("temp")
    menu = await _submit(hass, remove_form, {"group": "temp"})
    assert menu["type"] is FlowResultType.MENU and "temp" not in lists.groups

    add_form = await _pick(hass, menu, "add_plate")
    await hass.services.async_call(
        "anpr", "add_plate", {"plate": "KEEP1", "group": "allowed"}, blocking=True
    )
    lists.groups.pop("allowed")  # deleted under the open form
    bad = await _submit(hass, add_form, {"plate": "AB12CDE", "group": "allowed"})
    assert bad["errors"] == {"group": "unknown_group"}

    # Removing plates ignores blank lines.
    result = await _options(hass, entry)
    remove = await _pick(hass, result, "remove_plates")
    assert lists.entries
    menu = await _submit(hass, remove, {"plates": "\n  \nKEEP1\n"})
    assert menu["type"] is FlowResultType.MENU
    assert lists.get("KEEP1", "allowed") is None

    # The hub is unloaded while a plate is being edited: the editor closes cleanly.
    await hass.services.async_call(
        "anpr", "add_plate", {"plate": "ED17AAA", "group": "alert"}, blocking=True
    )
    result = await _options(hass, entry)
    form = await _pick(hass, result, "edit_plate")
    details = await _submit(hass, form, {"plate": "ED17AAA", "group": "alert"})
    assert details["step_id"] == "edit_plate_details"
    assert await hass.config_entries.async_unload(entry.entry_id)
    gone = await _submit(hass, details, {"plate": "ED17AAA", "group": "alert"})
    assert gone["type"] is FlowResultType.ABORT and gone["reason"] == "hub_not_loaded"
