"""Event entity per camera: ``known`` / ``unknown`` / ``alert`` per sighting, ``unreadable``.

The event's attributes are the sighting's summary (:meth:`Sighting.summary
<.core.sighting.Sighting.summary>`): plate, camera, direction, list match, history, visit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_TYPES
from .core.sighting import SightingUpdate
from .entity import AnprCameraEntity, AnprCameraEntityDescription, async_setup_camera_entities
from .runtime import AnprConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AnprEventDescription(EventEntityDescription, AnprCameraEntityDescription):
    """A camera's event entity: ``attrs_fn`` gives the attributes of a new sighting's event."""

    attrs_fn: Callable[[SightingUpdate], Mapping[str, Any]]


EVENTS = (
    AnprEventDescription(
        key="plate",
        translation_key="plate",
        event_types=list(EVENT_TYPES),
        attrs_fn=lambda update: update.summary,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the plate event entity of every camera."""
    async_setup_camera_entities(hass, entry, async_add_entities, EVENTS, AnprPlateEvent)


class AnprPlateEvent(AnprCameraEntity, EventEntity):
    """Fires once per new sighting; ignored plates and merged repeat reads fire nothing."""

    entity_description: AnprEventDescription
    _unrecorded_attributes = frozenset({"reason", "matched_by"})

    @callback
    def _handle_camera_update(self, update: SightingUpdate | None) -> None:
        if update is None or not update.is_new:
            return
        if (event_type := update.sighting.event_type) is not None:
            self._trigger_event(event_type, dict(self.entity_description.attrs_fn(update)))
