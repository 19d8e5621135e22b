"""Vendor-neutral data model shared by every protocol parser.

Pure module: no Home Assistant import. Every parser in ``protocols/`` turns its wire format
into :class:`PlateRead` objects; the source adapters in ``sources/`` stamp the camera id and
hand the read to the pipeline (``core/pipeline.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
import math
from typing import Any


class Direction(StrEnum):
    """Direction of travel relative to the site: ``in`` (arriving), ``out`` (leaving)."""

    IN = "in"
    OUT = "out"
    UNKNOWN = "unknown"


class ImageRole(StrEnum):
    """What a picture attached to a read shows."""

    FULL = "full"
    """The whole scene (Hikvision detection/background picture, FTP upload)."""
    VEHICLE = "vehicle"
    """A crop of the vehicle."""
    PLATE = "plate"
    """A crop of the number plate."""


class CameraListVerdict(StrEnum):
    """The camera's own list match, when the camera keeps lists (Hikvision ``listType``)."""

    ALLOWED = "allowed"
    ALERT = "alert"
    NONE = "none"


class ProtocolError(ValueError):
    """Raised by a parser for input it cannot make sense of.

    Every parser documents this as the only exception it raises for bad input; callers log the
    message and skip the input (``docs/protocols.md``, "Quirks every parser accepts").
    """


#: Plate texts that mean "the camera saw a vehicle but read no plate" (``docs/protocols.md``,
#: "Quirks every parser accepts", Plate text; "无车牌", "no plate", is what Hikvision firmware in
#: Chinese writes).
NO_PLATE_SENTINELS: frozenset[str] = frozenset(
    {"", "unknown", "noplate", "no plate", "unlicensed", "null", "none", "--", "-", "n/a", "无车牌"}
)


def is_no_plate(text: str | None) -> bool:
    """Return True when ``text`` is empty or one of the vendors' "no read" sentinels."""
    if text is None:
        return True
    return text.strip().casefold() in NO_PLATE_SENTINELS


@dataclass(frozen=True, slots=True)
class ReadImage:
    """One picture delivered with a read.

    ``data`` is the original encoded bytes exactly as the camera sent them (never re-encoded);
    ``content_type`` is a MIME type such as ``image/jpeg``.
    """

    data: bytes
    content_type: str = "image/jpeg"
    role: ImageRole = ImageRole.FULL
    name: str | None = None

    def __repr__(self) -> str:
        """Keep image bytes out of logs and reprs."""
        return (
            f"ReadImage(role={self.role.value}, content_type={self.content_type}, "
            f"name={self.name!r}, size={len(self.data)})"
        )


@dataclass(slots=True, kw_only=True)
class PlateRead:
    """One plate read as the camera delivered it, before any processing.

    Shapes and units:
    - ``plate``: the text as read ("" when the camera read no plate; see :func:`is_no_plate`).
    - ``time``: timezone-aware UTC datetime of the capture (camera clock).
    - ``direction``: normalised :class:`Direction`; ``direction_raw`` keeps the vendor's word.
    - ``confidence``: 0.0–1.0 or None when the camera gives none (vendor 0–100 scales divided).
    - ``plate_box``: (x, y, width, height) relative to the picture, each 0.0–1.0.
    - ``images``: pictures in the order received; use :meth:`image` to pick one by role.
    - ``vendor_id``: the camera's own id for the event (Hikvision UUID/picName, FF id...), kept as
      a string (long numeric ids overflow floats); used for de-duplication.
    - ``camera_id``: the camera subentry id, stamped by the source adapter (empty in parsers).
    """

    plate: str
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    camera_id: str = ""
    source: str = ""
    direction: Direction = Direction.UNKNOWN
    direction_raw: str | None = None
    confidence: float | None = None
    country: str | None = None
    original_plate: str | None = None
    plate_type: str | None = None
    plate_colour: str | None = None
    vehicle_type: str | None = None
    vehicle_colour: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    speed: float | None = None
    lane: int | None = None
    plate_box: tuple[float, float, float, float] | None = None
    images: list[ReadImage] = field(default_factory=list)
    vendor_id: str | None = None
    camera_list: CameraListVerdict | None = None
    camera_list_name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_plate(self) -> bool:
        """True when the read carries a plate text (not a "no plate" sentinel)."""
        return not is_no_plate(self.plate)

    def image(self, *roles: ImageRole) -> ReadImage | None:
        """Return the first image whose role is in ``roles`` (any image when none given)."""
        for wanted in roles or tuple(ImageRole):
            for img in self.images:
                if img.role is wanted:
                    return img
        return None


def scalar_text(value: Any) -> str | None:
    """Return a JSON/XML scalar as stripped text; None when missing, empty or a dict/list."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def scalar_float(value: Any) -> float | None:
    """Return a number or numeric text as a float; None when missing, boolean, unreadable or NaN.

    Infinities are kept (callers that need a finite value check ``math.isfinite``).
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return None if math.isnan(number) else number


def confidence_from(value: Any, scale: float = 100.0) -> float | None:
    """Turn a vendor confidence (number or numeric string on ``scale``) into 0.0–1.0.

    Values already in 0–1 are kept when ``scale`` is 1. Values above ``scale`` are clamped.
    Returns None for missing or non-numeric input; never raises.
    """
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        return None
    if math.isnan(number) or number < 0:
        return None
    return min(number / scale, 1.0)


def direction_from_vendor(
    raw: str | None, mapping: dict[str, Direction] | None = None
) -> Direction:
    """Map a vendor direction word to :class:`Direction`.

    Vocabularies: ``docs/protocols.md``, "Quirks every parser accepts", Directions.

    ``mapping`` (case-insensitive keys) overrides the defaults, e.g. a camera mounted so that
    Hikvision ``reverse`` means arriving: ``{"reverse": Direction.IN, "forward": Direction.OUT}``.
    """
    if not raw:
        return Direction.UNKNOWN
    key = str(raw).strip().casefold()
    if mapping:
        for name, value in mapping.items():
            if name.casefold() == key:
                return value
    return DEFAULT_DIRECTIONS.get(key, Direction.UNKNOWN)


#: Default vendor word → direction (``docs/protocols.md``, "Quirks every parser accepts").
DEFAULT_DIRECTIONS: dict[str, Direction] = {
    "in": Direction.IN,
    "enter": Direction.IN,
    "entering": Direction.IN,
    "entry": Direction.IN,
    "approach": Direction.IN,
    "approaching": Direction.IN,
    "forward": Direction.IN,
    "obverse": Direction.IN,
    "head": Direction.IN,
    "tryin": Direction.IN,
    "1": Direction.IN,
    "out": Direction.OUT,
    "leave": Direction.OUT,
    "leaving": Direction.OUT,
    "exit": Direction.OUT,
    "exiting": Direction.OUT,
    "away": Direction.OUT,
    "departing": Direction.OUT,
    "reverse": Direction.OUT,
    "tail": Direction.OUT,
    "tryout": Direction.OUT,
    "2": Direction.OUT,
}
