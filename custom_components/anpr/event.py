"""Event entity per camera: ``known`` / ``unknown`` / ``alert`` per sighting, ``unreadable``."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_TYPES
from .coordinator import AnprConfigEntry, CameraCoordinator
from .entity import AnprCameraEntity, async_setup_camera_entities

PARALLEL_UPDATES = 0

PLATE_EVENT = EventEntityDescription(
    key="plate", translation_key="plate", event_types=list(EVENT_TYPES)
)
EVENT_ATTRIBUTES = (
    "plate", "camera", "direction", "confidence", "category", "list", "description",
    "priority", "previous_sightings", "last_sighting", "matched_by", "reason", "country",
    "vehicle_type", "vehicle_colour", "vehicle_make", "time", "id", "catch_up", "manual",
    "visit_id", "visit_started", "visit_action", "dwell_s", "visitor_class", "usual_hour",
    "alternatives",
)  # fmt: skip


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the plate event entity of every camera."""
    async_setup_camera_entities(
        hass, entry, async_add_entities, lambda camera: [AnprPlateEvent(camera, PLATE_EVENT)]
    )


class AnprPlateEvent(AnprCameraEntity, EventEntity):
    """Fires once per sighting; ignored plates fire nothing."""

    _unrecorded_attributes = frozenset({"reason", "matched_by"})

    def __init__(self, camera: CameraCoordinator, description: EventEntityDescription) -> None:
        """Bind to the camera."""
        super().__init__(camera, description)

    @callback
    def _async_camera_updated(self) -> None:
        camera = self.camera
        sighting = camera.last_event
        if camera.last_sighting_new and sighting is not None and sighting.event_type:
            data = sighting.as_dict()
            attributes: dict[str, Any] = {key: data.get(key) for key in EVENT_ATTRIBUTES}
            self._trigger_event(sighting.event_type, attributes)
        self.async_write_ha_state()
