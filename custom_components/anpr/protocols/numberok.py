r"""FF Group NumberOK EDGE / CAMMRA AI "JSON over HTTP(s)" events.

Format: docs/protocols.md, "NumberOK / FF Group JSON over HTTP". Pure module (no Home Assistant
import). The camera POSTs ``multipart/form-data`` with one JSON part (named ``event`` by FF
devices; any JSON part is accepted) and zero or more picture parts.
Fields (Protocol 1.6 table, the NumberOK slides and the CAMMRA sample; all scalars may be
strings):

* plate: ``plateUTF8`` / ``plateUnicode`` / ``plateText`` (``\\uXXXX`` escapes, possibly
  double-escaped) / ``plateASCII``;
* time: ``datetimezone`` (also the slide's ``datettimezone`` typo; ``YYYYMMDD HHMMSSFFF+HHMM`` or
  ISO 8601), ``datetime`` (``YYYYMMDD HHMMSSFFF`` / ``HHMMSS00`` with optional ``±HHMM``, UTC when
  no zone), ``timeDetection``, ``capture_timestamp`` (epoch ms);
* ``plateCountry`` (ISO alpha-3), ``plateConfidence`` (string float 0-1), ``carMoveDirection``
  (``in``/``out``/``unknown``/``unk``), ``carState`` (``new``/``update``/``updated``/``lost``),
  ``carID`` (uint64, kept as a string), ``plateCoordinates`` ``[left, top, width, height]`` in
  pixels of the sent frame, ``geotag`` ``{lat, lon}``, ``sensorProviderID``, ``imageType``,
  ``vehicle_info{type, brand, color, model}``.

:class:`CarStateMerger` folds one vehicle's new/update/lost events into one sighting.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
import re
import time as _time
from typing import Any

from .imageinfo import image_size
from .models import (
    CameraListVerdict,
    Direction,
    ImageRole,
    PlateRead,
    ProtocolError,
    ReadImage,
    confidence_from,
    scalar_text,
)
from .timestamps import parse_epoch_digits, parse_iso_time, to_utc

#: Keys whose presence identifies an FF/NumberOK event object.
NUMBEROK_KEYS = ("plateASCII", "plateUTF8", "plateUnicode", "plateText")

_ESCAPE_RE = re.compile(r"\\u([0-9a-fA-F]{4})")
_FF_TIME_RE = re.compile(
    r"^\s*(\d{4})(\d{2})(\d{2})[ T_]?(\d{2})(\d{2})(\d{2})(\d{0,9})\s*"
    r"(?:(Z)|([+-])(\d{2}):?(\d{2}))?\s*$"
)
_DIRECTIONS = {
    "in": Direction.IN,
    "out": Direction.OUT,
    "unknown": Direction.UNKNOWN,
    "unk": Direction.UNKNOWN,
}
_STATES = {"new": "new", "update": "update", "updated": "update", "lost": "lost"}
_IMAGE_TYPES = {
    "plate": ImageRole.PLATE,
    "frame": ImageRole.FULL,
    "vehicle": ImageRole.VEHICLE,
    "mmrcrop": ImageRole.VEHICLE,
}


class NumberOkError(ProtocolError):
    """The JSON is not an FF/NumberOK event (no plate field)."""


def unescape_plate(text: str) -> str:
    r"""Resolve literal ``\\uXXXX`` escapes left in a plate (``plateText``/``plateUnicode``)."""
    if "\\u" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def parse_ff_datetime(value: Any) -> datetime | None:
    """Parse an FF timestamp into an aware UTC datetime, or None.

    Accepts ``YYYYMMDD HHMMSSFFF`` (also 2-digit or no fraction) with an optional ``±HHMM`` /
    ``±HH:MM`` / ``Z`` zone (no zone = UTC, as the slides say), ISO 8601 (``2018-12-12T16:34:19
    +0200``) and epoch milliseconds/seconds. Never raises. Source: ``docs/protocols.md``,
    "NumberOK / FF Group JSON over HTTP".
    """
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    text = str(value).strip()
    if text.isdigit() and len(text) in (10, 13):
        return parse_epoch_digits(text)
    match = _FF_TIME_RE.match(text)
    if match is None:
        return parse_iso_time(text)
    year, month, day, hour, minute, second, frac, _zulu, sign, zh, zm = match.groups()
    micro = int((frac + "000000")[:6]) if frac else 0
    try:  # an offset of 24 h or more is a ValueError from timezone()
        tz: timezone = UTC
        if sign:
            offset = timedelta(hours=int(zh), minutes=int(zm))
            tz = timezone(-offset if sign == "-" else offset)
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tz
        )
    except ValueError:
        return None
    return to_utc(moment)


def looks_like_numberok(obj: Any) -> bool:
    """Return True when ``obj`` is a JSON object carrying one of the FF plate fields."""
    return isinstance(obj, Mapping) and any(key in obj for key in NUMBEROK_KEYS)


@dataclass(frozen=True, slots=True)
class EventImage:
    """A picture part that came with the event: bytes, MIME type, part name and file name."""

    data: bytes
    content_type: str
    name: str | None = None
    filename: str | None = None

    def __repr__(self) -> str:
        """Keep image bytes out of logs."""
        return (
            f"EventImage(content_type={self.content_type}, name={self.name!r}, "
            f"size={len(self.data)})"
        )


def _roles(obj: Mapping[str, Any], images: Sequence[EventImage]) -> list[ImageRole]:
    """Assign picture roles.

    A name/filename mentioning "plate" wins; with two or more pictures the last one is the plate
    crop (CAMMRA doc "the second is always the plate crop"); a single picture follows
    ``imageType``.
    """
    roles: list[ImageRole] = []
    image_type = (scalar_text(obj.get("imageType")) or "").casefold()
    declared = _IMAGE_TYPES.get(image_type, ImageRole.FULL)
    for index, img in enumerate(images):
        hint = f"{img.name or ''} {img.filename or ''}".casefold()
        if "plate" in hint or "lp" in hint.split():
            roles.append(ImageRole.PLATE)
        elif len(images) == 1:
            roles.append(declared)
        elif index == len(images) - 1 and ImageRole.PLATE not in roles:
            roles.append(ImageRole.PLATE)
        else:
            roles.append(ImageRole.FULL)
    return roles


def parse_numberok_event(obj: Mapping[str, Any], images: Sequence[EventImage] = ()) -> PlateRead:
    """Turn one FF/NumberOK event object plus its picture parts into a :class:`PlateRead`.

    ``vendor_id`` is ``<sensorProviderID>:<carID>`` when the camera gives a vehicle id (the same
    for the new/update/lost events of one vehicle), else the ``packetCounter``.
    ``extra`` keeps ``car_state`` (``new``/``update``/``lost``), ``car_id``, ``sensor``,
    ``geotag`` and ``plate_ascii``. Raises :class:`NumberOkError` when no plate field exists.
    """
    if not looks_like_numberok(obj):
        raise NumberOkError("no plateASCII/plateUTF8/plateUnicode/plateText field")
    unicode_plate = None
    for key in ("plateUTF8", "plateUnicode", "plateText"):
        value = scalar_text(obj.get(key))
        if value is not None:
            unicode_plate = unescape_plate(value).strip()
            break
    ascii_plate = scalar_text(obj.get("plateASCII"))
    plate = unicode_plate or ascii_plate or ""
    read = PlateRead(plate=plate)
    for key in ("datetimezone", "datettimezone", "datetime", "timeDetection", "capture_timestamp"):
        when = parse_ff_datetime(obj.get(key))
        if when is not None:
            read.time = when
            break
    raw_dir = scalar_text(obj.get("carMoveDirection"))
    read.direction_raw = raw_dir
    read.direction = _DIRECTIONS.get((raw_dir or "").casefold(), Direction.UNKNOWN)
    read.confidence = confidence_from(obj.get("plateConfidence"), scale=1.0)
    read.country = scalar_text(obj.get("plateCountry"))
    vehicle = obj.get("vehicle_info")
    if isinstance(vehicle, Mapping):
        read.vehicle_type = scalar_text(vehicle.get("type"))
        read.vehicle_make = scalar_text(vehicle.get("brand"))
        read.vehicle_colour = scalar_text(vehicle.get("color"))
        read.vehicle_model = scalar_text(vehicle.get("model"))
    mode = (scalar_text(obj.get("plateListMode")) or "").casefold()
    if mode in ("white", "whitelist", "allowed"):
        read.camera_list = CameraListVerdict.ALLOWED
    elif mode in ("black", "blacklist", "alert"):
        read.camera_list = CameraListVerdict.ALERT
    if read.camera_list is not None:
        read.camera_list_name = scalar_text(obj.get("plateList")) or mode
    zone = scalar_text(obj.get("recognitionZone")) or scalar_text(obj.get("roiID"))
    if zone is not None and zone.isdigit():
        read.lane = int(zone)
    sensor = scalar_text(obj.get("sensorProviderID"))
    car_id = scalar_text(obj.get("carID"))
    state = _STATES.get((scalar_text(obj.get("carState")) or "").casefold())
    if car_id and car_id != "0":
        read.vendor_id = f"{sensor or ''}:{car_id}"
    else:
        read.vendor_id = scalar_text(obj.get("packetCounter"))
    extra: dict[str, Any] = {}
    if state:
        extra["car_state"] = state
    if car_id:
        extra["car_id"] = car_id
    if sensor:
        extra["sensor"] = sensor
    if ascii_plate and ascii_plate != plate:
        extra["plate_ascii"] = ascii_plate
    geotag = obj.get("geotag")
    if isinstance(geotag, Mapping) and "lat" in geotag and "lon" in geotag:
        with contextlib.suppress(TypeError, ValueError, OverflowError):
            extra["geotag"] = {"lat": float(geotag["lat"]), "lon": float(geotag["lon"])}
    roles = _roles(obj, images)
    for img, role in zip(images, roles, strict=True):
        read.images.append(
            ReadImage(data=img.data, content_type=img.content_type, role=role, name=img.name)
        )
    coords = obj.get("plateCoordinates")
    if isinstance(coords, list) and len(coords) == 4:
        try:
            left, top, width, height = (float(c) for c in coords)
        except (TypeError, ValueError, OverflowError):  # OverflowError: a huge JSON integer
            left = top = width = height = -1.0
        frame = next((i for i in read.images if i.role is not ImageRole.PLATE), None)
        size = image_size(frame.data) if frame else None
        if size and min(left, top, width, height) >= 0 and size[0] and size[1]:
            read.plate_box = (
                min(left / size[0], 1.0),
                min(top / size[1], 1.0),
                min(width / size[0], 1.0),
                min(height / size[1], 1.0),
            )
        elif min(left, top, width, height) >= 0:
            extra["plate_coordinates"] = [left, top, width, height]
    read.extra = extra
    return read


@dataclass(slots=True)
class _Vehicle:
    plate: str
    direction: Direction
    confidence: float | None
    seen: float
    lost: bool = False


class CarStateMerger:
    """Fold one vehicle's ``new`` → ``update``… → ``lost`` events into one sighting.

    Keyed by ``PlateRead.vendor_id`` (``sensor:carID``). :meth:`feed` returns the read to deliver
    or None to drop it:

    * the first event seen for a vehicle (``new``, or ``update``/``lost`` when the camera only
      sends those — NumberOK "Send lost only") is delivered;
    * a later event is delivered only when it changes the plate text or turns an unknown
      direction into in/out (same ``vendor_id``, so the pipeline merges it into the sighting);
      pictures of a suppressed update are not lost to the user: the first read already had
      them, and a changed read carries its own;
    * after ``lost`` the vehicle is forgotten (a later ``new`` with a reused id is a new car).

    Reads without a vehicle id (``carID`` absent or 0) always pass. At most ``max_vehicles``
    vehicles are tracked; entries idle for ``ttl`` seconds are forgotten.
    """

    def __init__(self, ttl: float = 300.0, max_vehicles: int = 1024) -> None:
        """Create an empty tracker."""
        self.ttl = ttl
        self.max_vehicles = max_vehicles
        self._vehicles: OrderedDict[str, _Vehicle] = OrderedDict()

    def __len__(self) -> int:
        """Return the number of vehicles currently tracked."""
        return len(self._vehicles)

    def feed(self, read: PlateRead, now: float | None = None) -> PlateRead | None:
        """Return ``read`` when it should be delivered, None when it only repeats a vehicle."""
        state = read.extra.get("car_state")
        key = read.vendor_id
        if not state or not key or "car_id" not in read.extra:
            return read
        now = _time.monotonic() if now is None else now
        self._expire(now)
        known = self._vehicles.get(key)
        if known is None:
            if state != "lost":
                self._vehicles[key] = _Vehicle(read.plate, read.direction, read.confidence, now)
                self._trim()
            return read
        self._vehicles.move_to_end(key)
        known.seen = now
        changed = read.plate and read.plate != known.plate
        direction_news = (
            known.direction is Direction.UNKNOWN and read.direction is not Direction.UNKNOWN
        )
        if state == "lost":
            del self._vehicles[key]
        else:
            if changed:
                known.plate = read.plate
            if direction_news:
                known.direction = read.direction
        return read if (changed or direction_news) else None

    def _expire(self, now: float) -> None:
        while self._vehicles:
            key, vehicle = next(iter(self._vehicles.items()))
            if now - vehicle.seen <= self.ttl:
                break
            del self._vehicles[key]

    def _trim(self) -> None:
        while len(self._vehicles) > self.max_vehicles:
            self._vehicles.popitem(last=False)
