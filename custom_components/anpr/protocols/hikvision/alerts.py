"""Hikvision ISAPI alerts: ``EventNotificationAlert`` in XML and JSON, one multipart part each.

Pure module (no Home Assistant import). Formats (``docs/protocols.md``, "Hikvision ISAPI",
"ANPR alerts (XML and JSON)"; Hikvision "ISAPI Developer Guide", event and traffic chapters):

* ``EventNotificationAlert`` XML in any namespace (``hikvision.com/ver10``, ``ver20``,
  ``isapi.org/ver20``, ``std-cgi.com/ver20``, none), with or without an XML declaration,
  several alerts in one part, ``channelID`` or ``dynChannelID`` (possibly empty);
* the JSON ``mixedTargetDetection`` variant, the JSON ``ANPR`` object of HTTP listening in JSON
  mode, and JSON heartbeats.

Every parser has a size cap and raises only :class:`~.documents.HikvisionError` for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any
from xml.etree.ElementTree import Element

from .. import safejson
from ..models import (
    Direction,
    ImageRole,
    PlateRead,
    confidence_from,
    direction_from_vendor,
    is_no_plate,
    scalar_float,
    scalar_text,
)
from ..multipart import Part
from .documents import (
    MAX_EVENT_SIZE,
    SOURCE,
    HikvisionError,
    find_all,
    find_one,
    find_text,
    int_text,
    list_verdict,
    local_tag,
    parse_time,
    parse_xml,
)

ANPR_EVENT_TYPES = frozenset({"anpr", "mixedtargetdetection", "vehicledetection"})


@dataclass(slots=True, kw_only=True)
class PictureRef:
    """A picture announced by an alert (``pictureInfoList/pictureInfo`` or JSON ``pIdN``).

    The picture's multipart part is linked by ``pid`` = part ``name``, ``content_id`` =
    ``Content-ID`` or ``file_name`` = ``filename`` (ISAPI Developer Guide; ``docs/protocols.md``,
    "Hikvision ISAPI", "alertStream (arming)"). ``url`` is set when the camera sends a URL
    (``dataType`` 1) instead of a part.
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
        """True for keep-alives: ``heartBeat`` or an inactive ``videoloss`` (alertStream idle)."""
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


def _with_read(alert: HikAlert, read: PlateRead) -> HikAlert:
    """Attach ``read`` to ``alert``, or mark the alert "no plate" when the camera read none."""
    if is_no_plate(read.plate):
        alert.no_plate = True
    else:
        alert.read = read
    return alert


def _rect(el: Element | None, scale: float) -> tuple[float, float, float, float] | None:
    if el is None:
        return None
    values = [scalar_float(find_text(el, name)) for name in ("X", "Y", "width", "height")]
    if any(v is None for v in values):
        values = [scalar_float(find_text(el, name)) for name in ("x", "y", "width", "height")]
    if any(v is None for v in values):
        return None
    x, y, w, h = (min(max(v / scale, 0.0), 1.0) for v in values if v is not None)
    return (x, y, w, h)


def _alert_from_xml(
    root: Element, direction_map: Mapping[str, Direction] | None, tz: tzinfo
) -> HikAlert:
    if local_tag(root.tag) != "EventNotificationAlert":
        raise HikvisionError(f"unexpected XML root <{local_tag(root.tag)}>")
    event_type = find_text(root, "eventType") or ""
    channel = find_text(root, "channelID") or find_text(root, "dynChannelID")
    alert = HikAlert(
        event_type=event_type,
        event_state=find_text(root, "eventState"),
        channel=channel,
        time=parse_time(find_text(root, "dateTime"), tz),
        uuid=find_text(root, "UUID"),
        picture_count=int_text(find_text(root, "picNum")),
    )
    anpr = find_one(root, "ANPR")
    if event_type.casefold() != "anpr" or anpr is None:
        return alert
    pictures: list[PictureRef] = []
    plate_box: tuple[float, float, float, float] | None = None
    infos = [*find_all(anpr, "pictureInfoList"), *find_all(root, "pictureInfoList")]
    for info in infos:
        for pic in find_all(info, "pictureInfo"):
            file_name = find_text(pic, "fileName")
            ptype = find_text(pic, "type")
            ref = PictureRef(
                role=role_for_name(ptype or file_name),
                file_name=file_name,
                pid=find_text(pic, "pId"),
                content_id=find_text(pic, "contentID"),
                url=find_text(pic, "pictureURL") if find_text(pic, "dataType") == "1" else None,
            )
            pictures.append(ref)
            if plate_box is None:
                plate_box = _rect(find_one(pic, "plateRect"), 1000.0)
    plate = find_text(anpr, "licensePlate") or ""
    vehicle = find_one(anpr, "vehicleInfo")
    list_name = find_text(anpr, "vehicleListName") or find_text(anpr, "listType")
    raw_direction = find_text(anpr, "direction")
    extra: dict[str, Any] = {
        key: value
        for key, value in (
            ("channel", channel),
            ("event_type", event_type),
            ("detect_dir", find_text(anpr, "detectDir")),
            ("cr_index", find_text(anpr, "CRIndex")),
            ("plate_char_confidence", find_text(anpr, "plateCharBelieve")),
            ("retransmission", find_text(root, "isDataRetransmission")),
            ("alarm_data_type", find_text(anpr, "alarmDataType")),
            ("vehicle_logo", find_text(vehicle, "vehicleLogoRecog")),
            ("vehicle_sub_logo", find_text(vehicle, "vehileSubLogoRecog")),
        )
        if value is not None
    }
    read = PlateRead(
        plate=plate,
        time=alert.time or datetime.now(UTC),
        source=SOURCE,
        direction=direction_from_vendor(raw_direction, dict(direction_map or {})),
        direction_raw=raw_direction,
        confidence=confidence_from(find_text(anpr, "confidenceLevel")),
        country=find_text(anpr, "country"),
        original_plate=find_text(anpr, "originalLicensePlate"),
        plate_type=find_text(anpr, "plateType"),
        plate_colour=find_text(anpr, "plateColor"),
        vehicle_type=find_text(anpr, "vehicleType") or find_text(vehicle, "vehicleType"),
        vehicle_colour=find_text(vehicle, "color"),
        vehicle_make=find_text(vehicle, "vehicleLogoRecog"),
        vehicle_model=find_text(vehicle, "vehileModel") or find_text(vehicle, "vehicleModel"),
        speed=scalar_float(find_text(vehicle, "speed")),
        lane=int_text(find_text(anpr, "line")),
        plate_box=plate_box,
        vendor_id=alert.uuid,
        camera_list=list_verdict(list_name),
        camera_list_name=list_name,
        extra=extra,
    )
    alert.pictures = pictures
    return _with_read(alert, read)


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
    oversize or unsafe XML. Source: ISAPI Developer Guide (``EventNotificationAlert``);
    ``docs/protocols.md``, "Hikvision ISAPI", "ANPR alerts (XML and JSON)".
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
    numbers = [scalar_float(lowered.get(k)) for k in ("x", "y", "width", "height")]
    if any(n is None for n in numbers):
        return None
    x, y, w, h = (min(max(n / scale, 0.0), 1.0) for n in numbers if n is not None)
    return (x, y, w, h)


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
    :class:`HikvisionError` for invalid/oversize JSON. Source: ISAPI Developer Guide §4.2.1.4;
    ``docs/protocols.md``, "Hikvision ISAPI", "ANPR alerts (XML and JSON)".
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
    event_type = scalar_text(doc.get("eventType")) or ""
    base = HikAlert(
        event_type=event_type,
        event_state=scalar_text(doc.get("eventState")),
        channel=scalar_text(doc.get("channelID")) or scalar_text(doc.get("dynChannelID")),
        time=parse_time(scalar_text(doc.get("dateTime")), tz),
        uuid=scalar_text(doc.get("UUID")),
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
        plate = scalar_text(props.get("plateNo")) or scalar_text(props.get("licensePlate")) or ""
        pictures: list[PictureRef] = []
        for n in range(1, 5):
            pid = scalar_text(vehicle.get(f"pId{n}"))
            content_id = scalar_text(vehicle.get(f"contentID{n}"))
            if pid or content_id:
                pictures.append(
                    PictureRef(
                        role=role_for_name(content_id or pid, ImageRole.VEHICLE),
                        pid=pid,
                        content_id=content_id,
                    )
                )
        raw_direction = scalar_text(props.get("direction"))
        alert = replace(base, pictures=pictures, picture_count=len(pictures))
        vendor_id = base.uuid or (pictures[0].pid if pictures else None)
        read = PlateRead(
            plate=plate,
            time=base.time or datetime.now(UTC),
            source=SOURCE,
            direction=direction_from_vendor(raw_direction, dict(direction_map or {})),
            direction_raw=raw_direction,
            confidence=confidence_from(props.get("confidence")),
            country=scalar_text(props.get("country")),
            plate_type=scalar_text(props.get("plateType")),
            plate_colour=scalar_text(props.get("plateColor")),
            vehicle_type=scalar_text(props.get("vehicleType")),
            vehicle_colour=scalar_text(props.get("vehicleColor")),
            vehicle_make=scalar_text(props.get("vehicleLogo")),
            vehicle_model=scalar_text(props.get("vehicleModel")),
            plate_box=_json_rect(vehicle.get("PlateRect")),
            vendor_id=(
                vendor_id if len(results) == 1 or vendor_id is None else f"{vendor_id}#{index}"
            ),
            extra={"channel": base.channel, "event_type": event_type},
        )
        alerts.append(_with_read(alert, read))
    return alerts


def _alert_from_json_anpr(
    doc: Mapping[str, Any], base: HikAlert, direction_map: Mapping[str, Direction] | None
) -> HikAlert:
    """JSON listening mode (``parameterFormatType`` JSON) mirroring the XML ``<ANPR>`` element.

    No public document spells its fields out; the XML element names are used.
    """
    anpr = doc["ANPR"]
    plate = scalar_text(anpr.get("licensePlate")) or ""
    vehicle = anpr.get("vehicleInfo") if isinstance(anpr.get("vehicleInfo"), dict) else {}
    raw_direction = scalar_text(anpr.get("direction"))
    list_name = scalar_text(anpr.get("vehicleListName")) or scalar_text(anpr.get("listType"))
    pictures: list[PictureRef] = []
    plate_box: tuple[float, float, float, float] | None = None
    infos = anpr.get("pictureInfoList")
    if isinstance(infos, dict):
        infos = infos.get("pictureInfo", [])
    for info in infos if isinstance(infos, list) else [infos]:
        if not isinstance(info, dict):
            continue
        name = scalar_text(info.get("fileName"))
        pictures.append(
            PictureRef(
                role=role_for_name(scalar_text(info.get("type")) or name),
                file_name=name,
                pid=scalar_text(info.get("pId")),
                content_id=scalar_text(info.get("contentID")),
            )
        )
        plate_box = plate_box or _json_rect(info.get("plateRect"), 1000.0)
    alert = replace(base, pictures=pictures, picture_count=int_text(scalar_text(doc.get("picNum"))))
    read = PlateRead(
        plate=plate,
        time=base.time or datetime.now(UTC),
        source=SOURCE,
        direction=direction_from_vendor(raw_direction, dict(direction_map or {})),
        direction_raw=raw_direction,
        confidence=confidence_from(anpr.get("confidenceLevel")),
        country=scalar_text(anpr.get("country")),
        original_plate=scalar_text(anpr.get("originalLicensePlate")),
        plate_type=scalar_text(anpr.get("plateType")),
        plate_colour=scalar_text(anpr.get("plateColor")),
        vehicle_type=(
            scalar_text(anpr.get("vehicleType")) or scalar_text(vehicle.get("vehicleType"))
        ),
        vehicle_colour=scalar_text(vehicle.get("color")),
        vehicle_make=scalar_text(vehicle.get("vehicleLogoRecog")),
        lane=int_text(scalar_text(anpr.get("line"))),
        plate_box=plate_box,
        vendor_id=base.uuid,
        camera_list=list_verdict(list_name),
        camera_list_name=list_name,
        extra={"channel": base.channel, "event_type": base.event_type},
    )
    return _with_read(alert, read)


def parse_event_part(
    part: Part,
    *,
    direction_map: Mapping[str, Direction] | None = None,
    tz: tzinfo = UTC,
) -> list[HikAlert]:
    """Parse one non-image multipart part by its Content-Type (sniffing when it is vague).

    Raises :class:`HikvisionError` for bad content or an oversize part. Source:
    ``docs/protocols.md``, "Quirks every parser accepts" (vague or missing Content-Types).
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
    return part.content_type.startswith("image/")
