"""Hikvision ISAPI ANPR parsers: alerts (XML and JSON), plate log, device info, picture linking.

Pure module (no Home Assistant import). Formats, all from PROTOCOLS.md §1:

* ``EventNotificationAlert`` XML (§1.1/§1.2) in any namespace (``hikvision.com/ver10``,
  ``ver20``, ``isapi.org/ver20``, ``std-cgi.com/ver20``, none), with or without an XML declaration,
  several alerts in one part, ``channelID`` or ``dynChannelID`` (possibly empty);
* the JSON ``mixedTargetDetection`` variant (§1.2) and JSON heartbeats;
* the plate-log answer ``<Plates>`` of ``POST /ISAPI/Traffic/channels/<ch>/vehicleDetect/plates``
  (§1.4), where ``picName`` is kept as a string (it can be 25 digits);
* ``/ISAPI/System/deviceInfo`` and ``ResponseStatus`` (§1.1 "Error format").

Untrusted XML goes through ``defusedxml``: DTDs and entities are refused. Every parser has a size
cap and raises only :class:`HikvisionError` for bad input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
import math
import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _safe_fromstring

from . import safejson
from .models import (
    CameraListVerdict,
    Direction,
    ImageRole,
    PlateRead,
    ProtocolError,
    ReadImage,
    confidence_from,
    direction_from_vendor,
    is_no_plate,
)
from .multipart import Part
from .timestamps import parse_iso_time, to_utc

SOURCE = "hikvision"
#: Cap for one XML/JSON event document (bytes). Real ANPR alerts are 1-5 KB.
MAX_EVENT_SIZE = 256 * 1024
#: Cap for a plate-log answer (bytes).
MAX_PLATES_SIZE = 4 * 1024 * 1024

HEARTBEAT_EVENT_TYPES = frozenset({"videoloss", "heartbeat"})
ANPR_EVENT_TYPES = frozenset({"anpr", "mixedtargetdetection", "vehicledetection"})
IMAGE_TYPES = frozenset({"image/jpeg", "image/pjpeg", "image/jpg", "image/png", "image/bmp"})
_EVENT_TYPES = frozenset(
    {"application/xml", "text/xml", "application/json", "text/json", "text/plain", ""}
)


class HikvisionError(ProtocolError):
    """Malformed or oversize Hikvision ISAPI input (the only exception these parsers raise)."""


# --- XML helpers ----------------------------------------------------------------------------


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _strip_namespaces(root: Element) -> Element:
    """Drop ``{namespace}`` from every tag so the C ``find`` can be used (namespaces ignored)."""
    for el in root.iter():
        tag = el.tag
        if isinstance(tag, str) and tag[:1] == "{":
            el.tag = tag[tag.find("}") + 1 :]
    return root


def _children(el: Element | None, name: str) -> list[Element]:
    return [] if el is None else el.findall(name)


def _child(el: Element | None, name: str) -> Element | None:
    return None if el is None else el.find(name)


def _text(el: Element | None, *path: str) -> str | None:
    if el is None:
        return None
    value = el.findtext("/".join(path))
    if value is None:
        return None
    value = value.strip()
    return value or None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return None if math.isnan(number) else number


_XML_DECL = re.compile(rb"<\?xml[^>]*\?>")
_DTD_HINT = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(data: bytes, max_size: int = MAX_EVENT_SIZE) -> list[Element]:
    """Parse untrusted XML safely and return its root element(s).

    Several concatenated documents (e.g. two ``EventNotificationAlert`` in one part) give several
    roots. Raises :class:`HikvisionError` when the input is oversize, not well-formed, or uses a
    DTD/entities (refused: no entity expansion). Source: PROTOCOLS.md §0.
    """
    if len(data) > max_size:
        raise HikvisionError(f"XML document of {len(data)} bytes exceeds the {max_size} cap")
    data = data.strip().lstrip(b"\xef\xbb\xbf")
    if not data:
        raise HikvisionError("empty XML document")
    if _DTD_HINT.search(data):
        raise HikvisionError("XML with a DTD or entity declaration refused")
    try:
        return [_strip_namespaces(_safe_fromstring(data))]
    except DefusedXmlException as err:  # pragma: no cover - caught by _DTD_HINT first
        raise HikvisionError(f"unsafe XML refused: {type(err).__name__}") from err
    except LookupError as err:  # fuzz finding: <?xml encoding="TTF-8"?> escaped as LookupError
        raise HikvisionError(f"malformed XML: {err}") from err
    except ParseError as err:
        if "junk after document element" not in str(err):
            raise HikvisionError(f"malformed XML: {err}") from err
    # Several documents in one part: wrap them in one root.
    body = _XML_DECL.sub(b"", data)
    try:
        wrapper = _safe_fromstring(b"<_anpr_wrap>" + body + b"</_anpr_wrap>")
    except (ParseError, DefusedXmlException, LookupError) as err:  # LookupError: see above
        raise HikvisionError(f"malformed XML: {err}") from err
    return [_strip_namespaces(root) for root in wrapper]


# --- Time -----------------------------------------------------------------------------------

_BROKEN_OFFSET = re.compile(r"^(.*T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(\d{2}:\d{2})$")
_DIGITS = re.compile(r"^\d{14,30}$")


def parse_time(value: str | None, tz: tzinfo = UTC) -> datetime | None:
    """Parse a Hikvision timestamp into an aware UTC datetime; None when unparseable.

    Accepts every ISO 8601 form :func:`~.timestamps.parse_iso_time` reads, the broken
    ``…T11:46:3100:00`` form (offset without its sign) and the digit forms
    ``yyyyMMddHHmmss[SSS…]`` (``absTime``, ``picName``). Times without an offset are taken in
    ``tz`` (the camera's zone). Source: ``docs/protocols.md``, "Timestamps".
    """
    if not value:
        return None
    text = value.strip()
    if not _DIGITS.match(text):
        broken = _BROKEN_OFFSET.match(text)
        return parse_iso_time(f"{broken.group(1)}+{broken.group(2)}" if broken else text, tz)
    try:  # yyyyMMddHHmmss[SSS...] (absTime, picName); the compact "T" form is ISO basic
        parsed = datetime.strptime(text[:14], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    if len(text) >= 17:
        parsed = parsed.replace(microsecond=int(text[14:17]) * 1000)
    return to_utc(parsed, tz)


# --- Alerts ---------------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class PictureRef:
    """A picture announced by an alert (``pictureInfoList/pictureInfo`` or JSON ``pIdN``).

    The picture's multipart part is linked by ``pid`` = part ``name``, ``content_id`` =
    ``Content-ID`` or ``file_name`` = ``filename`` (ISAPI guide rule; PROTOCOLS.md §1.1).
    ``url`` is set when the camera sends a URL (``dataType`` 1) instead of a part.
    """

    role: ImageRole
    file_name: str | None = None
    pid: str | None = None
    content_id: str | None = None
    url: str | None = None

    def keys(self) -> set[str]:
        """Every identifier that can name this picture's part (case-folded)."""
        return {k.casefold() for k in (self.file_name, self.pid, self.content_id) if k}


@dataclass(slots=True, kw_only=True)
class HikAlert:
    """One ``EventNotificationAlert`` (or JSON event).

    ``read`` is the plate read for ANPR events that carry a plate (None for heartbeats, other
    events and "no plate" reads, see ``no_plate``). ``pictures`` lists the pictures to expect as
    following parts; ``picture_count`` is ``picNum`` when given.
    """

    event_type: str
    event_state: str | None = None
    channel: str | None = None
    time: datetime | None = None
    uuid: str | None = None
    read: PlateRead | None = None
    no_plate: bool = False
    pictures: list[PictureRef] = field(default_factory=list)
    picture_count: int | None = None

    @property
    def is_heartbeat(self) -> bool:
        """True for keep-alives: ``heartBeat`` or an inactive ``videoloss`` (§1.1)."""
        kind = self.event_type.casefold()
        if kind == "heartbeat":
            return True
        return kind == "videoloss" and (self.event_state or "").casefold() == "inactive"

    @property
    def is_anpr(self) -> bool:
        """True for plate events (``ANPR``, ``mixedTargetDetection``, ``vehicleDetection``)."""
        return self.event_type.casefold() in ANPR_EVENT_TYPES


def role_for_name(name: str | None, default: ImageRole = ImageRole.FULL) -> ImageRole:
    """Guess a picture's role from a Hikvision picture name (``licensePlatePicture.jpg``...)."""
    key = (name or "").casefold()
    if "plate" in key:
        return ImageRole.PLATE
    if "vehicle" in key:
        return ImageRole.VEHICLE
    if any(word in key for word in ("detection", "background", "scene", "full")):
        return ImageRole.FULL
    return default


_LIST_VERDICTS: dict[str, CameraListVerdict] = {
    "white": CameraListVerdict.ALLOWED,
    "whitelist": CameraListVerdict.ALLOWED,
    "allowlist": CameraListVerdict.ALLOWED,
    "allow": CameraListVerdict.ALLOWED,
    "temporary": CameraListVerdict.ALLOWED,
    "temporarylist": CameraListVerdict.ALLOWED,
    "black": CameraListVerdict.ALERT,
    "blacklist": CameraListVerdict.ALERT,
    "blocklist": CameraListVerdict.ALERT,
    "block": CameraListVerdict.ALERT,
    "otherlist": CameraListVerdict.NONE,
    "other": CameraListVerdict.NONE,
    "none": CameraListVerdict.NONE,
}


def list_verdict(value: str | None) -> CameraListVerdict | None:
    """Map ``listType``/``vehicleListName``/``matchingResult`` to a :class:`CameraListVerdict`."""
    if not value:
        return None
    return _LIST_VERDICTS.get(value.strip().casefold().replace("_", ""), CameraListVerdict.NONE)


def _rect(el: Element | None, scale: float) -> tuple[float, float, float, float] | None:
    if el is None:
        return None
    values = [_float(_text(el, name)) for name in ("X", "Y", "width", "height")]
    if any(v is None for v in values):
        values = [_float(_text(el, name)) for name in ("x", "y", "width", "height")]
    if any(v is None for v in values):
        return None
    x, y, w, h = (min(max(v / scale, 0.0), 1.0) for v in values if v is not None)
    return (x, y, w, h)


def _alert_from_xml(
    root: Element, direction_map: Mapping[str, Direction] | None, tz: tzinfo
) -> HikAlert:
    if _local(root.tag) != "EventNotificationAlert":
        raise HikvisionError(f"unexpected XML root <{_local(root.tag)}>")
    event_type = _text(root, "eventType") or ""
    channel = _text(root, "channelID") or _text(root, "dynChannelID")
    alert = HikAlert(
        event_type=event_type,
        event_state=_text(root, "eventState"),
        channel=channel,
        time=parse_time(_text(root, "dateTime"), tz),
        uuid=_text(root, "UUID"),
        picture_count=_int(_text(root, "picNum")),
    )
    anpr = _child(root, "ANPR")
    if event_type.casefold() != "anpr" or anpr is None:
        return alert
    pictures: list[PictureRef] = []
    plate_box: tuple[float, float, float, float] | None = None
    infos = [*_children(anpr, "pictureInfoList"), *_children(root, "pictureInfoList")]
    for info in infos:
        for pic in _children(info, "pictureInfo"):
            file_name = _text(pic, "fileName")
            ptype = _text(pic, "type")
            ref = PictureRef(
                role=role_for_name(ptype or file_name),
                file_name=file_name,
                pid=_text(pic, "pId"),
                content_id=_text(pic, "contentID"),
                url=_text(pic, "pictureURL") if _text(pic, "dataType") == "1" else None,
            )
            pictures.append(ref)
            if plate_box is None:
                plate_box = _rect(_child(pic, "plateRect"), 1000.0)
    plate = _text(anpr, "licensePlate") or ""
    vehicle = _child(anpr, "vehicleInfo")
    list_name = _text(anpr, "vehicleListName") or _text(anpr, "listType")
    raw_direction = _text(anpr, "direction")
    extra: dict[str, Any] = {
        key: value
        for key, value in (
            ("channel", channel),
            ("event_type", event_type),
            ("detect_dir", _text(anpr, "detectDir")),
            ("cr_index", _text(anpr, "CRIndex")),
            ("plate_char_confidence", _text(anpr, "plateCharBelieve")),
            ("retransmission", _text(root, "isDataRetransmission")),
            ("alarm_data_type", _text(anpr, "alarmDataType")),
            ("vehicle_logo", _text(vehicle, "vehicleLogoRecog")),
            ("vehicle_sub_logo", _text(vehicle, "vehileSubLogoRecog")),
        )
        if value is not None
    }
    read = PlateRead(
        plate=plate,
        time=alert.time or datetime.now(UTC),
        source=SOURCE,
        direction=direction_from_vendor(raw_direction, dict(direction_map or {})),
        direction_raw=raw_direction,
        confidence=confidence_from(_text(anpr, "confidenceLevel")),
        country=_text(anpr, "country"),
        original_plate=_text(anpr, "originalLicensePlate"),
        plate_type=_text(anpr, "plateType"),
        plate_colour=_text(anpr, "plateColor"),
        vehicle_type=_text(anpr, "vehicleType") or _text(vehicle, "vehicleType"),
        vehicle_colour=_text(vehicle, "color"),
        vehicle_make=_text(vehicle, "vehicleLogoRecog"),
        vehicle_model=_text(vehicle, "vehileModel") or _text(vehicle, "vehicleModel"),
        speed=_float(_text(vehicle, "speed")),
        lane=_int(_text(anpr, "line")),
        plate_box=plate_box,
        vendor_id=alert.uuid,
        camera_list=list_verdict(list_name),
        camera_list_name=list_name,
        extra=extra,
    )
    alert.pictures = pictures
    if is_no_plate(plate):
        alert.no_plate = True
    else:
        alert.read = read
    return alert


def parse_alert_xml(
    data: bytes,
    *,
    direction_map: Mapping[str, Direction] | None = None,
    tz: tzinfo = UTC,
    max_size: int = MAX_EVENT_SIZE,
) -> list[HikAlert]:
    """Parse one XML event part (one or more ``EventNotificationAlert``) into alerts.

    ``direction_map`` overrides the vendor direction mapping (default forward→in, reverse→out);
    ``tz`` is used for times without an offset. Raises :class:`HikvisionError` for malformed,
    oversize or unsafe XML. Source: Hikvision ISAPI alertStream; PROTOCOLS.md §1.1/§1.2.
    """
    return [_alert_from_xml(root, direction_map, tz) for root in parse_xml(data, max_size)]


def _properties(items: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and "description" in item:
                out[str(item["description"])] = item.get("value")
    return out


def _json_rect(value: Any, scale: float = 1.0) -> tuple[float, float, float, float] | None:
    if not isinstance(value, dict):
        return None
    lowered = {str(k).casefold(): v for k, v in value.items()}
    numbers = [_float(lowered.get(k)) for k in ("x", "y", "width", "height")]
    if any(n is None for n in numbers):
        return None
    x, y, w, h = (min(max(n / scale, 0.0), 1.0) for n in numbers if n is not None)
    return (x, y, w, h)


def _str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def parse_alert_json(
    data: bytes,
    *,
    direction_map: Mapping[str, Direction] | None = None,
    tz: tzinfo = UTC,
    max_size: int = MAX_EVENT_SIZE,
) -> list[HikAlert]:
    """Parse a JSON event part: ``mixedTargetDetection`` reads, heartbeats and other events.

    One alert per ``CaptureResult[]`` entry with a vehicle (its ``Property`` list gives
    ``plateNo``, ``plateType``, ``plateColor``, ``vehicleType``, ``vehicleColor``, ``vehicleLogo``,
    ``vehicleModel``, ``confidence`` 0-100, ``direction``; ``PlateRect`` is 0-1). Raises
    :class:`HikvisionError` for invalid/oversize JSON. Source: ISAPI guide §4.2.1.4;
    PROTOCOLS.md §1.2 "JSON variant".
    """
    if len(data) > max_size:
        raise HikvisionError(f"JSON document of {len(data)} bytes exceeds the {max_size} cap")
    try:
        doc = safejson.loads(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise HikvisionError(f"malformed JSON: {err}") from err
    if not isinstance(doc, dict):
        raise HikvisionError("JSON event is not an object")
    if isinstance(doc.get("EventNotificationAlert"), dict):
        doc = doc["EventNotificationAlert"]
    event_type = _str(doc.get("eventType")) or ""
    base = HikAlert(
        event_type=event_type,
        event_state=_str(doc.get("eventState")),
        channel=_str(doc.get("channelID")) or _str(doc.get("dynChannelID")),
        time=parse_time(_str(doc.get("dateTime")), tz),
        uuid=_str(doc.get("UUID")),
    )
    if event_type.casefold() not in ANPR_EVENT_TYPES:
        return [base]
    if isinstance(doc.get("ANPR"), dict):
        return [_alert_from_json_anpr(doc, base, direction_map)]
    results = doc.get("CaptureResult")
    if isinstance(results, dict):
        results = [results]
    if not isinstance(results, list):
        raise HikvisionError("mixedTargetDetection without CaptureResult")
    alerts: list[HikAlert] = []
    for index, result in enumerate(results):
        vehicle = result.get("Vehicle") if isinstance(result, dict) else None
        if not isinstance(vehicle, dict):
            continue
        props = _properties(vehicle.get("Property"))
        plate = _str(props.get("plateNo")) or _str(props.get("licensePlate")) or ""
        pictures: list[PictureRef] = []
        for n in range(1, 5):
            pid = _str(vehicle.get(f"pId{n}"))
            content_id = _str(vehicle.get(f"contentID{n}"))
            if pid or content_id:
                pictures.append(
                    PictureRef(
                        role=role_for_name(content_id or pid, ImageRole.VEHICLE),
                        pid=pid,
                        content_id=content_id,
                    )
                )
        raw_direction = _str(props.get("direction"))
        alert = replace(base, pictures=pictures, picture_count=len(pictures))
        vendor_id = base.uuid or (pictures[0].pid if pictures else None)
        read = PlateRead(
            plate=plate,
            time=base.time or datetime.now(UTC),
            source=SOURCE,
            direction=direction_from_vendor(raw_direction, dict(direction_map or {})),
            direction_raw=raw_direction,
            confidence=confidence_from(props.get("confidence")),
            country=_str(props.get("country")),
            plate_type=_str(props.get("plateType")),
            plate_colour=_str(props.get("plateColor")),
            vehicle_type=_str(props.get("vehicleType")),
            vehicle_colour=_str(props.get("vehicleColor")),
            vehicle_make=_str(props.get("vehicleLogo")),
            vehicle_model=_str(props.get("vehicleModel")),
            plate_box=_json_rect(vehicle.get("PlateRect")),
            vendor_id=(
                vendor_id if len(results) == 1 or vendor_id is None else f"{vendor_id}#{index}"
            ),
            extra={"channel": base.channel, "event_type": event_type},
        )
        if is_no_plate(plate):
            alert.no_plate = True
        else:
            alert.read = read
        alerts.append(alert)
    return alerts


def _alert_from_json_anpr(
    doc: Mapping[str, Any], base: HikAlert, direction_map: Mapping[str, Direction] | None
) -> HikAlert:
    """JSON listening mode (``parameterFormatType`` JSON) mirroring the XML ``<ANPR>`` element.

    PROTOCOLS.md §8 lists its exact spelling as unverified; the XML element names are used.
    """
    anpr = doc["ANPR"]
    plate = _str(anpr.get("licensePlate")) or ""
    vehicle = anpr.get("vehicleInfo") if isinstance(anpr.get("vehicleInfo"), dict) else {}
    raw_direction = _str(anpr.get("direction"))
    list_name = _str(anpr.get("vehicleListName")) or _str(anpr.get("listType"))
    pictures: list[PictureRef] = []
    plate_box: tuple[float, float, float, float] | None = None
    infos = anpr.get("pictureInfoList")
    if isinstance(infos, dict):
        infos = infos.get("pictureInfo", [])
    for info in infos if isinstance(infos, list) else [infos]:
        if not isinstance(info, dict):
            continue
        name = _str(info.get("fileName"))
        pictures.append(
            PictureRef(
                role=role_for_name(_str(info.get("type")) or name),
                file_name=name,
                pid=_str(info.get("pId")),
                content_id=_str(info.get("contentID")),
            )
        )
        plate_box = plate_box or _json_rect(info.get("plateRect"), 1000.0)
    alert = replace(base, pictures=pictures, picture_count=_int(_str(doc.get("picNum"))))
    read = PlateRead(
        plate=plate,
        time=base.time or datetime.now(UTC),
        source=SOURCE,
        direction=direction_from_vendor(raw_direction, dict(direction_map or {})),
        direction_raw=raw_direction,
        confidence=confidence_from(anpr.get("confidenceLevel")),
        country=_str(anpr.get("country")),
        original_plate=_str(anpr.get("originalLicensePlate")),
        plate_type=_str(anpr.get("plateType")),
        plate_colour=_str(anpr.get("plateColor")),
        vehicle_type=_str(anpr.get("vehicleType")) or _str(vehicle.get("vehicleType")),
        vehicle_colour=_str(vehicle.get("color")),
        vehicle_make=_str(vehicle.get("vehicleLogoRecog")),
        lane=_int(_str(anpr.get("line"))),
        plate_box=plate_box,
        vendor_id=base.uuid,
        camera_list=list_verdict(list_name),
        camera_list_name=list_name,
        extra={"channel": base.channel, "event_type": base.event_type},
    )
    if is_no_plate(plate):
        alert.no_plate = True
    else:
        alert.read = read
    return alert


def parse_event_part(
    part: Part,
    *,
    direction_map: Mapping[str, Direction] | None = None,
    tz: tzinfo = UTC,
) -> list[HikAlert]:
    """Parse one non-image multipart part by its Content-Type (sniffing when it is vague).

    Raises :class:`HikvisionError` for bad content or an oversize part. PROTOCOLS.md §0.
    """
    if part.oversize:
        raise HikvisionError(f"part of {part.size} bytes exceeds the size cap; skipped")
    body = part.body.strip()
    ctype = part.content_type
    is_json = "json" in ctype or (ctype in ("", "text/plain") and body[:1] in (b"{", b"["))
    if is_json:
        return parse_alert_json(body, direction_map=direction_map, tz=tz)
    return parse_alert_xml(body, direction_map=direction_map, tz=tz)


def is_image_part(part: Part) -> bool:
    """Tell whether a part is a picture (``image/jpeg``, ``image/pjpeg``, ``image/png``...)."""
    ctype = part.content_type
    return ctype in IMAGE_TYPES or ctype.startswith("image/")


# --- Assembling reads with their pictures ---------------------------------------------------


@dataclass(slots=True)
class _Pending:
    read: PlateRead
    expected: list[PictureRef]
    count: int | None
    hold: bool = False  # nothing announced: wait for flush() (end of a one-shot body)

    def complete(self) -> bool:
        if self.hold:
            return False
        wanted = self.count if self.count is not None else len(self.expected)
        return len(self.read.images) >= wanted


@dataclass(slots=True)
class AssemblerStats:
    """Counters for diagnostics."""

    reads: int = 0
    heartbeats: int = 0
    no_plate: int = 0
    other_events: int = 0
    orphan_pictures: int = 0
    duplicates: int = 0


class HikvisionEventAssembler:
    """Turn a sequence of multipart parts into complete :class:`PlateRead` objects.

    Feed every part with :meth:`add`; it returns reads that are complete (all announced pictures
    received, or a new event started). Pictures are linked to the pending read by
    ``pId``/``Content-ID``/``filename`` (PROTOCOLS.md §1.1); a picture no alert announced still
    joins the pending read (role guessed from its name). ``hold_unannounced`` keeps a read without
    any picture info until :meth:`flush` (one-shot bodies: webhook POST, MNPR answer); a stream
    flushes after a short quiet time instead. Reads with the same (UUID, time) are delivered once.
    :meth:`add` raises :class:`HikvisionError` for a bad event part; state stays consistent.
    """

    def __init__(
        self,
        *,
        direction_map: Mapping[str, Direction] | None = None,
        tz: tzinfo = UTC,
        hold_unannounced: bool = False,
        dedupe_size: int = 512,
    ) -> None:
        """Create an assembler (one per connection or request body)."""
        self.direction_map = dict(direction_map or {})
        self.tz = tz
        self.hold_unannounced = hold_unannounced
        self._pending: list[_Pending] = []
        self._seen: dict[tuple[str, str], None] = {}
        self._dedupe_size = dedupe_size
        self.stats = AssemblerStats()
        self.last_heartbeat: HikAlert | None = None

    @property
    def has_pending(self) -> bool:
        """True while a read waits for its pictures."""
        return bool(self._pending)

    def add(self, part: Part) -> list[PlateRead]:
        """Process one part; return the reads completed by it (in arrival order)."""
        if is_image_part(part):
            return self._add_picture(part)
        alerts = parse_event_part(part, direction_map=self.direction_map, tz=self.tz)
        out = self.flush()
        for alert in alerts:
            if alert.is_heartbeat:
                self.stats.heartbeats += 1
                self.last_heartbeat = alert
                continue
            if not alert.is_anpr:
                self.stats.other_events += 1
                continue
            if alert.read is None:
                self.stats.no_plate += 1
                continue
            key = (alert.uuid or "", alert.read.time.isoformat())
            if alert.uuid and key in self._seen:
                self.stats.duplicates += 1
                continue
            if alert.uuid:
                self._seen[key] = None
                if len(self._seen) > self._dedupe_size:
                    self._seen.pop(next(iter(self._seen)))
            expected = [p for p in alert.pictures if p.url is None]
            count = alert.picture_count
            if count is not None and expected:
                count = min(count, len(expected))
            unannounced = count is None and not expected
            if count == 0 or (unannounced and not self.hold_unannounced):
                self.stats.reads += 1
                out.append(alert.read)
            else:
                self._pending.append(_Pending(alert.read, expected, count, hold=unannounced))
        return out

    def _add_picture(self, part: Part) -> list[PlateRead]:
        if part.oversize:
            raise HikvisionError(f"picture part of {part.size} bytes exceeds the size cap")
        if not self._pending:
            self.stats.orphan_pictures += 1
            return []
        keys = {k.casefold() for k in (part.name, part.filename, part.content_id) if k}
        target: _Pending | None = None
        role: ImageRole | None = None
        for pending in self._pending:
            for ref in pending.expected:
                if keys & ref.keys():
                    target, role = pending, ref.role
                    break
            if target:
                break
        if target is None:
            target = self._pending[-1]
            role = role_for_name(part.name or part.filename or part.content_id)
        if part.body:
            target.read.images.append(
                ReadImage(
                    data=part.body,
                    content_type="image/jpeg" if part.content_type == "image/pjpeg"
                    else part.content_type,
                    role=role or ImageRole.FULL,
                    name=part.filename or part.name,
                )
            )
        else:
            # Content-Length 0 picture (seen in the wild): counts as received, carries nothing.
            target.count = (target.count if target.count is not None else len(target.expected)) - 1
        out: list[PlateRead] = []
        while self._pending and self._pending[0].complete():
            out.append(self._pending.pop(0).read)
        self.stats.reads += len(out)
        return out

    def flush(self) -> list[PlateRead]:
        """Return every pending read as it is (pictures that never came are left out)."""
        out = [pending.read for pending in self._pending]
        self._pending.clear()
        self.stats.reads += len(out)
        return out

    def add_all(self, parts: Iterable[Part]) -> tuple[list[PlateRead], list[str]]:
        """Process parts of a one-shot body; return (reads incl. flushed ones, error messages)."""
        reads: list[PlateRead] = []
        errors: list[str] = []
        for part in parts:
            try:
                reads.extend(self.add(part))
            except HikvisionError as err:
                errors.append(str(err))
        reads.extend(self.flush())
        return reads, errors


# --- Plate log ------------------------------------------------------------------------------


def pic_name_key(pic_name: str) -> str:
    """Sort key for ``picName``/``picTime`` strings, never converted to a number.

    Both start with ``yyyyMMddHHmmss`` followed by sub-second/sequence digits of varying width
    (18 or 25 digits seen), so they compare as right-padded strings, like decimal fractions.
    """
    return pic_name.strip().ljust(40, "0")


@dataclass(slots=True, kw_only=True)
class PlateLogEntry:
    """One ``<Plate>`` of the plate log (PROTOCOLS.md §1.4); ``pic_name`` stays a string."""

    pic_name: str
    plate: str
    capture_time: str | None = None
    country: str | None = None
    lane: int | None = None
    direction: str | None = None
    matching_result: str | None = None

    def to_read(
        self, *, direction_map: Mapping[str, Direction] | None = None, tz: tzinfo = UTC
    ) -> PlateRead:
        """Build the :class:`PlateRead` (vendor_id = picName, ``extra["catch_up"]`` = True)."""
        when = parse_time(self.capture_time, tz) or parse_time(self.pic_name, tz)
        return PlateRead(
            plate=self.plate,
            time=when or datetime.now(UTC),
            source=SOURCE,
            direction=direction_from_vendor(self.direction, dict(direction_map or {})),
            direction_raw=self.direction,
            country=self.country,
            lane=self.lane,
            vendor_id=self.pic_name,
            camera_list=list_verdict(self.matching_result),
            camera_list_name=self.matching_result,
            extra={"pic_name": self.pic_name, "catch_up": True},
        )


def parse_plates(data: bytes, max_size: int = MAX_PLATES_SIZE) -> list[PlateLogEntry]:
    """Parse a ``<Plates>`` plate-log answer; entries sorted by picName (oldest first).

    A single ``<Plate>`` is not wrapped; entries without picName are skipped; "no plate" entries
    are kept (the caller decides). Raises :class:`HikvisionError` for bad XML.
    Source: ``POST /ISAPI/Traffic/channels/<ch>/vehicleDetect/plates``; PROTOCOLS.md §1.4.
    """
    roots = parse_xml(data, max_size)
    root = roots[0]
    if _local(root.tag) == "Plate":
        plates = roots
    elif _local(root.tag) == "Plates":
        plates = list(_children(root, "Plate"))
    else:
        raise HikvisionError(f"unexpected plate-log root <{_local(root.tag)}>")
    out: list[PlateLogEntry] = []
    for plate in plates:
        pic_name = _text(plate, "picName")
        if not pic_name:
            continue
        out.append(
            PlateLogEntry(
                pic_name=pic_name,
                plate=_text(plate, "plateNumber") or "",
                capture_time=_text(plate, "captureTime"),
                country=_text(plate, "country"),
                lane=_int(_text(plate, "laneNo")),
                direction=_text(plate, "direction"),
                matching_result=_text(plate, "matchingResult"),
            )
        )
    out.sort(key=lambda e: pic_name_key(e.pic_name))
    return out


def plates_request_body(pic_time: str) -> bytes:
    """Body of the plate-log request: ``<AfterTime><picTime>…</picTime></AfterTime>`` (§1.4)."""
    if not pic_time.isdigit():
        raise HikvisionError("picTime must be digits")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<AfterTime><picTime>{pic_time}</picTime></AfterTime>"
    ).encode()


def pic_time_for(moment: datetime, tz: tzinfo = UTC) -> str:
    """Format a datetime as a 18-digit ``picTime`` cursor in the camera's zone (§1.4)."""
    return moment.astimezone(tz).strftime("%Y%m%d%H%M%S") + "0000"


def pic_time_before(moment: datetime, seconds: float, tz: tzinfo = UTC) -> str:
    """Return a ``picTime`` cursor ``seconds`` before ``moment``."""
    return pic_time_for(moment - timedelta(seconds=seconds), tz)


# --- Device info and errors -----------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class DeviceInfo:
    """``/ISAPI/System/deviceInfo`` essentials (PROTOCOLS.md §1; hikvision_next excerpt)."""

    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    mac: str | None = None
    name: str | None = None
    device_type: str | None = None


def parse_device_info(data: bytes) -> DeviceInfo:
    """Parse a ``DeviceInfo`` document. Raises :class:`HikvisionError` for bad XML."""
    root = parse_xml(data, 64 * 1024)[0]
    if _local(root.tag) != "DeviceInfo":
        raise HikvisionError(f"unexpected deviceInfo root <{_local(root.tag)}>")
    firmware = _text(root, "firmwareVersion")
    build = _text(root, "firmwareReleasedDate")
    return DeviceInfo(
        model=_text(root, "model"),
        serial=_text(root, "serialNumber"),
        firmware=f"{firmware} {build}" if firmware and build else firmware,
        mac=_text(root, "macAddress"),
        name=_text(root, "deviceName"),
        device_type=_text(root, "deviceType"),
    )


@dataclass(slots=True, kw_only=True)
class ResponseStatus:
    """An ISAPI error body (XML ``ResponseStatus`` or JSON), §1.1 "Error format"."""

    status_code: int | None = None
    status_string: str | None = None
    sub_status_code: str | None = None


def parse_response_status(data: bytes) -> ResponseStatus | None:
    """Parse an ISAPI error body; None when it is not one. Never raises."""
    body = data.strip()[:65536]
    if body.startswith(b"{"):
        try:
            doc = safejson.loads(body)
        except ValueError:
            return None
        if not isinstance(doc, dict):
            return None
        return ResponseStatus(
            status_code=_int(_str(doc.get("statusCode"))),
            status_string=_str(doc.get("statusString")),
            sub_status_code=_str(doc.get("subStatusCode")),
        )
    try:
        root = parse_xml(body, 65536)[0]
    except HikvisionError:
        return None
    if _local(root.tag) != "ResponseStatus":
        return None
    return ResponseStatus(
        status_code=_int(_text(root, "statusCode")),
        status_string=_text(root, "statusString"),
        sub_status_code=_text(root, "subStatusCode"),
    )


# --- Catch-up bookkeeping -------------------------------------------------------------------

_PLATE_KEY = re.compile(r"[^0-9A-Za-z]+")


def plate_key(plate: str) -> str:
    """Compare form of a plate: upper case, separators and spaces removed."""
    return _PLATE_KEY.sub("", plate).upper() or plate.strip().upper()


class CatchUpTracker:
    """Decide which plate-log entries were missed, so each read is delivered exactly once.

    State (JSON-serialisable via :meth:`as_dict`): ``cursor`` (a ``picName``/``picTime`` string
    for the next ``AfterTime`` query, never converted to a number) and ``recent`` (plate key,
    epoch second, picName) of reads delivered since the cursor. Live alertStream reads advance the
    cursor to their capture second (:meth:`note_live`); :meth:`select` drops log entries already
    delivered (same picName, or same plate within ``tolerance`` seconds of a live read) and moves
    the cursor to the newest picName. ``tz`` is the camera's zone (log times have no offset).
    Source: plate log, PROTOCOLS.md §1.4.
    """

    def __init__(
        self,
        cursor: str | None = None,
        recent: Iterable[Iterable[Any]] = (),
        *,
        tz: tzinfo = UTC,
        tolerance: float = 2.0,
        max_recent: int = 1000,
    ) -> None:
        """Restore the state (``recent`` rows are ``[plate_key, epoch, picName-or-None]``)."""
        self.cursor = cursor if cursor and cursor.isdigit() else None
        self.tz = tz
        self.tolerance = tolerance
        self.max_recent = max_recent
        self.recent: list[tuple[str, float, str | None]] = []
        for row in recent:
            values = list(row) if isinstance(row, (list, tuple)) else []
            if len(values) == 3 and isinstance(values[0], str):
                try:
                    self.recent.append(
                        (values[0], float(values[1]), str(values[2]) if values[2] else None)
                    )
                except (TypeError, ValueError):
                    continue

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable state for persistence."""
        return {"cursor": self.cursor, "recent": [list(row) for row in self.recent]}

    def _advance(self, candidate: str) -> None:
        if self.cursor is None or pic_name_key(candidate) > pic_name_key(self.cursor):
            self.cursor = candidate

    def _trim(self) -> None:
        if len(self.recent) > self.max_recent:
            del self.recent[: len(self.recent) - self.max_recent]

    def start(self, now: datetime) -> str:
        """Initialise the cursor at ``now`` when there is none (first connection); return it."""
        if self.cursor is None:
            self.cursor = pic_time_for(now, self.tz)
        return self.cursor

    def caught_up_already(self, read: PlateRead) -> bool:
        """Tell whether a live read was already delivered from the plate log.

        A race at reconnection: the log answered before the live alert arrived.
        """
        key = plate_key(read.plate)
        epoch = read.time.timestamp()
        return any(
            row[2] is not None and row[0] == key and abs(row[1] - epoch) <= self.tolerance
            for row in self.recent
        )

    def note_live(self, read: PlateRead) -> None:
        """Remember a read delivered from the live stream or a webhook."""
        self.recent.append((plate_key(read.plate), read.time.timestamp(), None))
        # Entries of the read's own second may still be missing from the log query: keep the
        # cursor one second before it, so they come back and are de-duplicated by ``recent``.
        self._advance(pic_time_before(read.time, 1, self.tz))
        self._trim()

    def skip(self, entries: Iterable[PlateLogEntry]) -> None:
        """Move the cursor past ``entries`` without delivering them (first connection)."""
        for entry in entries:
            self._advance(entry.pic_name)

    def select(self, entries: Iterable[PlateLogEntry]) -> list[PlateLogEntry]:
        """Return the entries to deliver (oldest first) and advance the cursor past all."""
        out: list[PlateLogEntry] = []
        delivered_names = {row[2] for row in self.recent if row[2]}
        for entry in sorted(entries, key=lambda e: pic_name_key(e.pic_name)):
            if self.cursor is not None and pic_name_key(entry.pic_name) <= pic_name_key(
                self.cursor
            ):
                continue
            self._advance(entry.pic_name)
            if entry.pic_name in delivered_names or is_no_plate(entry.plate):
                continue
            when = parse_time(entry.capture_time, self.tz) or parse_time(entry.pic_name, self.tz)
            key = plate_key(entry.plate)
            epoch = when.timestamp() if when else None
            if epoch is not None and any(
                row[0] == key and row[2] is None and abs(row[1] - epoch) <= self.tolerance
                for row in self.recent
            ):
                continue
            delivered_names.add(entry.pic_name)
            self.recent.append((key, epoch or 0.0, entry.pic_name))
            out.append(entry)
        # Rows older than the cursor can no longer come back from the log.
        cursor_time = parse_time(self.cursor, self.tz) if self.cursor else None
        if cursor_time is not None:
            limit = cursor_time.timestamp() - 60
            self.recent = [row for row in self.recent if row[1] >= limit]
        self._trim()
        return out
