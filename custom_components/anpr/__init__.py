"""The ANPR integration: number-plate reads from ANPR cameras, natively in Home Assistant."""

from __future__ import annotations

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, LOGGER
from .hub import async_build_runtime
from .purge import async_setup_retention
from .runtime import AnprConfigEntry
from .services import async_setup_services
from .ui import async_setup_http
from .websocket_api import async_setup_websocket_api

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.IMAGE,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions, the websocket API and the picture view (once, not per entry)."""
    async_setup_services(hass)
    async_setup_websocket_api(hass)
    await async_setup_http(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: AnprConfigEntry) -> bool:
    """Set up the hub: build its runtime once, then the platforms and every camera subentry."""
    runtime = await async_build_runtime(hass, entry)
    entry.runtime_data = runtime
    async_setup_retention(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    await runtime.async_reconcile()
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    entry.async_on_unload(
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, runtime.async_on_stop)
    )
    return True


async def _async_entry_updated(hass: HomeAssistant, entry: AnprConfigEntry) -> None:
    """Subentries added/changed/removed or hub options changed."""
    runtime = entry.runtime_data
    if dict(entry.options) != runtime.options_snapshot:
        LOGGER.debug("Hub options changed; reloading")
        hass.config_entries.async_schedule_reload(entry.entry_id)
        return
    await runtime.async_reconcile()


async def async_unload_entry(hass: HomeAssistant, entry: AnprConfigEntry) -> bool:
    """Stop every camera, close the stores and unload the platforms."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        await entry.runtime_data.async_shutdown()
    return unloaded


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: AnprConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow deleting a device that no longer belongs to a camera subentry (stale devices)."""
    camera_ids = set(entry.runtime_data.cameras)
    return not any(
        ident[0] == DOMAIN and ident[1] in camera_ids for ident in device.identifiers
    )
