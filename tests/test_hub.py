"""Hub behaviour a user notices: restarts, dynamic cameras, diagnostics, trigger, devices."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.anpr import async_remove_config_entry_device
from custom_components.anpr.const import DOMAIN
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.protocols.models import PlateRead
from tools.emulators.milesight_tcp import fake_jpeg

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub, device_by_identifier

# Recent, so the retention purge (365 days by default) keeps it.
T0 = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)


async def test_restart_keeps_counts_and_last_plate(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", time=T0))
    await events.wait(1)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    # The restored sensor still shows the plate before any new read.
    assert hass.states.get("sensor.gate_last_plate").state == "AB12CDE"
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", time=T0 + timedelta(hours=1)))
    await events.wait(2)
    second = events.events[1]
    assert second["previous_sightings"] == 1
    assert second["last_sighting"] == T0.isoformat()


async def test_ignored_and_listed_plates(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    await hass.services.async_call(
        DOMAIN, "add_plate", {"plate": "ab 12 cde", "group": "allowed", "description": "Alice"},
        blocking=True,
    )
    await hass.services.async_call(
        DOMAIN, "add_plate", {"plate": "IGN0RE", "group": "ignored"}, blocking=True
    )
    await hass.services.async_call(
        DOMAIN, "add_plate", {"plate": "BAD1", "group": "alert"}, blocking=True
    )
    events = PlateEvents(hass)
    source = kinds.RUNNING["Gate"]
    source.push(PlateRead(plate="IGN0RE", time=T0))
    source.push(PlateRead(plate="AB12CDE", time=T0))
    source.push(PlateRead(plate="BAD1", time=T0))
    await events.wait(2)
    await hass.async_block_till_done()
    assert [e["plate"] for e in events.events] == ["AB12CDE", "BAD1"]
    assert events.events[0]["event_type"] == "known"
    assert events.events[0]["description"] == "Alice"
    assert events.events[1]["event_type"] == "alert"
    assert hass.states.get("event.gate_plate").attributes["event_type"] == "alert"
    # The ignored plate is still recorded and shown on the sensor, but fires no event.
    await hass.services.async_call(
        DOMAIN, "remove_plate", {"plate": "AB12CDE"}, blocking=True
    )
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "remove_plate", {"plate": "AB12CDE"}, blocking=True
        )
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "add_plate", {"plate": "X1", "group": "nope"}, blocking=True
        )


async def test_trigger_button_and_action(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "trigger": True, "stream": True})
    events = PlateEvents(hass)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.gate_read_plate"}, blocking=True
    )
    await events.wait(1)
    assert events.plates == ["TRIG1"]
    device = device_by_identifier(hass, sid)
    assert device is not None
    assert device.model == "Test cam"
    assert device.configuration_url == "http://127.0.0.1/test"
    await hass.services.async_call(
        DOMAIN, "trigger_recognition", {"device_id": device.id}, blocking=True
    )
    # Same plate again within the repeat window: merged into the same sighting, no new event.
    assert kinds.TestSource.triggered >= 2
    await hass.async_block_till_done()
    assert len(events.events) == 1
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN, "trigger_recognition", {"device_id": "nope"}, blocking=True
        )
    # A camera kind that cannot trigger says so, translated.
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Side", "stream": True})
    side = device_by_identifier(
        hass, next(s for s, v in entry.subentries.items() if v.title == "Side")
    )
    with pytest.raises(HomeAssistantError, match="cannot read a plate on demand"):
        await hass.services.async_call(
            DOMAIN, "trigger_recognition", {"device_id": side.id}, blocking=True
        )


async def test_remove_camera_and_stale_device(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    assert hass.states.get("sensor.gate_last_plate") is not None
    registry = dr.async_get(hass)
    device = device_by_identifier(hass, sid)
    assert not await async_remove_config_entry_device(hass, entry, device)
    hass.config_entries.async_remove_subentry(entry, sid)
    await hass.async_block_till_done()
    assert "Gate" not in kinds.RUNNING
    assert device_by_identifier(hass, sid) is None
    stale = registry.async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "old-camera")}
    )
    assert await async_remove_config_entry_device(hass, entry, stale)


async def test_diagnostics_redacted(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass, options={"dvla_api_key": "secret-key"})
    await async_add_camera(
        hass, entry, kinds.KIND,
        {"name": "Gate", "username": "admin", "password": "hunter2", "serial": "SN9"},
    )
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", time=T0))
    await hass.async_block_till_done()
    diag = await async_get_config_entry_diagnostics(hass, entry)
    text = repr(diag)
    for secret in ("hunter2", "secret-key", "SN9", "AB12CDE", "admin"):
        assert secret not in text
    assert diag["history"]["sightings"] == 1
    camera = next(iter(diag["cameras"].values()))
    assert camera["counters"]["reads"] == 1


async def test_entities_unavailable_when_hub_unloaded(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.gate_last_plate").state == STATE_UNAVAILABLE


async def test_picture_served_through_image_proxy(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    from custom_components.anpr.protocols.models import ImageRole, ReadImage  # noqa: PLC0415

    await async_setup_component(hass, "http", {})
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    jpeg = fake_jpeg(320, 240)  # real pictures: ones that do not decode are never served
    crop = fake_jpeg(160, 40)
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(
        PlateRead(plate="AB12CDE", time=T0, images=[ReadImage(jpeg), ReadImage(crop, role=ImageRole.PLATE)])
    )
    await events.wait(1)
    await hass.async_block_till_done()
    client = await hass_client()
    for entity_id, expected in (("image.gate_picture", jpeg), ("image.gate_plate_picture", crop)):
        resp = await client.get(f"/api/image_proxy/{entity_id}")
        assert resp.status == 200
        assert await resp.read() == expected
    assert hass.states.get("sensor.gate_last_plate").attributes["image_url"] == (
        "/api/image_proxy/image.gate_picture"
    )


async def test_unknown_kind_does_not_stop_hub(hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> None:
    from types import MappingProxyType  # noqa: PLC0415

    from homeassistant.config_entries import ConfigSubentry  # noqa: PLC0415

    entry = MockConfigEntry(
        domain=DOMAIN, title="ANPR", data={},
        subentries_data=[{"data": {"kind": "retired"}, "subentry_type": "camera", "title": "Old", "unique_id": None}],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert "unknown source kind" in caplog.text
    del MappingProxyType, ConfigSubentry


async def test_reads_diagnostic_sensor_disabled_by_default(hass: HomeAssistant) -> None:
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    reg = er.async_get(hass)
    item = reg.async_get("sensor.gate_reads_received")
    assert item is not None and item.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    reg.async_update_entity("sensor.gate_reads_received", disabled_by=None)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", time=T0))
    await events.wait(1)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.gate_reads_received").state == "1"


async def test_catch_up_and_manual_reads_are_flagged(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", time=T0, extra={"catch_up": True}))
    await events.wait(1)
    await hass.async_block_till_done()
    assert events.events[0]["catch_up"] is True
    assert events.events[0]["manual"] is False
    assert hass.states.get("event.gate_plate").attributes["catch_up"] is True
    assert hass.states.get("sensor.gate_last_plate").attributes["catch_up"] is True


async def test_history_database_unusable_retries_setup(
    hass: HomeAssistant, isolated_history
) -> None:
    """The sightings database cannot be opened (a folder in its place): setup retries later."""
    from homeassistant.config_entries import ConfigEntryState  # noqa: PLC0415

    isolated_history.mkdir()
    entry = MockConfigEntry(domain=DOMAIN, title="ANPR", data={})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_trigger_on_camera_that_did_not_start(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(
        hass, entry, kinds.KIND, {"name": "Broken", "trigger": True, "fail": "start"}
    )
    device = device_by_identifier(hass, sid)
    with pytest.raises(HomeAssistantError, match="Camera Broken is not running"):
        await hass.services.async_call(
            DOMAIN, "trigger_recognition", {"device_id": device.id}, blocking=True
        )


async def test_renamed_sensor_shows_current_plate(hass: HomeAssistant) -> None:
    """An entity re-added while the camera has a sighting shows it at once."""
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", time=T0))
    await events.wait(1)
    er.async_get(hass).async_update_entity(
        "sensor.gate_last_plate", new_entity_id="sensor.drive_gate_plate"
    )
    await hass.async_block_till_done()
    state = hass.states.get("sensor.drive_gate_plate")
    assert state.state == "AB12CDE"
    assert state.attributes["camera"] == "Gate"


async def test_cameras_removed_back_to_back_all_stop(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Deleting several cameras at once (no wait in between) leaves none running."""
    entry = await async_setup_hub(hass)
    ids = [
        await async_add_camera(
            hass, entry, kinds.KIND, {"name": f"Cam {n}", "stream": True, "fail": "slow"}
        )
        for n in range(6)
    ]
    for sid in ids:
        hass.config_entries.async_remove_subentry(entry, sid)
        await asyncio.sleep(0.01)  # the next deletion lands while cameras are still stopping
    await hass.async_block_till_done()
    assert entry.runtime_data.cameras == {}
    assert not [name for name in kinds.RUNNING if name.startswith("Cam ")]
    assert "unknown subentry" not in caplog.text
    # Every camera sensor is gone; only the hub's own site sensor (vehicles on site) stays.
    assert hass.states.async_entity_ids("sensor") == ["sensor.anpr_site_vehicles_on_site"]
