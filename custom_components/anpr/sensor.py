"""Sensors: each camera's last plate and read count, each listed vehicle's last sighting, the site.

The last-plate sensor's attributes are the sighting (:meth:`Sighting.as_dict
<.core.sighting.Sighting.as_dict>`, anpr2mqtt's names where it has one) without the trace
fields, plus ``image_url``; they are restored after a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import ATTR_FRIENDLY_NAME, PERCENTAGE, EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .coordinator import CameraCoordinator
from .core.sighting import TRACE_FIELDS, SightingUpdate
from .entity import (
    AnprCameraEntity,
    AnprCameraEntityDescription,
    AnprSiteEntity,
    AnprSiteEntityDescription,
    AnprVehicleEntity,
    async_setup_camera_entities,
    async_setup_vehicle_entities,
)
from .runtime import AnprConfigEntry
from .site import SiteRuntime
from .vehicles import VehicleState

PARALLEL_UPDATES = 0


def sighting_attributes(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the last-plate sensor's attributes of a sighting (no ``image_url`` yet)."""
    return {key: value for key, value in payload.items() if key not in TRACE_FIELDS}


@dataclass(frozen=True, kw_only=True)
class AnprCameraSensorDescription(SensorEntityDescription, AnprCameraEntityDescription):
    """A camera sensor: its state from the camera; ``restore`` keeps it across restarts."""

    value_fn: Callable[[CameraCoordinator], StateType]
    restore: bool = False


@dataclass(frozen=True, kw_only=True)
class AnprVehicleSensorDescription(SensorEntityDescription):
    """A listed vehicle's sensor: its state from the vehicle's state."""

    value_fn: Callable[[VehicleState], StateType | datetime]


@dataclass(frozen=True, kw_only=True)
class AnprSiteSensorDescription(SensorEntityDescription, AnprSiteEntityDescription):
    """A site sensor: its state from the site."""

    value_fn: Callable[[SiteRuntime], StateType]


CAMERA_SENSORS = (
    AnprCameraSensorDescription(
        key="last_plate",
        translation_key="last_plate",
        value_fn=lambda camera: camera.last.sighting.plate if camera.last else None,
        restore=True,
    ),
    AnprCameraSensorDescription(
        key="reads",
        translation_key="reads",
        entity_category=EntityCategory.DIAGNOSTIC,
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,
        # Reads delivered by the camera's source since the hub started, before any filtering.
        value_fn=lambda camera: camera.counters["reads"],
    ),
)

VEHICLE_SENSORS = (
    AnprVehicleSensorDescription(
        key="vehicle_last_seen",
        translation_key="vehicle_last_seen",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda vehicle: vehicle.last_seen,
    ),
    AnprVehicleSensorDescription(
        key="vehicle_last_camera",
        translation_key="vehicle_last_camera",
        value_fn=lambda vehicle: vehicle.last_camera,
    ),
)

SITE_SENSORS = (
    AnprSiteSensorDescription(
        key="vehicles_on_site",
        translation_key="vehicles_on_site",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement="vehicles",
        value_fn=lambda site: site.tracker.on_site,
    ),
    AnprSiteSensorDescription(
        key="privacy_rewrite",
        translation_key="privacy_rewrite",
        entity_category=EntityCategory.DIAGNOSTIC,
        native_unit_of_measurement=PERCENTAGE,
        exists_fn=lambda site: site.privacy.enabled,
        value_fn=lambda site: site.rewrite_progress,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera, vehicle and site sensors."""

    def camera_sensor(
        camera: CameraCoordinator, description: AnprCameraSensorDescription
    ) -> AnprCameraSensor:
        if description.restore:
            return AnprLastPlateSensor(camera, description)
        return AnprCameraSensor(camera, description)

    async_setup_camera_entities(hass, entry, async_add_entities, CAMERA_SENSORS, camera_sensor)
    async_setup_vehicle_entities(
        hass, entry, async_add_entities, VEHICLE_SENSORS, AnprVehicleSensor
    )
    site = entry.runtime_data.site
    async_add_entities(
        AnprSiteSensor(site, description)
        for description in SITE_SENSORS
        if description.exists_fn(site)
    )


class AnprCameraSensor(AnprCameraEntity, SensorEntity):
    """A camera sensor whose state is ``value_fn(camera)``."""

    entity_description: AnprCameraSensorDescription

    @property
    def native_value(self) -> StateType:
        """The state from the camera."""
        return self.entity_description.value_fn(self.camera)


class AnprLastPlateSensor(AnprCameraSensor, RestoreSensor):
    """State = the last plate; attributes describe the sighting. Restored after a restart."""

    _unrecorded_attributes = frozenset({"reginfo", "corrections", "reason", "image_url"})

    def __init__(self, camera: CameraCoordinator, description: AnprCameraSensorDescription) -> None:
        """Bind to the camera."""
        super().__init__(camera, description)
        self._restored: StateType = None
        self._attr_extra_state_attributes = {}

    @property
    def native_value(self) -> StateType:
        """The last plate, or the restored one before the first sighting."""
        if self.camera.last is None:
            return self._restored
        return super().native_value

    async def async_added_to_hass(self) -> None:
        """Restore the last plate and its attributes."""
        await super().async_added_to_hass()
        if self.camera.last is not None:
            self._handle_camera_update(self.camera.last)
            return
        if (last := await self.async_get_last_sensor_data()) is not None:
            self._restored = last.native_value  # type: ignore[assignment]
        if (state := await self.async_get_last_state()) is not None:
            # What the sensor showed; Home Assistant writes its own keys (the name) again.
            self._attr_extra_state_attributes = {
                key: value for key, value in state.attributes.items() if key != ATTR_FRIENDLY_NAME
            }

    @callback
    def _handle_camera_update(self, update: SightingUpdate | None) -> None:
        last = self.camera.last
        if last is None:
            return
        attributes = sighting_attributes(last.payload)
        image_entity = self._image_entity_id()
        attributes["image_url"] = f"/api/image_proxy/{image_entity}" if image_entity else None
        self._attr_extra_state_attributes = attributes

    def _image_entity_id(self) -> str | None:
        if self.registry_entry is None or self.hass is None:
            return None
        return er.async_get(self.hass).async_get_entity_id(
            "image", self.registry_entry.platform, f"{self.camera.camera_id}_picture"
        )


class AnprVehicleSensor(AnprVehicleEntity, SensorEntity):
    """A listed vehicle's sensor whose state is ``value_fn(vehicle)``."""

    entity_description: AnprVehicleSensorDescription

    @property
    def native_value(self) -> StateType | datetime:
        """The state from the vehicle."""
        return self.entity_description.value_fn(self.vehicle)


class AnprSiteSensor(AnprSiteEntity, SensorEntity):
    """A site sensor whose state is ``value_fn(site)``."""

    entity_description: AnprSiteSensorDescription

    @property
    def native_value(self) -> StateType:
        """The state from the site."""
        return self.entity_description.value_fn(self.site)
