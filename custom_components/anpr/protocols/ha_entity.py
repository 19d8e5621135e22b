"""Plate reads from the state of another integration's entity.

Format notes: ``docs/protocols.md`` "Home Assistant entities". Pure module (no Home Assistant
import): it sees an entity as ``(entity_id, state, attributes)`` as Home Assistant's state
machine holds them. Where the plate is:

* UniFi Protect (HA core ``unifiprotect/event.py``, ``ProtectDeviceVehicleEventEntity``):
  the vehicle event entity ``event.<camera>_vehicle`` fires ``event_type: detected`` with
  ``license_plate`` (the best thumbnail's ``group.matched_name``, or its ``name`` on older
  Protect), ``confidence`` (0-100), ``event_id``, ``clock_best_wall`` (ISO time of the best
  frame) and ``attributes`` (Protect's thumbnail attributes such as ``vehicleType`` and
  ``color``, each ``{"val": ..., "confidence": ...}``). Its license plate *sensor* was
  removed in 2025.12.
* Frigate's integration and template/``input_text``/MQTT sensors: the plate is the state.
* Anything else: the attribute the user names, else the first of :data:`PLATE_ATTRIBUTES`,
  else the state (not for ``event`` entities, whose state is a timestamp).

:func:`profile_for` picks the defaults by the entity's integration (its registry platform);
:func:`read_from_state` turns one state into a :class:`PlateRead` or None (no plate), and
raises :class:`HaEntityError` for a value of the wrong type or size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import PlateRead, ProtocolError, confidence_from, is_no_plate
from .timestamps import parse_iso_time

#: Attributes tried in order when the user names none.
PLATE_ATTRIBUTES = (
    "license_plate",
    "licence_plate",
    "plate",
    "plate_number",
    "number_plate",
    "recognized_license_plate",
)
#: States that are not a read.
NO_STATES = frozenset({"unknown", "unavailable", "none", ""})
#: Longest plate text accepted (characters).
MAX_PLATE = 32


class HaEntityError(ProtocolError):
    """The entity's plate value has the wrong type or is too long."""


@dataclass(frozen=True, slots=True)
class Profile:
    """Where a known integration puts a read.

    ``plate``: attribute name, or None for the state; ``confidence`` / ``confidence_scale``:
    attribute and its scale (100 = percent); ``event_id`` / ``time``: attributes with the
    integration's event id and the read's ISO time; ``vehicle``: attribute holding a mapping of
    vehicle attributes (``vehicleType``, ``color``...).
    """

    plate: str | None
    confidence: str | None = None
    confidence_scale: float = 1.0
    event_id: str | None = None
    time: str | None = None
    vehicle: str | None = None


#: Defaults per integration (entity registry platform).
PROFILES: dict[str, Profile] = {
    "unifiprotect": Profile(
        plate="license_plate",
        confidence="confidence",
        confidence_scale=100.0,
        event_id="event_id",
        time="clock_best_wall",
        vehicle="attributes",
    ),
    "frigate": Profile(plate=None),
}
GENERIC = Profile(plate=None, confidence="confidence", event_id="event_id")


def profile_for(platform: str | None, domain: str, attributes: Mapping[str, Any]) -> Profile:
    """Return the profile of an integration, else a generic one fitted to the attributes."""
    known = PROFILES.get(platform or "")
    if known is not None:
        return known
    attribute = next((name for name in PLATE_ATTRIBUTES if name in attributes), None)
    if attribute is None and domain == "event":
        attribute = PLATE_ATTRIBUTES[0]
    return Profile(
        plate=attribute,
        confidence=GENERIC.confidence,
        confidence_scale=0.0,  # 0: 0-1 or percent, decided by the value
        event_id=GENERIC.event_id,
    )


def _text(value: Any, what: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise HaEntityError(f"{what} is a {type(value).__name__}, not text")
    text = str(value).strip()
    if len(text) > MAX_PLATE:
        raise HaEntityError(f"{what} longer than {MAX_PLATE} characters")
    return text


def _confidence(value: Any, scale: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if scale:
        return confidence_from(value, scale=scale)
    number = confidence_from(value, scale=1.0)
    if number is not None and number >= 1.0:
        return confidence_from(value, scale=100.0)
    return number


def _vehicle_value(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("val")
    return value.strip()[:64] if isinstance(value, str) and value.strip() else None


def plate_value(
    state: str, attributes: Mapping[str, Any], profile: Profile, plate_attribute: str | None
) -> str | None:
    """Return the plate text the entity shows (None when it shows none)."""
    attribute = plate_attribute or profile.plate
    if attribute:
        raw = _text(attributes.get(attribute), f"attribute {attribute}")
    else:
        raw = None if state.strip().casefold() in NO_STATES else _text(state, "state")
    return None if raw is None or is_no_plate(raw) else raw


def read_from_state(
    entity_id: str,
    state: str,
    attributes: Mapping[str, Any],
    profile: Profile,
    *,
    plate_attribute: str | None = None,
    changed: datetime | None = None,
) -> PlateRead | None:
    """Turn an entity's new state into a read; None when it shows no plate.

    ``changed`` is the state's ``last_changed`` (UTC), used as the read's time unless the
    profile has a better one. ``vendor_id`` is the integration's event id when it gives one,
    else ``<entity_id>@<changed>``. Raises :class:`HaEntityError` for a plate of the wrong type
    or over :data:`MAX_PLATE` characters.
    """
    plate = plate_value(state, attributes, profile, plate_attribute)
    if plate is None:
        return None
    read = PlateRead(plate=plate)
    when = parse_iso_time(attributes.get(profile.time)) if profile.time else None
    if when is not None:
        read.time = when
    elif changed is not None:
        read.time = changed
    if profile.confidence:
        read.confidence = _confidence(attributes.get(profile.confidence), profile.confidence_scale)
    event_id = attributes.get(profile.event_id) if profile.event_id else None
    if isinstance(event_id, (str, int)) and not isinstance(event_id, bool) and str(event_id):
        read.vendor_id = str(event_id)[:128]
    else:
        read.vendor_id = f"{entity_id}@{read.time.isoformat()}"
    vehicle = attributes.get(profile.vehicle) if profile.vehicle else None
    if isinstance(vehicle, Mapping):
        read.vehicle_type = _vehicle_value(vehicle.get("vehicleType"))
        read.vehicle_colour = _vehicle_value(vehicle.get("color"))
    read.extra["entity_id"] = entity_id
    return read


__all__ = [
    "GENERIC",
    "MAX_PLATE",
    "PLATE_ATTRIBUTES",
    "PROFILES",
    "HaEntityError",
    "Profile",
    "plate_value",
    "profile_for",
    "read_from_state",
]
