"""Vehicle devices: last seen, last camera, on-site presence (in/out/timeout), restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.anpr.const import DOMAIN
from custom_components.anpr.protocols.models import Direction, PlateRead

from . import kinds
from .helpers import PlateEvents, async_add_camera, async_setup_hub, device_by_identifier


async def _hub(hass: HomeAssistant, **options: Any) -> tuple[MockConfigEntry, PlateEvents]:
    entry = await async_setup_hub(hass, options)
    await async_add_camera(hass, entry, kinds.KIND,
                           {"name": "Entry", "stream": True, "direction_mode": "entry_only"})
    await async_add_camera(hass, entry, kinds.KIND,
                           {"name": "Exit", "stream": True, "direction_mode": "exit_only"})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Drive", "stream": True})
    await hass.services.async_call(DOMAIN, "add_plate", {
        "plate": "AB12CDE", "group": "allowed", "description": "Alice"}, blocking=True)
    await hass.async_block_till_done()
    return entry, PlateEvents(hass)


async def _push(hass: HomeAssistant, events: PlateEvents, camera: str, plate: str,
                **kw: Any) -> None:
    count = len(events.events)
    kw.setdefault("time", dt_util.utcnow())
    kinds.RUNNING[camera].push(PlateRead(plate=plate, **kw))
    await events.wait(count + 1)
    await hass.async_block_till_done()


async def test_vehicle_device_and_presence(hass: HomeAssistant) -> None:
    _entry, events = await _hub(hass, presence_timeout=1)
    device = device_by_identifier(hass, "vehicle_AB12CDE")
    assert device is not None and device.name == "Alice"
    assert hass.states.get("binary_sensor.alice_on_site").state == "off"
    assert hass.states.get("binary_sensor.alice_on_site").attributes["device_class"] == "presence"
    assert hass.states.get("sensor.alice_last_seen").state == "unknown"

    when = dt_util.utcnow().replace(microsecond=0)
    await _push(hass, events, "Entry", "AB12CDE", time=when)
    assert hass.states.get("binary_sensor.alice_on_site").state == "on"
    assert hass.states.get("sensor.alice_last_seen").state == when.isoformat()
    assert hass.states.get("sensor.alice_last_camera").state == "Entry"

    await _push(hass, events, "Exit", "AB12CDE", time=when + timedelta(seconds=30))
    assert hass.states.get("binary_sensor.alice_on_site").state == "off"
    assert hass.states.get("sensor.alice_last_camera").state == "Exit"

    # A fuzzy read (distance 1) of the listed plate counts; unknown direction = seen.
    await _push(hass, events, "Drive", "AB12CDF", time=when + timedelta(seconds=60),
                direction=Direction.UNKNOWN)
    assert hass.states.get("binary_sensor.alice_on_site").state == "on"
    assert hass.states.get("sensor.alice_last_camera").state == "Drive"

    # A late, older read never moves the vehicle back.
    await _push(hass, events, "Exit", "AB12CDE", time=when - timedelta(minutes=5))
    assert hass.states.get("binary_sensor.alice_on_site").state == "on"

    # No sighting for longer than the timeout (1 h): away.
    async_fire_time_changed(hass, when + timedelta(hours=1, minutes=2))
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.alice_on_site").state == "off"
    # Unlisted plates get no device.
    await _push(hass, events, "Entry", "XY51ZZZ")
    assert device_by_identifier(hass, "vehicle_XY51ZZZ") is None


async def test_presence_survives_restart_and_stale_devices_go(hass: HomeAssistant) -> None:
    entry, events = await _hub(hass)
    when = dt_util.utcnow().replace(microsecond=0)
    await _push(hass, events, "Entry", "AB12CDE", time=when)
    assert hass.states.get("binary_sensor.alice_on_site").state == "on"

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.alice_on_site").state == "on"
    assert hass.states.get("sensor.alice_last_seen").state == when.isoformat()
    assert hass.states.get("sensor.alice_last_camera").state == "Entry"

    # New listed plate: its device appears without a reload. Alert lists get vehicle
    # devices only when their group asks for them (stolen-car lists can be huge).
    await hass.services.async_call(DOMAIN, "add_plate", {
        "plate": "ST01LEN", "group": "alert", "description": "Stolen"}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.stolen_on_site") is None
    await hass.services.async_call(DOMAIN, "add_plate", {
        "plate": "KL12MNO", "group": "allowed", "description": "Watched van"}, blocking=True)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.watched_van_on_site") is not None

    # Plate leaves the lists: device and entities removed.
    await hass.services.async_call(DOMAIN, "remove_plate", {"plate": "AB12CDE"}, blocking=True)
    await hass.async_block_till_done()
    dr.async_get(hass)
    assert device_by_identifier(hass, "vehicle_AB12CDE") is None
    assert er.async_get(hass).async_get("binary_sensor.alice_on_site") is None
    assert hass.states.get("binary_sensor.alice_on_site") is None
    assert device_by_identifier(hass, "vehicle_KL12MNO") is not None


async def test_expired_presence_is_cleared_at_start(hass: HomeAssistant) -> None:
    entry, events = await _hub(hass, presence_timeout=1)
    await _push(hass, events, "Entry", "AB12CDE", time=dt_util.utcnow() - timedelta(minutes=50))
    assert hass.states.get("binary_sensor.alice_on_site").state == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # HA was off past the timeout.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=20))
    hass.config_entries.async_update_entry(entry, options=entry.options | {"presence_timeout": 0.5})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.alice_on_site").state == "off"
