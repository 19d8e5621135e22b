"""Generic LPR camera / Milesight "HTTP Post" JSON.

Format: docs/protocols.md, "LPR JSON webhooks (Milesight and generic)". Pure module (no Home
Assistant import). Two key sets exist and both are accepted:

* legacy (Milesight, "Integration between LPR Camera and NVR(VMS)", "HTTP Type"; a capture in
  evercam/ex_nvr issue #303): ``device, time, plate, type, speed,
  direction (Approach|Away), detection_region, region, resolution_width/height,
  coordinate_x1/y1/x2/y2, confidence, plate_color, vehicle_type, vehicle_color, vehicle_brand,
  plate_image, full_image, evidence_image0/1``;
* newer "Data Transmission Post" (TS4467 firmware): ``event_type, device_name, mac_address, sn,
  time, detection_region(_name), trigger_line_state, license_plate, plate_confidence,
  country_region, plate_type, plate_color, vehicle_type, vehicle_color, vehicle_brand,
  direction (Approach|Leave), full_snapshot, license_plate_snapshot, vehicle_snapshot``.

Every value may be a string (``"0.70"``, ``"1280"``, ``"-"`` for "no speed"). Pictures are base64
without a ``data:`` prefix. A picture that fails to decode is dropped (reported in
``PlateRead.extra["dropped_images"]``) and the plate itself is still delivered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from . import safejson
from .imageinfo import ImageDataError, decode_base64_image, image_content_type
from .models import (
    CameraListVerdict,
    ImageRole,
    PlateRead,
    ProtocolError,
    ReadImage,
    direction_from_vendor,
    scalar_float,
    scalar_text,
)
from .timestamps import parse_epoch_digits, parse_iso_time

#: Largest JSON body accepted (bytes); base64 pictures make bodies big.
MAX_JSON_BYTES = 20 * 1024 * 1024
#: Largest single decoded picture (bytes).
MAX_IMAGE_BYTES = 8 * 1024 * 1024

#: Keys that carry the plate text, in order of preference.
PLATE_KEYS = ("plate", "license_plate")

#: Picture keys → role (legacy and newer firmware).
IMAGE_KEYS: dict[str, ImageRole] = {
    "full_image": ImageRole.FULL,
    "full_snapshot": ImageRole.FULL,
    "vehicle_snapshot": ImageRole.VEHICLE,
    "vehicle_image": ImageRole.VEHICLE,
    "plate_image": ImageRole.PLATE,
    "license_plate_snapshot": ImageRole.PLATE,
    "evidence_image0": ImageRole.FULL,
    "evidence_image1": ImageRole.FULL,
}

_LIST_WORDS: dict[str, CameraListVerdict] = {
    "white": CameraListVerdict.ALLOWED,
    "whitelist": CameraListVerdict.ALLOWED,
    "white list": CameraListVerdict.ALLOWED,
    "white list event": CameraListVerdict.ALLOWED,
    "black": CameraListVerdict.ALERT,
    "blacklist": CameraListVerdict.ALERT,
    "black list": CameraListVerdict.ALERT,
    "black list event": CameraListVerdict.ALERT,
    "visitor": CameraListVerdict.NONE,
    "visitor event": CameraListVerdict.NONE,
}


class LprJsonError(ProtocolError):
    """The body is not LPR camera JSON (bad JSON, no plate key, over the cap)."""


def confidence_auto(value: Any) -> float | None:
    """Confidence given either on 0-1 (``"0.70"``) or 0-100 (``"87"``) as 0.0-1.0, else None."""
    number = scalar_float(str(value).rstrip("%") if value is not None else None)
    if number is None or number < 0:
        return None
    if number > 1.0:
        number /= 100.0
    return min(number, 1.0)


def parse_camera_time(value: Any, tz: tzinfo | None = None) -> datetime | None:
    """Parse an LPR-camera timestamp into an aware UTC datetime, or None if unparseable.

    Accepts ``YYYY-MM-DD HH:MM:SS`` (also with ``/`` between the date fields; camera local time,
    interpreted in ``tz``, UTC when None), ISO 8601 with or without offset (any form
    :func:`~.timestamps.parse_iso_time` reads), and epoch seconds/milliseconds as a number or
    digit string. Never raises. Source: ``docs/protocols.md``, "Timestamps".
    """
    text = scalar_text(value)
    if text is None:
        return None
    if text.isdigit() and len(text) in (10, 13):
        return parse_epoch_digits(text)
    return parse_iso_time(text.replace("/", "-"), tz or UTC)


def looks_like_lpr_json(obj: Any) -> bool:
    """Return True when ``obj`` is a JSON object with a plate key of either key set."""
    return isinstance(obj, Mapping) and any(key in obj for key in PLATE_KEYS)


def load_json_object(body: bytes | str, max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """Decode a JSON object from ``body`` (UTF-8, BOM tolerated).

    Raises :class:`LprJsonError` for invalid JSON, a non-object top level, or a body over
    ``max_bytes``.
    """
    if len(body) > max_bytes:
        raise LprJsonError(f"JSON body over the {max_bytes} byte cap")
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
        obj = safejson.loads(text)
    except (UnicodeDecodeError, ValueError) as err:
        raise LprJsonError(f"invalid JSON: {err}") from None
    if not isinstance(obj, dict):
        raise LprJsonError(f"JSON top level is {type(obj).__name__}, expected an object")
    return obj


def _plate_box(obj: Mapping[str, Any]) -> tuple[float, float, float, float] | None:
    width = scalar_float(obj.get("resolution_width"))
    height = scalar_float(obj.get("resolution_height"))
    coords = [scalar_float(obj.get(f"coordinate_{k}")) for k in ("x1", "y1", "x2", "y2")]
    if not width or not height or any(c is None for c in coords):
        return None
    x1, y1, x2, y2 = (float(c) for c in coords if c is not None)
    if x2 < x1 or y2 < y1:
        return None
    return (
        min(x1 / width, 1.0),
        min(y1 / height, 1.0),
        min((x2 - x1) / width, 1.0),
        min((y2 - y1) / height, 1.0),
    )


def _camera_list(obj: Mapping[str, Any]) -> tuple[CameraListVerdict | None, str | None]:
    for key in ("type", "event_type", "plate_type"):
        word = scalar_text(obj.get(key))
        if word and word.casefold() in _LIST_WORDS:
            return _LIST_WORDS[word.casefold()], word
    return None, None


def parse_lpr_json(
    obj: Mapping[str, Any],
    *,
    tz: tzinfo | None = None,
    max_image_bytes: int = MAX_IMAGE_BYTES,
) -> PlateRead:
    """Turn one LPR camera JSON object (either key set) into a :class:`PlateRead`.

    ``tz`` is the camera's local time zone for ``time`` values without an offset (the HA time
    zone in practice). Missing or unparseable ``time`` → receive time. Pictures that fail to
    decode are dropped and named in ``extra["dropped_images"]``.
    Raises :class:`LprJsonError` when no plate key is present.
    """
    if not looks_like_lpr_json(obj):
        raise LprJsonError("no 'plate' or 'license_plate' key")
    plate = ""
    for key in PLATE_KEYS:
        value = scalar_text(obj.get(key))
        if value is not None:
            plate = value
            break
    read = PlateRead(plate=plate)
    when = parse_camera_time(obj.get("time"), tz)
    if when is not None:
        read.time = when
    direction_raw = scalar_text(obj.get("direction"))
    read.direction = direction_from_vendor(direction_raw)
    read.direction_raw = direction_raw
    read.confidence = confidence_auto(obj.get("plate_confidence", obj.get("confidence")))
    read.country = scalar_text(obj.get("country_region")) or scalar_text(obj.get("region"))
    read.plate_colour = scalar_text(obj.get("plate_color"))
    read.vehicle_type = scalar_text(obj.get("vehicle_type"))
    read.vehicle_colour = scalar_text(obj.get("vehicle_color"))
    read.vehicle_make = scalar_text(obj.get("vehicle_brand"))
    speed = scalar_float(obj.get("speed"))
    read.speed = speed if speed is not None and speed >= 0 else None
    read.plate_box = _plate_box(obj)
    read.camera_list, read.camera_list_name = _camera_list(obj)
    plate_type = scalar_text(obj.get("plate_type"))
    if plate_type and plate_type.casefold() not in _LIST_WORDS:
        read.plate_type = plate_type
    region = scalar_text(obj.get("detection_region"))
    if region is not None and region.isdigit():
        read.lane = int(region)
    extra: dict[str, Any] = {}
    for key in (
        "device",
        "device_name",
        "mac_address",
        "sn",
        "event_type",
        "detection_region_name",
        "trigger_line_state",
    ):
        value = scalar_text(obj.get(key))
        if value is not None:
            extra[key] = value
    dropped: list[str] = []
    for key, role in IMAGE_KEYS.items():
        raw = obj.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if not isinstance(raw, str):
            dropped.append(f"{key}: not a string")
            continue
        try:
            data = decode_base64_image(raw, max_image_bytes)
        except ImageDataError as err:
            dropped.append(f"{key}: {err}")
            continue
        read.images.append(
            ReadImage(
                data=data,
                content_type=image_content_type(data) or "image/jpeg",
                role=role,
                name=key,
            )
        )
    if dropped:
        extra["dropped_images"] = dropped
    read.extra = extra
    return read
