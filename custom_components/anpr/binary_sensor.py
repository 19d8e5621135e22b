"""Binary sensors: each stream camera's connectivity, each listed vehicle's presence on site."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import CameraCoordinator
from .entity import (
    AnprCameraEntity,
    AnprCameraEntityDescription,
    AnprVehicleEntity,
    async_setup_camera_entities,
    async_setup_vehicle_entities,
)
from .runtime import AnprConfigEntry
from .vehicles import VehicleState

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AnprCameraBinarySensorDescription(BinarySensorEntityDescription, AnprCameraEntityDescription):
    """A camera binary sensor: on when ``value_fn(camera)``."""

    value_fn: Callable[[CameraCoordinator], bool]


@dataclass(frozen=True, kw_only=True)
class AnprVehicleBinarySensorDescription(BinarySensorEntityDescription):
    """A listed vehicle's binary sensor: on when ``value_fn(vehicle)``."""

    value_fn: Callable[[VehicleState], bool]
    attrs_fn: Callable[[VehicleState], dict[str, Any]]


CAMERA_BINARY_SENSORS = (
    AnprCameraBinarySensorDescription(
        key="connectivity",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        exists_fn=lambda camera: camera.spec.is_stream,
        value_fn=lambda camera: bool(camera.connected),
    ),
)

VEHICLE_BINARY_SENSORS = (
    AnprVehicleBinarySensorDescription(
        key="vehicle_on_site",
        translation_key="vehicle_on_site",
        device_class=BinarySensorDeviceClass.PRESENCE,
        value_fn=lambda vehicle: vehicle.present,
        attrs_fn=lambda vehicle: {
            "plate": vehicle.plate,
            "direction": vehicle.direction,
            "camera": vehicle.last_camera,
        },
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connectivity sensor of every stream camera and the vehicles' presence."""
    async_setup_camera_entities(
        hass, entry, async_add_entities, CAMERA_BINARY_SENSORS, AnprCameraBinarySensor
    )
    async_setup_vehicle_entities(
        hass, entry, async_add_entities, VEHICLE_BINARY_SENSORS, AnprVehicleBinarySensor
    )


class AnprCameraBinarySensor(AnprCameraEntity, BinarySensorEntity):
    """On while ``value_fn(camera)``; always available (it reports the connection itself)."""

    entity_description: AnprCameraBinarySensorDescription

    @property
    def available(self) -> bool:
        """Always available: it reports the connection itself."""
        return True

    @property
    def is_on(self) -> bool:
        """The state from the camera."""
        return self.entity_description.value_fn(self.camera)


class AnprVehicleBinarySensor(AnprVehicleEntity, BinarySensorEntity):
    """On while ``value_fn(vehicle)``; attributes from ``attrs_fn(vehicle)``."""

    entity_description: AnprVehicleBinarySensorDescription

    @property
    def is_on(self) -> bool:
        """The state from the vehicle."""
        return self.entity_description.value_fn(self.vehicle)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Attributes from the vehicle."""
        return self.entity_description.attrs_fn(self.vehicle)
