"""Device triggers for a camera device: a ``known``, ``unknown`` or ``alert`` vehicle was read.

Shown in the automation editor under the camera's device ("When Front gate reads a known
vehicle"). Each trigger listens to the ``anpr_plate_read`` bus event filtered on the camera's
subentry id and the event type, so it fires exactly when the camera's event entity fires.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import DOMAIN, EVENT_PLATE_READ, EVENT_TYPES

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend({vol.Required(CONF_TYPE): vol.In(EVENT_TYPES)})


def _camera_id(hass: HomeAssistant, device_id: str) -> str | None:
    """Return the camera subentry id of an ANPR camera device (None for other devices)."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    for domain, identifier in device.identifiers:
        if domain == DOMAIN:
            return identifier
    return None


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List ``known`` / ``unknown`` / ``alert`` triggers for an ANPR camera device."""
    if _camera_id(hass, device_id) is None:
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in EVENT_TYPES
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Attach an ``anpr_plate_read`` event trigger for this camera and event type.

    ``trigger.event.data`` in the automation holds the whole sighting (plate, direction,
    confidence, list, description...). Raises InvalidDeviceAutomationConfig when the device
    is not an ANPR camera any more.
    """
    camera_id = _camera_id(hass, config[CONF_DEVICE_ID])
    if camera_id is None:
        raise InvalidDeviceAutomationConfig(f"Device {config[CONF_DEVICE_ID]} is not a camera")
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: EVENT_PLATE_READ,
            CONF_EVENT_DATA: {
                "camera_id": camera_id,
                "event_type": config[CONF_TYPE],
            },
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
