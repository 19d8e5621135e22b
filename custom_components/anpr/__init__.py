"""The ANPR integration: number-plate reads from ANPR cameras, natively in Home Assistant."""

from __future__ import annotations

from homeassistant.const import EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, LOGGER
from .coordinator import AnprConfigEntry, AnprRuntime, history_path
from .data import async_setup_data
from .mirror import async_setup_mirror  # MQTT mirror (issue #7)
from .services import async_setup_services
from .store import HistoryStore, ListStore
from .ui import async_setup_http, async_setup_ui
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
    """Set up the hub: stores, pipeline, then every camera subentry."""
    lists = ListStore(hass)
    await lists.async_load()
    history = HistoryStore(hass, history_path(hass))
    try:
        await history.async_open()
    except Exception as err:  # sqlite3.Error, OSError
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="history_unavailable",
            translation_placeholders={"error": str(err)},
        ) from err
    runtime = AnprRuntime(hass=hass, entry=entry, lists=lists, history=history)
    entry.runtime_data = runtime
    await async_setup_data(hass, entry)  # issue 6: vehicles, DVLA, retention (data.py)
    # MQTT mirror (issue #7): off by default; registers its sighting hook and unload itself.
    await async_setup_mirror(hass, entry)
    # Panel, card and live feed of the UI (issue 15): after the other hooks, so a new
    # sighting reaches the panel once the event fired and the other hooks ran.
    await async_setup_ui(hass, entry)
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
