"""Connectivity binary sensor for stream cameras (alertStream, TCP, RTSP...)."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import AnprConfigEntry
from .entity import AnprCameraEntity, async_setup_camera_entities
from .vehicles import async_setup_vehicle_entities

PARALLEL_UPDATES = 0

CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
    entity_category=EntityCategory.DIAGNOSTIC,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a connectivity sensor to every stream camera."""
    async_setup_camera_entities(
        hass,
        entry,
        async_add_entities,
        lambda camera: [AnprConnectivity(camera, CONNECTIVITY)] if camera.spec.is_stream else [],
    )
    async_setup_vehicle_entities(hass, entry, async_add_entities, "binary_sensor")  # vehicles.py


class AnprConnectivity(AnprCameraEntity, BinarySensorEntity):
    """On while the camera's stream is connected; itself always available."""

    @property
    def available(self) -> bool:
        """Always available: it reports the connection itself."""
        return True

    @property
    def is_on(self) -> bool:
        """True while connected."""
        return bool(self.camera.connected)
