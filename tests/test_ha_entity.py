"""``ha_entity`` kind: plates from real Home Assistant entities (a UniFi Protect-shaped vehicle
event entity, a real EventEntity and Camera from a test platform, plain sensor states)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
from typing import Any

from homeassistant.components.camera import Camera
from homeassistant.components.event import EventEntity
from homeassistant.components.image import ImageEntity
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import httpx
import pytest
from pytest_homeassistant_custom_component.common import MockPlatform, mock_platform

from custom_components.anpr.const import SUBENTRY_CAMERA
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.protocols.ha_entity import (
    HaEntityError,
    profile_for,
    read_from_state,
)
from custom_components.anpr.sources import ha_entity as source_module
from tools.emulators.milesight_tcp import fake_jpeg

from .helpers import (
    PlateEvents,
    async_add_camera,
    async_setup_hub,
    image_bytes,
    start_camera_reconfigure,
)

JPEG = fake_jpeg(640, 480, 64)
UFP_EVENT = "event.drive_vehicle"


def ufp_attributes(plate: str, event_id: str, confidence: int = 87) -> dict[str, Any]:
    """Attributes of UniFi Protect's vehicle event entity after a detection (HA core
    ``unifiprotect/event.py`` ``_build_event_data`` plus the event entity's own)."""
    return {
        "event_types": ["detected"],
        "event_type": "detected",
        "event_id": event_id,
        "thumbnail_count": 2,
        "confidence": confidence,
        "clock_best_wall": "2026-12-01T08:15:30.250000+00:00",
        "license_plate": plate,
        "attributes": {"vehicleType": {"val": "suv", "confidence": 90}, "color": {"val": "white"}},
        "friendly_name": "Drive Vehicle",
    }


class VehicleEvent(EventEntity):
    """A real event entity that reports plates in its event data."""

    _attr_event_types = ["detected"]
    _attr_name = "Gate vehicle"
    _attr_unique_id = "gate_vehicle"

    def detect(self, **data: Any) -> None:
        self._trigger_event("detected", data)
        self.async_write_ha_state()


class StillCamera(Camera):
    """A real camera entity whose picture is a fixed JPEG (or fails)."""

    _attr_name = "Gate cam"
    _attr_unique_id = "gate_cam"
    fail = False
    picture: bytes = JPEG
    hold: asyncio.Event | None = None

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        if self.hold is not None:
            await self.hold.wait()
        if self.fail:
            raise HomeAssistantError("camera offline")
        return self.picture


@pytest.fixture
async def entities(hass: HomeAssistant) -> tuple[VehicleEvent, StillCamera]:
    event, camera = VehicleEvent(), StillCamera()

    async def setup_event(hass: HomeAssistant, config: Any, add: Any, info: Any = None) -> None:
        add([event])

    async def setup_camera(hass: HomeAssistant, config: Any, add: Any, info: Any = None) -> None:
        add([camera])

    mock_platform(hass, "test.event", MockPlatform(async_setup_platform=setup_event))
    mock_platform(hass, "test.camera", MockPlatform(async_setup_platform=setup_camera))
    assert await async_setup_component(hass, "event", {"event": {"platform": "test"}})
    assert await async_setup_component(hass, "camera", {"camera": {"platform": "test"}})
    await hass.async_block_till_done()
    return event, camera


def ufp_entity(hass: HomeAssistant) -> None:
    """Register the vehicle entity under the unifiprotect platform and give it a past event."""
    er.async_get(hass).async_get_or_create(
        "event", "unifiprotect", "cam1_vehicle", suggested_object_id="drive_vehicle"
    )
    hass.states.async_set(UFP_EVENT, "2026-12-01T08:00:00.000+00:00", ufp_attributes("OLD1", "e0"))


async def test_unifi_protect_vehicle_events(hass: HomeAssistant) -> None:
    """UniFi Protect defaults: plate, 0-100 confidence, event id, best-frame time, vehicle."""
    ufp_entity(hass)
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    sid = await async_add_camera(
        hass, entry, "ha_entity", {"name": "Drive", "entities": [UFP_EVENT], "repeat_window": 0}
    )
    assert hass.states.get("binary_sensor.drive_connectivity").state == "on"
    hass.states.async_set(UFP_EVENT, "2026-12-01T08:15:31+00:00", ufp_attributes("AB12CDE", "e1"))
    await events.wait(1)
    (event,) = events.events
    assert event["plate"] == "AB12CDE"
    assert event["confidence"] == pytest.approx(0.87)
    assert event["vendor_id"] == "e1"
    assert event["time"] == "2026-12-01T08:15:30.250000+00:00"
    assert event["vehicle_type"] == "suv" and event["vehicle_colour"] == "white"
    assert event["source"] == "ha_entity"
    # Unavailable (Protect reconnecting), then back with its last state: not a vehicle.
    hass.states.async_set(UFP_EVENT, "unavailable", {})
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.drive_connectivity").state == "off"
    hass.states.async_set(UFP_EVENT, "2026-12-01T08:15:31+00:00", ufp_attributes("AB12CDE", "e1"))
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.drive_connectivity").state == "on"
    # A detection without a plate (no LPR on this camera) is not a read.
    no_plate = ufp_attributes("", "e2")
    hass.states.async_set(UFP_EVENT, "2026-12-01T08:16:00.000+00:00", no_plate)
    hass.states.async_set(UFP_EVENT, "2026-12-01T08:17:00+00:00", ufp_attributes("KM19XYZ", "e3"))
    await events.wait(2)
    assert events.plates == ["AB12CDE", "KM19XYZ"]
    source = entry.runtime_data.cameras[sid].source
    assert source.diagnostics()["counters"]["reads"] == 2
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.enable_socket
async def test_real_event_entity_with_camera_picture(
    hass: HomeAssistant, entities: tuple[VehicleEvent, StillCamera], hass_client: Any
) -> None:
    """A real EventEntity of another integration, picture from a real camera entity."""
    event_entity, camera = entities
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await async_add_camera(
        hass,
        entry,
        "ha_entity",
        {"name": "Gate", "entities": ["event.gate_vehicle"], "picture_entity": "camera.gate_cam",
         "repeat_window": 0},
    )  # fmt: skip
    event_entity.detect(license_plate="GA7E111", confidence=0.91)
    await events.wait(1)
    assert events.events[0]["plate"] == "GA7E111"
    assert events.events[0]["confidence"] == pytest.approx(0.91)
    assert events.events[0]["images"] == ["full"]
    await hass.async_block_till_done()
    assert await image_bytes(hass, hass_client, "image.gate_picture") == JPEG
    camera.fail = True
    event_entity.detect(license_plate="NOPIC12")
    await events.wait(2)
    assert events.events[1]["images"] == []
    camera.fail = False
    camera.picture = b"<html>no picture</html>"
    event_entity.detect(license_plate="HTML123")
    await events.wait(3)
    assert events.events[2]["images"] == []
    source = entry.runtime_data.cameras[next(iter(entry.subentries))].source
    assert source.diagnostics()["counters"]["picture_failures"] == 2
    # A read waiting for its picture when the hub unloads is delivered without it.
    camera.hold = asyncio.Event()
    event_entity.detect(license_plate="LAST123")
    await hass.async_block_till_done(wait_background_tasks=False)
    assert len(events.events) == 3
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert events.plates[-1] == "LAST123"
    camera.hold.set()


async def test_sensor_states_and_chosen_attribute(hass: HomeAssistant) -> None:
    """A plate sensor (state) and a sensor with the plate in a user-named attribute."""
    hass.states.async_set("sensor.lpr_plate", "unknown")
    hass.states.async_set("sensor.lpr_info", "idle", {"number": "AAA111", "speed": 3})
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await async_add_camera(
        hass, entry, "ha_entity",
        {"name": "Plates", "entities": ["sensor.lpr_plate"], "repeat_window": 0},
    )  # fmt: skip
    await async_add_camera(
        hass, entry, "ha_entity",
        {"name": "Info", "entities": ["sensor.lpr_info"], "plate_attribute": "number",
         "repeat_window": 0},
    )  # fmt: skip
    hass.states.async_set("sensor.lpr_plate", "FR16ATE")
    await events.wait(1)
    hass.states.async_set("sensor.lpr_plate", "unknown")  # Frigate resets its sensor: no read
    hass.states.async_set("sensor.lpr_info", "idle", {"number": "AAA111", "speed": 4})  # same
    hass.states.async_set("sensor.lpr_info", "idle", {"number": "BBB222", "speed": 4})
    await events.wait(2)
    await hass.async_block_till_done()
    assert events.plates == ["FR16ATE", "BBB222"]
    assert [e["camera"] for e in events.events] == ["Plates", "Info"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_hostile_states_are_skipped(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    hass.states.async_set("sensor.lpr_info", "idle", {"plate": "START1"})
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    sid = await async_add_camera(
        hass, entry, "ha_entity",
        {"name": "Info", "entities": ["sensor.lpr_info"], "repeat_window": 0},
    )  # fmt: skip
    hass.states.async_set("sensor.lpr_info", "a", {"plate": ["AB", "CD"]})
    hass.states.async_set("sensor.lpr_info", "b", {"plate": "X" * 10_000})
    hass.states.async_set("sensor.lpr_info", "c", {"plate": {"text": "AB"}})
    hass.states.async_set("sensor.lpr_info", "d", {"plate": "GOOD123"})
    await events.wait(1)
    assert events.plates == ["GOOD123"]
    source = entry.runtime_data.cameras[sid].source
    assert source.diagnostics()["counters"]["bad_states"] == 3
    assert "skipped a state of sensor.lpr_info: attribute plate is a list" in caplog.text
    assert "X" * 100 not in caplog.text
    diag = json.dumps(await async_get_config_entry_diagnostics(hass, entry))
    assert "GOOD123" not in diag
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_flow_errors_and_reconfigure(
    hass: HomeAssistant, entities: tuple[VehicleEvent, StillCamera]
) -> None:
    hass.states.async_set("sensor.lpr_plate", "unknown")
    entry = await async_setup_hub(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "ha_entity"}
    )
    flow_id = result["flow_id"]
    cases = [
        ({"entities": []}, {"entities": "entity_required"}),
        ({"entities": ["sensor.nothing"]}, {"entities": "entity_not_found"}),
        ({"entities": ["sensor.lpr_plate"], "picture_entity": "camera.nothing"},
         {"picture_entity": "entity_not_found"}),
    ]  # fmt: skip
    for change, errors in cases:
        result = await hass.config_entries.subentries.async_configure(
            flow_id, {"name": "Plates"} | change
        )
        assert result["errors"] == errors, change
    result = await hass.config_entries.subentries.async_configure(
        flow_id, {"name": "Plates", "entities": ["sensor.lpr_plate", "event.gate_vehicle"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    (sid,) = entry.subentries
    assert entry.subentries[sid].unique_id == "ha_entity_event.gate_vehicle,sensor.lpr_plate"
    result = await start_camera_reconfigure(hass, entry, sid)
    assert result["step_id"] == "reconfigure_ha_entity"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"entities": ["event.gate_vehicle"], "plate_attribute": " plate_text ",
         "picture_entity": "camera.gate_cam", "repeat_window": 5, "min_confidence": 0,
         "direction_mode": "as_reported"},
    )  # fmt: skip
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    data = entry.subentries[sid].data
    assert data["plate_attribute"] == "plate_text"
    source = entry.runtime_data.cameras[sid].source
    assert isinstance(source, source_module.HaEntitySource)
    assert source.entities == ["event.gate_vehicle"]
    assert source.picture_entity == "camera.gate_cam"
    assert await hass.config_entries.async_unload(entry.entry_id)


def test_profiles_and_parsing() -> None:
    """Defaults per integration; generic sniffing; odd values."""
    assert profile_for("unifiprotect", "event", {}).plate == "license_plate"
    assert profile_for("frigate", "sensor", {"plate": "x"}).plate is None
    assert profile_for(None, "sensor", {"plate_number": "x"}).plate == "plate_number"
    assert profile_for(None, "sensor", {}).plate is None
    assert profile_for("demo", "event", {}).plate == "license_plate"
    generic = profile_for(None, "sensor", {})
    when = datetime(2026, 12, 1, tzinfo=UTC)
    read = read_from_state("sensor.p", "AB12CDE", {"confidence": 93}, generic, changed=when)
    assert read is not None
    assert (read.confidence, read.time) == (0.93, when)
    assert read.vendor_id == f"sensor.p@{when.isoformat()}"
    read = read_from_state("sensor.p", "AB12CDE", {"confidence": 0.5, "event_id": 7}, generic)
    assert read is not None and (read.confidence, read.vendor_id) == (0.5, "7")
    read = read_from_state("sensor.p", "AB1", {"confidence": [1], "event_id": True}, generic)
    assert read is not None and read.confidence is None and read.vendor_id.startswith("sensor.p@")
    assert read_from_state("sensor.p", "unavailable", {}, generic) is None
    assert read_from_state("sensor.p", "NOPLATE", {}, generic) is None
    ufp = profile_for("unifiprotect", "event", {})
    odd = ufp_attributes("AB12CDE", "e1") | {"clock_best_wall": "yesterday", "attributes": "x"}
    read = read_from_state(UFP_EVENT, "2026-12-01T08:00:00+00:00", odd, ufp, changed=when)
    assert read is not None and read.time == when and read.vehicle_type is None
    naive = ufp_attributes("AB12CDE", "e1") | {"clock_best_wall": "2026-12-01T08:00:00"}
    read = read_from_state(UFP_EVENT, "x", naive, ufp)
    assert read is not None and read.time == datetime(2026, 12, 1, 8, tzinfo=UTC)
    with pytest.raises(HaEntityError, match="state longer than"):
        read_from_state("sensor.p", "A" * 40, {}, generic)
    with pytest.raises(HaEntityError, match="is a bool"):
        read_from_state("sensor.p", "x", {"plate": True}, generic, plate_attribute="plate")


class StillImage(ImageEntity):
    """A real image entity (e.g. another integration's snapshot) with a fixed JPEG."""

    _attr_name = "Gate snapshot"
    _attr_unique_id = "gate_snapshot"
    _attr_content_type = "image/jpeg"

    def __init__(self, hass: HomeAssistant) -> None:
        super().__init__(hass)
        self._attr_image_last_updated = datetime.now(UTC)

    async def async_image(self) -> bytes | None:
        return JPEG


@pytest.mark.enable_socket
async def test_picture_from_an_image_entity(hass: HomeAssistant, hass_client_no_auth: Any) -> None:
    """Image entities: through ``image.async_get_image`` where Home Assistant has it, else
    through the entity's own picture URL on Home Assistant's HTTP server."""
    image = StillImage(hass)

    async def setup_image(hass: HomeAssistant, config: Any, add: Any, info: Any = None) -> None:
        add([image])

    mock_platform(hass, "test.image", MockPlatform(async_setup_platform=setup_image))
    assert await async_setup_component(hass, "image", {"image": {"platform": "test"}})
    hass.states.async_set("sensor.lpr_plate", "unknown")
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await async_add_camera(
        hass, entry, "ha_entity",
        {"name": "Plates", "entities": ["sensor.lpr_plate"],
         "picture_entity": "image.gate_snapshot", "repeat_window": 0},
    )  # fmt: skip
    client = await hass_client_no_auth()  # HA's HTTP server on loopback
    await hass.config.async_update(internal_url=str(client.make_url("/")).rstrip("/"))
    hass.states.async_set("sensor.lpr_plate", "IMG1234")
    await events.wait(1)
    assert events.events[0]["images"] == ["full"]
    await hass.async_block_till_done()
    assert await image_bytes(hass, hass_client_no_auth, "image.plates_picture") == JPEG
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.enable_socket
async def test_picture_url_fallback_failures(
    hass: HomeAssistant, hass_client_no_auth: Any
) -> None:
    """The picture-URL path refuses an entity without a picture and an HTTP error."""
    hass.states.async_set("image.none", "2026-12-01T00:00:00+00:00", {})
    hass.states.async_set(
        "image.some", "2026-12-01T00:00:00+00:00", {"entity_picture": "/api/nothing"}
    )
    hass.states.async_set("sensor.lpr_plate", "unknown")
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(
        hass, entry, "ha_entity",
        {"name": "Plates", "entities": ["sensor.lpr_plate"], "picture_entity": "image.none"},
    )  # fmt: skip
    client = await hass_client_no_auth()
    await hass.config.async_update(internal_url=str(client.make_url("/")).rstrip("/"))
    source = entry.runtime_data.cameras[sid].source
    assert isinstance(source, source_module.HaEntitySource)
    with pytest.raises(ValueError, match="has no picture"):
        await source._async_picture_url("image.none")
    with pytest.raises(httpx.HTTPStatusError):
        await source._async_picture_url("image.some")
    assert await hass.config_entries.async_unload(entry.entry_id)
