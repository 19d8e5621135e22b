"""Actions (services) of the ANPR integration, registered once in ``async_setup``.

Errors are translated: bad input raises ``ServiceValidationError``, failures
``HomeAssistantError`` (action-exceptions).
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr

from .const import DOMAIN
from .coordinator import AnprConfigEntry, CameraCoordinator
from .plates import PlateEntry, normalise_plate

SERVICE_ADD_PLATE = "add_plate"
SERVICE_REMOVE_PLATE = "remove_plate"
SERVICE_TRIGGER_RECOGNITION = "trigger_recognition"

ATTR_PLATE = "plate"
ATTR_GROUP = "group"
ATTR_DESCRIPTION = "description"

ADD_PLATE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_PLATE): cv.string,
        vol.Optional(ATTR_GROUP, default="allowed"): cv.string,
        vol.Optional(ATTR_DESCRIPTION): cv.string,
    }
)
REMOVE_PLATE_SCHEMA = vol.Schema(
    {vol.Required(ATTR_PLATE): cv.string, vol.Optional(ATTR_GROUP): cv.string}
)
TRIGGER_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string])})


def async_get_hub(hass: HomeAssistant) -> AnprConfigEntry:
    """Return the loaded hub entry; raises a translated ServiceValidationError otherwise."""
    entries = hass.config_entries.async_entries(DOMAIN)
    for entry in entries:
        if entry.state is ConfigEntryState.LOADED:
            return entry  # type: ignore[return-value]
    raise ServiceValidationError(translation_domain=DOMAIN, translation_key="hub_not_loaded")


def _group_id(entry: AnprConfigEntry, group: str) -> str:
    lists = entry.runtime_data.lists.lists
    for gid, item in lists.groups.items():
        if group in (gid, item.name) or group.casefold() == item.name.casefold():
            return gid
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_group",
        translation_placeholders={"group": group},
    )


def camera_for_device(hass: HomeAssistant, device_id: str) -> CameraCoordinator:
    """Return the running camera of a device; raises ServiceValidationError."""
    entry = async_get_hub(hass)
    device = dr.async_get(hass).async_get(device_id)
    if device is not None:
        for domain, ident in device.identifiers:
            if domain == DOMAIN and ident in entry.runtime_data.cameras:
                return entry.runtime_data.cameras[ident]
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_camera",
        translation_placeholders={"device_id": device_id},
    )


async def _async_add_plate(call: ServiceCall) -> None:
    entry = async_get_hub(call.hass)
    plate = normalise_plate(call.data[ATTR_PLATE])
    if not plate:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_plate",
            translation_placeholders={"plate": call.data[ATTR_PLATE]},
        )
    group = _group_id(entry, call.data[ATTR_GROUP])
    store = entry.runtime_data.lists
    store.lists.add(
        PlateEntry(plate=plate, group=group, description=call.data.get(ATTR_DESCRIPTION))
    )
    store.async_schedule_save()


async def _async_remove_plate(call: ServiceCall) -> None:
    entry = async_get_hub(call.hass)
    group = _group_id(entry, call.data[ATTR_GROUP]) if ATTR_GROUP in call.data else None
    store = entry.runtime_data.lists
    if not store.lists.remove(call.data[ATTR_PLATE], group):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="plate_not_listed",
            translation_placeholders={"plate": normalise_plate(call.data[ATTR_PLATE])},
        )
    store.async_schedule_save()


async def _async_trigger(call: ServiceCall) -> None:
    from .button import async_trigger  # noqa: PLC0415 - avoid a platform import cycle

    for device_id in call.data[ATTR_DEVICE_ID]:
        await async_trigger(camera_for_device(call.hass, device_id))


SERVICES: dict[str, tuple[Any, vol.Schema, SupportsResponse]] = {
    SERVICE_ADD_PLATE: (_async_add_plate, ADD_PLATE_SCHEMA, SupportsResponse.NONE),
    SERVICE_REMOVE_PLATE: (_async_remove_plate, REMOVE_PLATE_SCHEMA, SupportsResponse.NONE),
    SERVICE_TRIGGER_RECOGNITION: (_async_trigger, TRIGGER_SCHEMA, SupportsResponse.NONE),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of :data:`SERVICES`."""
    for name, (handler, schema, supports_response) in SERVICES.items():
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=supports_response
        )
