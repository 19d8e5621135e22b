"""The read pipeline as a user sees it: repeat merging, direction modes, filters, failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest

from custom_components.anpr.protocols.models import Direction, ImageRole, PlateRead, ReadImage
from tools.emulators.milesight_tcp import fake_jpeg

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub

T0 = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)
# Real pictures: ones that do not decode are dropped by the validation step.
JPEG_A = fake_jpeg(64, 48, 1)
JPEG_B = fake_jpeg(64, 48, 2)
CROP = fake_jpeg(32, 8)


async def _camera(hass: HomeAssistant, **data: object) -> kinds.TestSource:
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True, **data})
    return kinds.RUNNING["Gate"]


async def test_repeat_reads_improve_one_sighting(hass: HomeAssistant) -> None:
    """Reads of one vehicle inside the window: one event; best confidence and details win."""
    source = await _camera(hass)
    events = PlateEvents(hass)
    source.push(PlateRead(plate="AB12CDE", time=T0, confidence=0.6,
                          images=[ReadImage(JPEG_A)]))
    await events.wait(1)
    source.push(PlateRead(plate="AB 12 CDE", time=T0 + timedelta(seconds=1), confidence=0.95,
                          direction=Direction.IN, direction_raw="forward", country="GB",
                          vehicle_colour="blue",
                          images=[ReadImage(JPEG_B), ReadImage(CROP, role=ImageRole.PLATE)]))
    await hass.async_block_till_done()
    assert len(events.events) == 1
    attrs = hass.states.get("sensor.gate_last_plate").attributes
    assert attrs["confidence"] == 0.95
    assert attrs["direction"] == "in"
    assert attrs["country"] == "GB"
    assert attrs["vehicle_colour"] == "blue"
    assert attrs["reads"] == 2
    entry = hass.config_entries.async_entries("anpr")[0]
    camera = next(iter(entry.runtime_data.cameras.values()))
    assert camera.last_sighting is not None
    assert camera.last_sighting.image(ImageRole.FULL).data == JPEG_B
    assert camera.last_sighting.image(ImageRole.PLATE).data == CROP
    # A worse later read inside the window does not replace the better picture.
    source.push(PlateRead(plate="AB12CDE", time=T0 + timedelta(seconds=2), confidence=0.5,
                          images=[ReadImage(JPEG_A)]))
    await hass.async_block_till_done()
    assert camera.last_sighting.image(ImageRole.FULL).data == JPEG_B


@pytest.mark.parametrize(
    ("mode", "reported", "expected"),
    [
        ("swapped", Direction.IN, "out"),
        ("swapped", Direction.OUT, "in"),
        ("swapped", Direction.UNKNOWN, "unknown"),
        ("entry_only", Direction.OUT, "in"),
        ("exit_only", Direction.UNKNOWN, "out"),
        ("as_reported", Direction.OUT, "out"),
    ],
)
async def test_direction_modes(
    hass: HomeAssistant, mode: str, reported: Direction, expected: str
) -> None:
    source = await _camera(hass, direction_mode=mode)
    events = PlateEvents(hass)
    source.push(PlateRead(plate="AB12CDE", time=T0, direction=reported))
    await events.wait(1)
    assert events.events[0]["direction"] == expected


async def test_unusable_reads_are_dropped(hass: HomeAssistant) -> None:
    """No plate, below the minimum confidence, or nothing left after cleaning: no event."""
    source = await _camera(hass, min_confidence=0.5)
    events = PlateEvents(hass)
    source.push(PlateRead(plate="unknown", time=T0))
    source.push(PlateRead(plate="AB12CDE", time=T0, confidence=0.3))
    source.push(PlateRead(plate="- . -", time=T0))
    source.push(PlateRead(plate="CD34EFG", time=T0, confidence=0.8))
    await events.wait(1)
    await hass.async_block_till_done()
    assert events.plates == ["CD34EFG"]
    entry = hass.config_entries.async_entries("anpr")[0]
    stats = entry.runtime_data.pipeline.stats
    # A "no plate" sentinel reaches the pipeline (it counts it); a plate with nothing left
    # after removing separators is dropped by the validation step.
    camera = next(iter(entry.runtime_data.cameras.values()))
    assert camera.validation["dropped"] == {"empty_plate": 1}
    assert stats["dropped_no_plate"] == 1
    assert stats["dropped_low_confidence"] == 1


async def test_broken_read_does_not_stop_the_camera(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A source bug (a direction that is no Direction) is logged and counted; the next read
    still arrives. (A naive timestamp never gets this far: validation fixes it.)"""
    source = await _camera(hass)
    events = PlateEvents(hass)
    source.push(PlateRead(plate="AB12CDE", time=T0))
    await events.wait(1)
    source.push(PlateRead(plate="AB12CDX", time=T0, direction="sideways"))  # type: ignore[arg-type]
    source.push(PlateRead(plate="ZZ99ZZZ", time=T0))
    await events.wait(2)
    assert "Could not process a read from camera Gate" in caplog.text
    entry = hass.config_entries.async_entries("anpr")[0]
    assert next(iter(entry.runtime_data.cameras.values())).counters["errors"] == 1


async def test_camera_that_fails_to_start_does_not_stop_the_hub(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Broken", "stream": True,
                                                     "fail": "start"})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    assert "Camera Broken could not start" in caplog.text
    assert hass.states.get("sensor.broken_last_plate").state == STATE_UNAVAILABLE
    assert hass.states.get("binary_sensor.broken_connectivity").state == "off"
    events = PlateEvents(hass)
    kinds.RUNNING["Gate"].push(PlateRead(plate="AB12CDE", time=T0))
    await events.wait(1)


async def test_camera_failing_to_stop_or_restart_is_logged(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await async_setup_hub(hass)
    sid = await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True,
                                                           "fail": "stop"})
    sub = entry.subentries[sid]
    # Reconfigured so that it no longer starts: logged, entities unavailable, hub still up.
    hass.config_entries.async_update_subentry(entry, sub, data={**sub.data, "fail": "start"})
    await hass.async_block_till_done()
    assert "Error stopping camera Gate" in caplog.text
    assert "Camera Gate could not restart" in caplog.text
    assert hass.states.get("sensor.gate_last_plate").state == STATE_UNAVAILABLE
    # The camera's kind changed underneath (a retired kind replaced): it is rebuilt.
    hass.config_entries.async_update_subentry(
        entry, sub, data={**sub.data, "kind": kinds.KIND_PATH, "fail": ""}
    )
    await hass.async_block_till_done()
    assert entry.runtime_data.cameras[sid].spec.kind == kinds.KIND_PATH
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_non_stream_camera_reporting_connection_logs_nothing(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A push camera that says it is connected (first contact) is not a 'recovery'."""
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND_PATH, {"name": "Gate", "serial": "/x"})
    source = kinds.RUNNING["Gate"]
    source.ctx.set_connected(True)
    await hass.async_block_till_done()
    assert "is connected" not in caplog.text
    source.ctx.set_connected(False)
    source.ctx.set_connected(True)
    assert "Camera Gate is connected" in caplog.text
