"""Frigate NVR plate reads from its MQTT messages (``docs/protocols.md`` "Frigate").

Pure module (no Home Assistant import). Frigate (0.16+) publishes, under its topic prefix
(``frigate`` by default; Frigate documentation "MQTT", https://docs.frigate.video/integrations/mqtt/,
and "License Plate Recognition",
https://docs.frigate.video/configuration/license_plate_recognition):

* ``<prefix>/events``: ``{"type": "new"|"update"|"end", "before": {...}, "after": {...}}`` for
  every tracked object; ``after`` holds ``id``, ``camera``, ``label``, ``sub_label`` (``null``,
  a name, or ``[name, score]``: a *known* plate's name), ``recognized_license_plate`` and
  ``recognized_license_plate_score`` (0-1), ``has_snapshot``, ``start_time``/``frame_time``
  (epoch seconds), ``current_zones``;
* ``<prefix>/tracked_object_update``: ``{"type": "lpr", "id", "camera", "name", "plate",
  "score", "timestamp"}`` whenever LPR refines an object's plate (other ``type`` values, such as
  ``description`` or ``face``, are not ours);
* ``<prefix>/<camera>/<feature>/state``: retained switch states (``ON``/``OFF``) per camera,
  which is how the config flow learns the camera names; ``<prefix>/available``:
  ``online``/``offline``.

:func:`parse_events` and :func:`parse_tracked_object_update` turn one message into a
:class:`FrigateUpdate` (or None when the message carries nothing for us) and raise
:class:`FrigateError` for bad JSON or wrong types. :class:`BestReadTracker` keeps the best
plate per tracked object so each object becomes one read (see its docstring for the delivery
rules).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
import math
import time as _time
from typing import Any

from . import safejson
from .models import PlateRead, ProtocolError

#: Largest message parsed (bytes); Frigate's event messages are a few kB.
MAX_MESSAGE_BYTES = 256 * 1024
#: Longest plate, event id, camera or name kept (characters); longer values are refused.
MAX_FIELD = 64
#: Frigate labels LPR runs on (docs: car, motorcycle and the Frigate+ vehicle labels).
VEHICLE_LABELS = frozenset(
    {"car", "motorcycle", "bus", "truck", "school_bus", "garbage_truck", "license_plate"}
)


class FrigateError(ProtocolError):
    """The message is not valid JSON, too large, or a field has the wrong type or size."""


@dataclass(slots=True, kw_only=True)
class FrigateUpdate:
    """What one Frigate message says about one tracked object.

    - ``event_id``: Frigate's tracked-object id (``1607123955.475377-mxklsc``), also the id of
      its snapshot in Frigate's HTTP API; ``camera``: the Frigate camera name.
    - ``plate``: the recognised plate or None; ``score``: its 0-1 score or None;
      ``name``: the known-plate name Frigate gave (``sub_label`` / ``name``) or None.
    - ``ended``: the object is no longer tracked (``type: end``); ``has_snapshot``: Frigate has
      a snapshot for it; ``time``: the object's start (events) or the read's timestamp (LPR).
    - ``source``: ``events`` or ``tracked_object_update``.
    """

    event_id: str
    camera: str
    source: str
    plate: str | None = None
    score: float | None = None
    name: str | None = None
    label: str | None = None
    ended: bool = False
    has_snapshot: bool = False
    time: datetime | None = None
    zones: list[str] = field(default_factory=list)


def _str(obj: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise FrigateError(f"missing {key}")
        return None
    if not isinstance(value, str):
        raise FrigateError(f"{key} is a {type(value).__name__}, not a string")
    value = value.strip()
    if len(value) > MAX_FIELD:
        raise FrigateError(f"{key} longer than {MAX_FIELD} characters")
    if required and not value:
        raise FrigateError(f"empty {key}")
    return value or None


def _score(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)):
        raise FrigateError(f"score is a {type(value).__name__}, not a number")
    number = float(value)
    if math.isnan(number) or number < 0:
        return None
    return min(number, 1.0)


def _epoch(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _sub_label(value: Any) -> tuple[str | None, float | None]:
    """``sub_label`` is null, a string, or ``[name, score]`` (Frigate 0.14+)."""
    if value is None:
        return None, None
    if isinstance(value, str):
        return _str({"sub_label": value}, "sub_label"), None
    if isinstance(value, list) and value and isinstance(value[0], str):
        name = _str({"sub_label": value[0]}, "sub_label")
        return name, _score(value[1]) if len(value) > 1 else None
    raise FrigateError(f"sub_label is a {type(value).__name__}, not a string or [name, score]")


def _load(payload: bytes | str) -> Mapping[str, Any]:
    raw = payload.encode() if isinstance(payload, str) else payload
    if len(raw) > MAX_MESSAGE_BYTES:
        raise FrigateError(f"message larger than {MAX_MESSAGE_BYTES} bytes")
    try:
        value = safejson.loads(raw)
    except (UnicodeDecodeError, ValueError) as err:
        raise FrigateError(f"invalid JSON: {err}") from None
    if not isinstance(value, dict):
        raise FrigateError(f"JSON {type(value).__name__} where an object was expected")
    return value


def parse_events(payload: bytes | str) -> FrigateUpdate | None:
    """Parse a ``<prefix>/events`` message; None when ``after`` is missing or a false positive.

    Raises :class:`FrigateError` for bad JSON or wrong types.
    """
    message = _load(payload)
    kind = message.get("type")
    after = message.get("after")
    if after is None:
        return None
    if not isinstance(after, dict):
        raise FrigateError(f"after is a {type(after).__name__}, not an object")
    if after.get("false_positive") is True:
        return None
    update = FrigateUpdate(
        event_id=str(_str(after, "id", required=True)),
        camera=str(_str(after, "camera", required=True)),
        source="events",
        label=_str(after, "label"),
        ended=kind == "end",
        has_snapshot=after.get("has_snapshot") is True,
        time=_epoch(after.get("start_time")) or _epoch(after.get("frame_time")),
    )
    update.name, name_score = _sub_label(after.get("sub_label"))
    update.plate = _str(after, "recognized_license_plate")
    update.score = _score(after.get("recognized_license_plate_score"))
    if update.score is None and update.plate is not None:
        update.score = name_score
    zones = after.get("current_zones")
    if isinstance(zones, list):
        update.zones = [z[:MAX_FIELD] for z in zones[:16] if isinstance(z, str)]
    return update


def parse_tracked_object_update(payload: bytes | str) -> FrigateUpdate | None:
    """Parse a ``<prefix>/tracked_object_update`` message; None unless ``type`` is ``lpr``.

    Raises :class:`FrigateError` for bad JSON or wrong types.
    """
    message = _load(payload)
    if message.get("type") != "lpr":
        return None
    return FrigateUpdate(
        event_id=str(_str(message, "id", required=True)),
        camera=str(_str(message, "camera", required=True)),
        source="tracked_object_update",
        plate=_str(message, "plate"),
        score=_score(message.get("score")),
        name=_str(message, "name"),
        time=_epoch(message.get("timestamp")),
    )


def camera_from_state_topic(topic: str, prefix: str) -> str | None:
    """Return ``<camera>`` of ``<prefix>/<camera>/<feature>/state``, else None."""
    parts = topic.split("/")
    base = prefix.strip("/").split("/")
    if len(parts) != len(base) + 3 or parts[: len(base)] != base or parts[-1] != "state":
        return None
    camera = parts[len(base)]
    if not camera or len(camera) > MAX_FIELD or camera in ("events", "reviews", "stats"):
        return None
    return camera


@dataclass(slots=True)
class _Object:
    camera: str
    plate: str | None = None
    score: float | None = None
    name: str | None = None
    has_snapshot: bool = False
    time: datetime | None = None
    delivered: str | None = None
    delivered_score: float | None = None
    seen: float = 0.0
    zones: list[str] = field(default_factory=list)


def _better(score: float | None, than: float | None) -> bool:
    return (score or 0.0) > (than or 0.0)


class BestReadTracker:
    """The best plate per Frigate tracked object, for one Frigate camera.

    :meth:`offer` records an update and returns True when the object's best plate changed
    (a first plate, or a different plate with a higher score, or the same plate with a higher
    score). The source decides when to deliver (at once, after its settle time, or when the
    object ends) and calls :meth:`take`, which returns the read to deliver or None when the best
    plate was already delivered. After a delivery only a *different* plate with a higher score
    is delivered again (Frigate corrected itself); the same plate is never delivered twice.
    At most ``max_objects`` objects are remembered; objects idle for ``ttl`` seconds are dropped.
    """

    def __init__(self, ttl: float = 3600.0, max_objects: int = 512) -> None:
        """Create an empty tracker."""
        self.ttl = ttl
        self.max_objects = max_objects
        self._objects: OrderedDict[str, _Object] = OrderedDict()

    def __len__(self) -> int:
        """Return the number of tracked objects remembered."""
        return len(self._objects)

    def offer(self, update: FrigateUpdate, now: float | None = None) -> bool:
        """Record ``update``; True when the object's best plate is new or better."""
        now = _time.monotonic() if now is None else now
        self._expire(now)
        obj = self._objects.get(update.event_id)
        if obj is None:
            obj = _Object(camera=update.camera, time=update.time)
            self._objects[update.event_id] = obj
            while len(self._objects) > self.max_objects:
                self._objects.popitem(last=False)
        else:
            self._objects.move_to_end(update.event_id)
        obj.seen = now
        obj.has_snapshot = obj.has_snapshot or update.has_snapshot
        obj.name = update.name or obj.name
        if update.zones:
            obj.zones = update.zones
        if obj.time is None:
            obj.time = update.time
        if update.plate is None:
            return False
        if obj.plate is None or (update.plate != obj.plate and _better(update.score, obj.score)):
            obj.plate, obj.score = update.plate, update.score
            return True
        if update.plate == obj.plate and _better(update.score, obj.score):
            obj.score = update.score
            return obj.delivered is None
        return False

    def pending(self, event_id: str) -> bool:
        """Return True when the object has a best plate that was not delivered yet."""
        obj = self._objects.get(event_id)
        return obj is not None and obj.plate is not None and obj.plate != obj.delivered

    def has_snapshot(self, event_id: str) -> bool:
        """Return True when Frigate said it has a snapshot of the object."""
        obj = self._objects.get(event_id)
        return obj is not None and obj.has_snapshot

    def take(self, event_id: str) -> PlateRead | None:
        """Return the read for the object's best plate, or None when nothing new is due."""
        obj = self._objects.get(event_id)
        if obj is None or obj.plate is None or obj.plate == obj.delivered:
            return None
        if obj.delivered is not None and not _better(obj.score, obj.delivered_score):
            return None
        obj.delivered, obj.delivered_score = obj.plate, obj.score
        read = PlateRead(plate=obj.plate, confidence=obj.score, vendor_id=event_id)
        if obj.time is not None:
            read.time = obj.time
        read.extra["frigate_event_id"] = event_id
        read.extra["frigate_camera"] = obj.camera
        if obj.name:
            read.extra["frigate_name"] = obj.name
        if obj.zones:
            read.extra["zones"] = list(obj.zones)
        return read

    def forget(self, event_id: str) -> None:
        """Drop an object (after it ended and was delivered)."""
        self._objects.pop(event_id, None)

    def _expire(self, now: float) -> None:
        while self._objects:
            key, obj = next(iter(self._objects.items()))
            if now - obj.seen <= self.ttl:
                break
            del self._objects[key]


__all__ = [
    "MAX_MESSAGE_BYTES",
    "VEHICLE_LABELS",
    "BestReadTracker",
    "FrigateError",
    "FrigateUpdate",
    "camera_from_state_topic",
    "parse_events",
    "parse_tracked_object_update",
]
