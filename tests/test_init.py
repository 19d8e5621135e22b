"""Hub lifecycle, pipeline and entities, driven through the generic test kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from custom_components.anpr.protocols.models import Direction, ImageRole, PlateRead, ReadImage
from tools.emulators.milesight_tcp import fake_jpeg

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub

# A real picture: ones that do not decode are dropped by the validation step.
JPEG = fake_jpeg(64, 48)


async def test_read_to_entities(
    hass: HomeAssistant, camera_clock: Callable[[datetime], None]
) -> None:
    # A recorded 2025 capture time: the read arrives a few seconds later (validation window).
    camera_clock(datetime(2025, 6, 2, 9, 31, tzinfo=UTC))
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Drive", "stream": True})
    events = PlateEvents(hass)
    source = kinds.RUNNING["Drive"]
    t0 = datetime(2025, 6, 2, 9, 30, 45, 407000, tzinfo=UTC)
    source.push(PlateRead(plate="b4 dm3n", time=t0, direction=Direction.IN, confidence=0.93,
                          images=[ReadImage(JPEG, role=ImageRole.FULL)]))
    await events.wait(1)
    await hass.async_block_till_done()
    state = hass.states.get("sensor.drive_last_plate")
    assert state.state == "B4DM3N"
    assert state.attributes["direction"] == "in"
    assert state.attributes["previous_sightings"] == 0
    assert state.attributes["camera"] == "Drive"
    event = hass.states.get("event.drive_plate")
    assert event.attributes["event_type"] == "unknown"
    assert event.attributes["plate"] == "B4DM3N"
    image = hass.states.get("image.drive_picture")
    assert image.state != "unknown"
    assert hass.states.get("binary_sensor.drive_connectivity").state == "on"
    assert entry.state is ConfigEntryState.LOADED

    # A repeat read inside the window merges; a later one is a new sighting.
    source.push(PlateRead(plate="B4DM3N", time=t0 + timedelta(seconds=2), confidence=0.99))
    source.push(PlateRead(plate="B4DM3N", time=t0 + timedelta(seconds=60)))
    await events.wait(2)
    await hass.async_block_till_done()
    assert len(events.events) == 2
    assert events.events[1]["previous_sightings"] == 1

    # Disconnection makes entities unavailable.
    source.ctx.set_connected(False)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.drive_last_plate").state == STATE_UNAVAILABLE
    assert hass.states.get("binary_sensor.drive_connectivity").state == "off"

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert "Drive" not in kinds.RUNNING
