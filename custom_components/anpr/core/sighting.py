"""What the pipeline makes of reads: a :class:`Sighting`, and the :class:`SightingUpdate`.

A sighting is one vehicle seen once by one camera (repeat reads inside the camera's repeat window
are merged into it). Its JSON form (:meth:`Sighting.as_dict`) keeps anpr2mqtt's field names where
anpr2mqtt has one, so automations written for it keep working. No Home Assistant import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..protocols.models import Direction, ImageRole, PlateRead, ReadImage
from .misreads import Reading
from .plates import CATEGORY_ALERT, CATEGORY_ALLOWED, CATEGORY_IGNORED

#: Event types of a camera's event entity (fixed list; ignored plates fire nothing).
EVENT_KNOWN = "known"
EVENT_UNKNOWN = "unknown"
EVENT_ALERT = "alert"
#: A vehicle without a readable plate (off by default per camera).
EVENT_UNREADABLE = "unreadable"
EVENT_TYPES = [EVENT_KNOWN, EVENT_UNKNOWN, EVENT_ALERT, EVENT_UNREADABLE]

#: Keys of :meth:`Sighting.as_dict` that identify or trace a read (ids, the vendor's raw
#: values, which pictures came): on the bus event and the MQTT mirror, not on the sensor.
TRACE_FIELDS = frozenset({"id", "camera_id", "direction_raw", "vendor_id", "images"})


@dataclass(kw_only=True)
class Sighting:
    """A processed read: what entities, the bus event and the MQTT mirror show.

    ``event_type`` is ``known`` / ``unknown`` / ``alert`` / ``unreadable`` (the event entity
    types) or None for an ignored plate (no event fires). ``previous_sightings`` and
    ``last_sighting`` describe the plate's history *before* this sighting. ``reads`` counts
    the reads merged into it. Times are aware UTC.
    """

    id: str
    read: PlateRead
    plate: str
    camera_id: str
    camera: str
    time: datetime
    direction: Direction
    event_type: str | None
    list_category: str | None = None
    list_name: str | None = None
    description: str
    priority: str
    matched_by: str | None = None
    reason: str
    rule: str | None = None
    listed_plate: str | None = None
    plate_format: str | None = None
    corrections: list[str] = field(default_factory=list)
    previous_sightings: int = 0
    last_sighting: datetime | None = None
    first_seen: datetime | None = None
    reginfo: dict[str, Any] | None = None
    reads: int = 1
    #: Visit this sighting belongs to (None: pass-by camera or unreadable).
    visit_id: str | None = None
    visit_started: datetime | None = None
    #: ``opened`` / ``continued`` / ``closed`` / ``exit_without_entry`` (core/visits.py).
    visit_action: str | None = None
    #: Seconds on site, on the sighting that closed the visit.
    dwell_s: float | None = None
    visitor_class: str | None = None
    usual_hour: int | None = None
    #: Other readings merged into this sighting (misreads): ``{plate: reads}``.
    alternatives: dict[str, int] = field(default_factory=dict)
    _readings: dict[str, Reading] = field(default_factory=dict, repr=False)
    _recorded: asyncio.Event | None = field(default=None, repr=False)
    #: Id of the sighting's history row (None when the history write failed).
    history_id: int | None = None

    def image(self, *roles: ImageRole) -> ReadImage | None:
        """Return the best picture for ``roles`` (see :meth:`PlateRead.image`)."""
        return self.read.image(*roles)

    def summary(self) -> dict[str, Any]:
        """Return what an automation on the event entity needs (the event's attributes).

        The plate, camera, direction, confidence, the list match and why, the plate's history
        before this sighting, the vehicle, the visit and the ``catch_up`` / ``manual`` flags.
        Times are ISO 8601 strings; ``dwell_s`` is rounded to 0.1 s.
        """
        read = self.read
        return {
            "plate": self.plate,
            "camera": self.camera,
            "direction": self.direction.value,
            "confidence": read.confidence,
            "category": self.list_category,
            "list": self.list_name,
            "description": self.description,
            "priority": self.priority,
            "previous_sightings": self.previous_sightings,
            "last_sighting": self.last_sighting.isoformat() if self.last_sighting else None,
            "matched_by": self.matched_by,
            "reason": self.reason,
            "country": read.country,
            "vehicle_type": read.vehicle_type,
            "vehicle_colour": read.vehicle_colour,
            "vehicle_make": read.vehicle_make,
            "time": self.time.isoformat(),
            "id": self.id,
            # Delivered late (Hikvision plate log or ONVIF catch-up after a reconnection): the
            # time is the capture time; automations that open gates should skip these.
            "catch_up": bool(read.extra.get("catch_up")),
            # Answer to a manual trigger (button / trigger_recognition).
            "manual": bool(read.extra.get("trigger")),
            "visit_id": self.visit_id,
            "visit_started": self.visit_started.isoformat() if self.visit_started else None,
            "visit_action": self.visit_action,
            "dwell_s": None if self.dwell_s is None else round(self.dwell_s, 1),
            "visitor_class": self.visitor_class,
            "usual_hour": self.usual_hour,
            "alternatives": dict(self.alternatives),
        }

    def details(self) -> dict[str, Any]:
        """Return the rest of :meth:`as_dict` (beyond :meth:`summary`).

        How the plate was read and corrected, the anpr2mqtt flags (``known``, ``dangerous``,
        ``ignore``), more of the vehicle, the DVLA answer (``reginfo``) and the
        :data:`TRACE_FIELDS` other than ``id``.
        """
        read = self.read
        return {
            "read_plate": read.plate,
            "original_plate": read.original_plate,
            "camera_id": self.camera_id,
            "direction_raw": read.direction_raw,
            "event_type": self.event_type,
            "rule": self.rule,
            "listed_plate": self.listed_plate,
            "plate_format": self.plate_format,
            "corrections": list(self.corrections),
            "known": self.list_category == CATEGORY_ALLOWED,
            "dangerous": self.list_category == CATEGORY_ALERT,
            "ignore": self.list_category == CATEGORY_IGNORED,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "plate_colour": read.plate_colour,
            "plate_type": read.plate_type,
            "vehicle_model": read.vehicle_model,
            "speed": read.speed,
            "lane": read.lane,
            "source": read.source,
            "vendor_id": read.vendor_id,
            "reginfo": self.reginfo,
            "reads": self.reads,
            "images": [img.role.value for img in read.images],
        }

    def as_dict(self) -> dict[str, Any]:
        """Return the whole JSON-friendly sighting (:meth:`summary` and :meth:`details`).

        No image bytes; ``images`` lists the roles of the pictures the read carried.
        """
        return {**self.summary(), **self.details()}


@dataclass(frozen=True, slots=True)
class SightingUpdate:
    """One pipeline result as every consumer receives it; its dictionaries are built once.

    - ``is_new``: True for a new sighting (or an ``unreadable`` event); False when a repeat
      read was merged into a sighting already shown, or a lookup (DVLA) enriched it.
    - ``summary``: :meth:`Sighting.summary`, the event entity's attributes.
    - ``payload``: :meth:`Sighting.as_dict`: the bus event's data, the last-plate sensor's
      attributes (without :data:`TRACE_FIELDS`) and the base of the MQTT state message.

    Consumers must not change the mappings; they copy what they extend.
    """

    sighting: Sighting
    is_new: bool
    summary: Mapping[str, Any]
    payload: Mapping[str, Any]

    @classmethod
    def of(cls, sighting: Sighting, *, is_new: bool) -> SightingUpdate:
        """Build the update of ``sighting`` (each field of the payload computed once)."""
        summary = sighting.summary()
        return cls(sighting, is_new, summary, {**summary, **sighting.details()})

    @property
    def is_unreadable(self) -> bool:
        """True for a vehicle without a readable plate (an event, not a plate sighting)."""
        return self.sighting.event_type == EVENT_UNREADABLE
