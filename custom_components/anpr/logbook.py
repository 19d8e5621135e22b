"""Logbook descriptions for the ``anpr_plate_read`` bus event.

Example entry: "Front gate — read AB12CDE (known: Alice, arriving, 93 %)".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN, EVENT_PLATE_READ

_DIRECTIONS = {"in": "arriving", "out": "leaving"}


def describe_plate_read(data: dict[str, Any]) -> str:
    """Return the logbook message for one sighting (``Sighting.as_dict()`` shape).

    ``"read AB12CDE (known: Alice, arriving, 93 %)"``; parts that are missing are left out.
    """
    details: list[str] = []
    event_type = data.get("event_type") or "unknown"
    if event_type == "unreadable":
        return "saw a vehicle without a readable plate"
    description = data.get("description")
    if event_type != "unknown" and description:
        details.append(f"{event_type}: {description}")
    else:
        details.append(str(event_type))
    if direction := _DIRECTIONS.get(str(data.get("direction"))):
        details.append(direction)
    confidence = data.get("confidence")
    if isinstance(confidence, int | float):
        details.append(f"{round(confidence * 100)} %")
    return f"read {data.get('plate', '?')} ({', '.join(details)})"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe ``anpr_plate_read`` events; the entry links to the camera's event entity."""

    @callback
    def async_describe(event: Event) -> dict[str, str]:
        data = event.data
        description = {
            LOGBOOK_ENTRY_NAME: str(data.get("camera") or "ANPR"),
            LOGBOOK_ENTRY_MESSAGE: describe_plate_read(dict(data)),
        }
        if camera_id := data.get("camera_id"):
            entity_id = er.async_get(hass).async_get_entity_id(
                "event", DOMAIN, f"{camera_id}_plate"
            )
            if entity_id is not None:
                description[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
        return description

    async_describe_event(DOMAIN, EVENT_PLATE_READ, async_describe)
