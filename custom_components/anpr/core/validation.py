"""The one validation step every read passes before the pipeline (no Home Assistant import).

Data flows ``source → validation → pipeline → entities, history, mirror, UI``. The camera
coordinator calls :func:`validate_read` for each :class:`PlateRead` a source delivers (the
text, numbers and time, in the event loop: a few microseconds) and then
:func:`check_picture` for each attached picture in the executor (Pillow parses the header).
Whatever a camera, a webhook caller or an attacker on the LAN sends, what reaches the pipeline
is then a read a user can be shown:

* the plate is printable letters and digits of any script, at most :data:`MAX_PLATE_LEN`
  characters after normalisation, else the read is **dropped** (:class:`DropReason`);
* a vendor's "no plate" sentinel (models.NO_PLATE_SENTINELS) becomes the empty plate: the
  read goes on (the pipeline counts it; a site may announce an unreadable vehicle);
* every other text field is cleaned (lone surrogates replaced, control characters removed)
  and cut to :data:`MAX_TEXT_LEN`; numbers out of range are cleared, never guessed;
* a camera time outside [receive time − :data:`MAX_PAST`, receive time + :data:`MAX_FUTURE`]
  is replaced by the receive time;
* a picture that does not decode (truncated, not a picture, too many pixels) is removed; the
  read is kept.

User-supplied search text (actions, and the panel's websocket) is capped with
:func:`cap_search_text` / :data:`MAX_SEARCH_LEN`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import io
import math
import struct
import unicodedata

from PIL import Image, UnidentifiedImageError

from ..protocols.imageinfo import image_size
from ..protocols.models import PlateRead, ReadImage, is_no_plate
from .plates import normalise_plate

#: Longest plate kept, in characters after normalisation (separators removed). The longest
#: real formats are well under this: UK/EU plates have at most 8–10 characters, US vanity
#: plates 7–8, Chinese plates 7–8 (province character included), Middle-East plates with
#: both scripts about 12. 16 leaves room for a country prefix an OCR adds and still keeps a
#: plate inside one sensor state, one history row and one recorder event.
MAX_PLATE_LEN = 16
#: Longest raw plate text looked at at all (before normalisation): anything longer is dropped
#: without being normalised, so the cost of a read never grows with what a sender writes.
MAX_RAW_PLATE_LEN = 64
#: Longest kept value of every other text field (country, colours, make, model, list name,
#: direction word): vendor vocabularies are single words; 64 keeps the event small.
MAX_TEXT_LEN = 64
#: Longest kept vendor event id (Hikvision UUID 36, picName 17–40, FF ids ~20).
MAX_VENDOR_ID_LEN = 128
#: Most pictures kept per read (Hikvision sends 2–3, Milesight 2, FF 2–3).
MAX_PICTURES = 8
#: Most pixels a picture may have (width × height). The largest ANPR cameras deliver 4K
#: (8.3 MP) or 12 MP scenes; 40 MP leaves room and refuses decompression bombs (a 100-byte
#: header can claim 20,000 × 20,000 pixels, 1.2 GB once decoded by a dashboard).
MAX_PICTURE_PIXELS = 40_000_000
#: A camera time this far in the past is a wrong camera clock (or an old replay), not a read:
#: the Hikvision plate-log catch-up delivers at most 24 h old reads, so 7 days is generous.
MAX_PAST = timedelta(days=7)
#: A camera time this far ahead is a wrong clock or a wrong time zone setting (at most ±14 h).
MAX_FUTURE = timedelta(days=1)
#: Highest plausible speed in km/h (faster values are a unit or parsing error).
MAX_SPEED = 500.0
#: Highest lane number kept (multi-lane gantries have at most a dozen).
MAX_LANE = 99
#: Longest search text (plate, camera, list) accepted from a user action or the panel: a
#: plate is at most :data:`MAX_PLATE_LEN` characters, a camera or list name a short title;
#: the fuzzy history search builds patterns per character, so its cost is bounded by this.
MAX_SEARCH_LEN = 64

#: Picture formats kept (what cameras send and every browser shows), by Pillow format name.
PICTURE_TYPES: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "BMP": "image/bmp",
}

#: Bytes at the end of a JPEG searched for its end-of-image marker (cameras pad, and
#: multipart bodies counted with their CRLF keep it).
JPEG_TAIL = 32
_JPEG_EOI = b"\xff\xd9"

_TEXT_FIELDS: tuple[tuple[str, int], ...] = (
    ("direction_raw", MAX_TEXT_LEN),
    ("country", MAX_TEXT_LEN),
    ("original_plate", MAX_RAW_PLATE_LEN),
    ("plate_type", MAX_TEXT_LEN),
    ("plate_colour", MAX_TEXT_LEN),
    ("vehicle_type", MAX_TEXT_LEN),
    ("vehicle_colour", MAX_TEXT_LEN),
    ("vehicle_make", MAX_TEXT_LEN),
    ("vehicle_model", MAX_TEXT_LEN),
    ("vendor_id", MAX_VENDOR_ID_LEN),
    ("camera_list_name", MAX_TEXT_LEN),
)


class DropReason(StrEnum):
    """Why a read was dropped (the diagnostics counter names)."""

    NO_PLATE = "no_plate"
    """The camera saw a vehicle but read no plate (a vendor sentinel); not an error and not
    dropped by :func:`validate_read` (the plate becomes ``""``)."""
    EMPTY = "empty_plate"
    """Nothing left after normalisation (only separators or blanks)."""
    TOO_LONG = "plate_too_long"
    """More than :data:`MAX_PLATE_LEN` characters (or :data:`MAX_RAW_PLATE_LEN` raw)."""
    UNPRINTABLE = "plate_unprintable"
    """Control characters, lone surrogates, replacement characters or symbols in the plate."""
    WRONG_TYPE = "plate_not_text"
    """The plate is not a string (a number or object from a loosely typed payload)."""


@dataclass(slots=True)
class ReadCheck:
    """What :func:`validate_read` made of one read.

    ``drop`` is None when the read goes on to the pipeline; ``fixes`` names the fields that
    were cleaned or cleared (``"time"``, ``"confidence"``, ``"text"``...), ``camera_time``
    the camera's own time when it was replaced.
    """

    drop: DropReason | None = None
    fixes: list[str] = field(default_factory=list)
    camera_time: datetime | None = None


class PictureError(Exception):
    """A picture that cannot be shown; the message is the reason (one log line)."""


def _clean_text(value: str, limit: int) -> str:
    """Replace lone surrogates, drop control/format characters, collapse blanks, cap length."""
    if not value.isascii():
        value = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
    if not value.isprintable():
        value = "".join(c if c.isprintable() else " " for c in value)
    value = " ".join(value.split())
    return value[:limit]


def plate_problem(plate: object) -> DropReason | None:
    """Return why ``plate`` (the raw text a camera sent) cannot be a read, or None.

    Checks, cheapest first: type, "no plate" sentinels, raw length (before normalising),
    length and characters after :func:`~custom_components.anpr.plates.normalise_plate`
    (letters and digits of any script only). Never raises.
    """
    if not isinstance(plate, str):
        return DropReason.WRONG_TYPE
    if is_no_plate(plate):
        return DropReason.NO_PLATE
    if len(plate) > MAX_RAW_PLATE_LEN:
        return DropReason.TOO_LONG
    normalised = normalise_plate(plate)
    if not normalised:
        return DropReason.EMPTY
    if len(normalised) > MAX_PLATE_LEN:
        return DropReason.TOO_LONG
    if not normalised.isalnum():
        return DropReason.UNPRINTABLE
    return None


def _finite(value: object, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or number < low or number > high:
        return None
    return number


def _box(box: object) -> tuple[float, float, float, float] | None:
    """Return the plate box (x, y, width, height; relative 0–1) if inside the picture."""
    if not isinstance(box, tuple | list) or len(box) != 4:
        return None
    values = [_finite(v, 0.0, 1.0) for v in box]
    if any(v is None for v in values):
        return None
    x, y, w, h = (float(v) for v in values)  # type: ignore[arg-type]
    if w <= 0 or h <= 0 or x + w > 1.0001 or y + h > 1.0001:
        return None
    return (x, y, w, h)


def validate_read(read: PlateRead, now: datetime | None = None) -> ReadCheck:
    """Check and clean one read in place (event loop, no I/O; pictures: :func:`check_picture`).

    ``now`` is the receive time (UTC, default: the current time). Returns a :class:`ReadCheck`:
    when ``drop`` is set the read must not reach the pipeline. Otherwise the read's plate is
    whitespace-collapsed, text fields are cleaned and capped, out-of-range numbers are None,
    an implausible time is the receive time and at most :data:`MAX_PICTURES` pictures are
    kept. Never raises.
    """
    check = ReadCheck()
    problem = plate_problem(read.plate)
    if problem is DropReason.NO_PLATE:
        # A vehicle without a readable plate is a read (the pipeline counts it, and a site
        # may announce it as an unreadable vehicle): its other fields are checked as usual.
        read.plate = ""
    elif problem is not None:
        check.drop = problem
        return check
    plate = " ".join(read.plate.split())
    if plate != read.plate:
        read.plate = plate
    for name, limit in _TEXT_FIELDS:
        value = getattr(read, name)
        if value is None:
            continue
        cleaned = _clean_text(value, limit) if isinstance(value, str) else None
        cleaned = cleaned or None
        if cleaned != value:
            setattr(read, name, cleaned)
            check.fixes.append(name)
    if read.confidence is not None:
        confidence = _finite(read.confidence, 0.0, 1.0)
        if confidence is None:
            check.fixes.append("confidence")
        read.confidence = confidence
    if read.speed is not None:
        speed = _finite(read.speed, 0.0, MAX_SPEED)
        if speed is None:
            check.fixes.append("speed")
        read.speed = speed
    if read.lane is not None:
        lane = read.lane
        if isinstance(lane, bool) or not isinstance(lane, int) or not 0 <= lane <= MAX_LANE:
            read.lane = None
            check.fixes.append("lane")
    if read.plate_box is not None:
        box = _box(read.plate_box)
        if box is None:
            check.fixes.append("plate_box")
        read.plate_box = box
    received = now or datetime.now(UTC)
    when = read.time
    if not isinstance(when, datetime) or when.tzinfo is None:
        read.time = received
        check.fixes.append("time")
    elif not received - MAX_PAST <= when <= received + MAX_FUTURE:
        check.camera_time = when
        read.time = received
        check.fixes.append("time")
    if len(read.images) > MAX_PICTURES:
        del read.images[MAX_PICTURES:]
        check.fixes.append("images")
    return check


def _header_size(data: bytes) -> tuple[int, int] | None:
    """Pixel size from the header without Pillow (JPEG, PNG, BMP, GIF), else None."""
    if data[:4] == b"GIF8" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    return image_size(data)


def check_picture(data: bytes, max_pixels: int = MAX_PICTURE_PIXELS) -> str:
    """Check that ``data`` is a whole picture a browser can show; return its MIME type.

    Blocking (Pillow; run it in the executor), cheap on purpose (no pixel decoding, well under
    a millisecond for a camera picture): the pixel size is read from the header first and
    refused above ``max_pixels`` before Pillow looks at it; Pillow then identifies the format
    (JPEG, PNG, GIF or BMP); a JPEG must end with its end-of-image marker ``FF D9`` within its
    last :data:`JPEG_TAIL` bytes (padding or a multipart CRLF may follow; a picture cut short
    has none: inside the scan data ``FF`` is always followed by ``00`` or a restart marker,
    ITU-T T.81 §F.1.2.3), a PNG must pass ``verify()`` (chunk
    CRCs, IEND present). Raises :class:`PictureError` with the reason otherwise.
    """
    if not data:
        raise PictureError("empty picture")
    size = _header_size(data)
    if size is not None and (size[0] * size[1] > max_pixels):
        raise PictureError(f"picture of {size[0]}x{size[1]} pixels is over the pixel cap")
    try:
        with Image.open(io.BytesIO(data), formats=list(PICTURE_TYPES)) as image:
            fmt = image.format or ""
            width, height = image.size
            if width * height > max_pixels:
                raise PictureError(f"picture of {width}x{height} pixels is over the pixel cap")
            if fmt == "PNG":
                image.verify()
    except Image.DecompressionBombError as err:
        raise PictureError("picture over the pixel cap") from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as err:
        raise PictureError(f"not a picture ({type(err).__name__})") from err
    if fmt == "JPEG" and _JPEG_EOI not in data[-JPEG_TAIL:]:
        raise PictureError("truncated JPEG (no end-of-image marker)")
    return PICTURE_TYPES[fmt]


def check_pictures(images: list[ReadImage]) -> tuple[list[ReadImage], list[str]]:
    """Run :func:`check_picture` on each image (executor); return (kept, reasons dropped).

    A kept picture whose declared content type differs from what it is gets the right one
    (a PNG announced as ``image/jpeg`` is served as PNG). Never raises.
    """
    kept: list[ReadImage] = []
    reasons: list[str] = []
    for image in images:
        try:
            content_type = check_picture(image.data)
        except PictureError as err:
            reasons.append(f"{image.role.value}: {err}")
            continue
        if content_type != image.content_type:
            kept.append(
                ReadImage(
                    data=image.data, content_type=content_type, role=image.role, name=image.name
                )
            )
        else:
            kept.append(image)
    return kept, reasons


def cap_search_text(value: str, limit: int = MAX_SEARCH_LEN) -> str:
    """Return a user's search text stripped; raises ValueError when longer than ``limit``.

    Used by the actions' schemas (voluptuous turns the ValueError into an "invalid" error) and
    meant for the panel's websocket commands, so no search costs more than a bounded one.
    """
    text = unicodedata.normalize("NFC", str(value)).strip()
    if len(text) > limit:
        raise ValueError(f"longer than {limit} characters")
    return text
