"""Sensors per camera: the last plate read (anpr2mqtt-compatible attributes)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import AnprConfigEntry, CameraCoordinator
from .entity import AnprCameraEntity, async_setup_camera_entities
from .site import async_setup_site_entities
from .vehicles import async_setup_vehicle_entities

PARALLEL_UPDATES = 0

LAST_PLATE = SensorEntityDescription(key="last_plate", translation_key="last_plate")
READS = SensorEntityDescription(
    key="reads",
    translation_key="reads",
    entity_category=EntityCategory.DIAGNOSTIC,
    state_class=SensorStateClass.TOTAL_INCREASING,
    entity_registry_enabled_default=False,
)

#: Attributes of the last-plate sensor; names follow anpr2mqtt's state payload where it has one.
ATTRIBUTES = (
    "plate", "camera", "direction", "confidence", "event_type", "category", "list",
    "description", "priority", "previous_sightings", "last_sighting", "first_seen",
    "known", "dangerous", "ignore", "matched_by", "reason", "corrections", "reginfo",
    "country", "plate_colour", "plate_type", "vehicle_type", "vehicle_colour", "vehicle_make",
    "vehicle_model", "speed", "lane", "read_plate", "original_plate", "time", "source", "reads",
    "rule", "listed_plate", "plate_format", "catch_up", "manual",
    "visit_id", "visit_started", "visit_action", "dwell_s", "visitor_class", "usual_hour",
    "alternatives",
)  # fmt: skip


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the last-plate sensor of every camera."""
    async_setup_camera_entities(
        hass,
        entry,
        async_add_entities,
        lambda camera: [AnprLastPlateSensor(camera, LAST_PLATE), AnprReadsSensor(camera, READS)],
    )
    async_setup_vehicle_entities(hass, entry, async_add_entities, "sensor")  # vehicles.py
    async_setup_site_entities(hass, entry, async_add_entities)  # site.py (issue 16)


class AnprLastPlateSensor(AnprCameraEntity, RestoreSensor):
    """State = the last plate; attributes describe the sighting. Restored after a restart."""

    _unrecorded_attributes = frozenset({"reginfo", "corrections", "reason", "image_url"})

    def __init__(self, camera: CameraCoordinator, description: SensorEntityDescription) -> None:
        """Bind to the camera."""
        super().__init__(camera, description)
        self._attr_extra_state_attributes = {}

    async def async_added_to_hass(self) -> None:
        """Restore the last plate and its attributes."""
        await super().async_added_to_hass()
        if self.camera.last_sighting is not None:
            self._handle_camera_update()
            return
        if (last := await self.async_get_last_sensor_data()) is not None:
            self._attr_native_value = last.native_value
        if (state := await self.async_get_last_state()) is not None:
            self._attr_extra_state_attributes = {
                k: v for k, v in state.attributes.items() if k in ATTRIBUTES or k == "image_url"
            }

    @callback
    def _handle_camera_update(self) -> None:
        sighting = self.camera.last_sighting
        if sighting is None:
            return
        data = sighting.as_dict()
        attributes: dict[str, Any] = {key: data.get(key) for key in ATTRIBUTES}
        image_entity = self._image_entity_id()
        attributes["image_url"] = f"/api/image_proxy/{image_entity}" if image_entity else None
        self._attr_native_value = sighting.plate
        self._attr_extra_state_attributes = attributes

    def _image_entity_id(self) -> str | None:
        if self.registry_entry is None or self.hass is None:
            return None
        from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

        return er.async_get(self.hass).async_get_entity_id(
            "image", self.registry_entry.platform, f"{self.camera.camera_id}_picture"
        )


class AnprReadsSensor(AnprCameraEntity, SensorEntity):
    """Diagnostic: reads received from the camera since the hub started (disabled by default)."""

    @property
    def native_value(self) -> int:
        """Reads delivered by the camera's source, before any filtering."""
        return self.camera.counters["reads"]
