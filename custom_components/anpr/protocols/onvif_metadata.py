"""ONVIF metadata and event notifications → plate reads.

Sources: ``docs/protocols.md``, "ONVIF metadata over RTSP" and "ONVIF PullPoint events"; ONVIF
Streaming and Event Handling specifications.

Pure module (no Home Assistant import). It understands

* ``tt:MetadataStream`` / ``tt:MetaDataStream`` documents from the RTSP metadata track,
  including fragments without namespace declarations (the vendor doc and spec examples),
* any XML holding ``wsnt:NotificationMessage`` elements (a PullPoint ``PullMessagesResponse``),
* event notifications on the plate topics ``tns1:RuleEngine/LicensePlateDetector/LicensePlate``
  (Milesight), ``tns1:RuleEngine/Recognition/LicensePlate`` (ONVIF ``tt:LicensePlateRecognition``
  rule), ``tns1:RuleEngine/VehicleDetector/tnshik:Vehicle`` (Hikvision) and
  ``tnsaxis:CameraApplicationPlatform/ALPV.AllPlates`` (AXIS License Plate Verifier, see
  ``docs/protocols.md`` "Axis License Plate Verifier"), plus any topic matched by a user filter,
* scene-description objects carrying ``tt:Appearance/tt:LicensePlateInfo``.

SimpleItem names are matched case-insensitively against the vendor variants (``PlateNumber``,
``LicensePlateResult``, ``PictureUri``, ``LicensePlatePicturePath``, ``VehicleDirection``,
``LicenseCarDirection``, ``Likelihood`` on a 0-1, 0-100 or 0-1000 scale, ...).

Use :func:`parse_plates` for a stateless parse and :class:`PlateEventFilter` to apply the
``PropertyOperation`` rules (``Initialized`` is the state at subscription time, so it is never
replayed as a new read; ``Deleted`` carries nothing new) and to report each scene object once.
The only exception raised for bad input is :class:`OnvifMetadataError`.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
import logging
import math
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .models import (
    CameraListVerdict,
    ImageRole,
    PlateRead,
    ProtocolError,
    ReadImage,
    direction_from_vendor,
)
from .timestamps import parse_iso_time

_LOGGER = logging.getLogger(__name__)

#: Largest XML document parsed (bytes).
MAX_XML_BYTES = 8 * 1024 * 1024
#: Largest inline (base64) picture kept from a document (decoded bytes).
MAX_INLINE_IMAGE_BYTES = 4 * 1024 * 1024

#: Plate topics (normalised: namespace prefixes removed, lower case).
PLATE_TOPICS: tuple[str, ...] = (
    "ruleengine/licenseplatedetector/licenseplate",
    "ruleengine/recognition/licenseplate",
    "ruleengine/vehicledetector/vehicle",
    "cameraapplicationplatform/alpv.allplates",
)
#: Words that make an unknown topic a plate topic when it also carries a plate item.
_PLATE_TOPIC_WORDS = ("licenseplate", "plate", "lpr", "anpr", "alpr")


class OnvifMetadataError(ProtocolError):
    """The document is not well-formed XML, too large, or not ONVIF metadata at all."""


@dataclass(slots=True)
class PlateEvent:
    """One plate found in a metadata document or a PullPoint answer.

    - ``read``: the :class:`PlateRead` (camera_id/source empty; images only when inline).
    - ``picture_uri`` / ``vehicle_picture_uri`` / ``plate_picture_uri``: where to fetch the
      full, vehicle and plate pictures (absolute URI or a path relative to the camera).
    - ``topic``: the topic as written (None for scene description), ``operation``: the
      ``PropertyOperation`` (``Initialized``/``Changed``/``Deleted``) or None.
    - ``object_id``: the scene object id (scene description) used to report each object once.
    """

    read: PlateRead
    picture_uri: str | None = None
    vehicle_picture_uri: str | None = None
    plate_picture_uri: str | None = None
    topic: str | None = None
    operation: str | None = None
    object_id: str | None = None
    items: dict[str, str] = field(default_factory=dict)

    @property
    def picture_uris(self) -> list[tuple[ImageRole, str]]:
        """Return the pictures to fetch as ``(role, uri)`` pairs, full picture first."""
        out: list[tuple[ImageRole, str]] = []
        for role, uri in (
            (ImageRole.FULL, self.picture_uri),
            (ImageRole.VEHICLE, self.vehicle_picture_uri),
            (ImageRole.PLATE, self.plate_picture_uri),
        ):
            if uri:
                out.append((role, uri))
        return out


# Item-name variants (case-folded) → field.
_PLATE_NAMES = (
    "licenseplateresult",
    "platenumber",
    "licenseplate",
    "licenseplatenumber",
    "platetext",
    "plate",
    "plateno",
    "text",
)
_PICTURE_NAMES = (
    "pictureuri",
    "licenseplatepicturepath",
    "picturepath",
    "pictureurl",
    "snapshotpath",
    "snapshoturi",
    "imagepath",
    "imageurl",
)
_PLATE_PICTURE_NAMES = ("imageuri", "plateimageuri", "platepictureuri")
_VEHICLE_PICTURE_NAMES = ("vehicleimageuri", "vehiclepictureuri")
_DIRECTION_NAMES = (
    "licensecardirection",
    "vehicledirection",
    "direction",
    "cardirection",
    "carmovedirection",
    "movedirection",
)
_CONFIDENCE_NAMES = ("likelihood", "confidence", "platelikelihood", "plateconfidence")
_COUNTRY_NAMES = ("countrycode", "country", "nation", "region")
_SPEED_NAMES = ("licensecarspeed", "speed", "vehiclespeed", "carspeed")
_LANE_NAMES = ("vehiclelanenumber", "lane", "lanenumber", "laneno")
_PLATE_TYPE_NAMES = ("platetype", "licenseplatetype")
_PLATE_COLOUR_NAMES = ("platecolor", "platecolour", "licenseplatecolor")
_VEHICLE_TYPE_NAMES = ("vehicletype", "cartype")
_VEHICLE_COLOUR_NAMES = ("vehiclecolor", "vehiclecolour", "carcolor")
_VEHICLE_MAKE_NAMES = ("vehiclebrand", "vehiclemake", "brand", "make")
_VEHICLE_MODEL_NAMES = ("vehiclemodel", "model")
_ID_NAMES = ("objectid", "plateid", "eventid", "id", "carid", "picname")

_PREFIX_RE = re.compile(rb"(?<![\w.\-/:])([A-Za-z_][\w.\-]*):[A-Za-z_]")
_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*\?>", re.DOTALL)
_NUMBER_RE = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_KNOWN_NS = {
    b"tt": b"http://www.onvif.org/ver10/schema",
    b"wsnt": b"http://docs.oasis-open.org/wsn/b-2",
    b"tns1": b"http://www.onvif.org/ver10/topics",
    b"tnshik": b"http://www.hikvision.com/2011/event/topics",
    b"xs": b"http://www.w3.org/2001/XMLSchema",
}


def parse_xml(data: bytes | str, *, max_bytes: int = MAX_XML_BYTES) -> Element:
    """Parse untrusted XML safely (defusedxml), tolerating the forms cameras and docs use.

    Leading whitespace before the declaration, undeclared namespace prefixes (``tt:``,
    ``wsnt:`` in the vendor and spec examples) and several top-level elements (fragments) are
    accepted by wrapping the content in a synthetic root. Raises :class:`OnvifMetadataError`.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise OnvifMetadataError(f"XML document larger than {max_bytes} bytes")
    raw = raw.lstrip(b"\xef\xbb\xbf").strip()
    if not raw:
        raise OnvifMetadataError("empty XML document")
    try:
        root: Element = fromstring(raw, forbid_dtd=True)
        return root
    except DefusedXmlException as err:
        raise OnvifMetadataError(f"forbidden XML construct ({type(err).__name__})") from err
    except LookupError as err:  # an unknown declared encoding (<?xml encoding="TTF-8"?>)
        raise OnvifMetadataError(f"malformed XML ({err})") from err
    except ParseError as first_error:
        body = _XML_DECL_RE.sub(b"", raw, count=1)
        prefixes = {m.group(1) for m in _PREFIX_RE.finditer(body)} - {b"xml", b"xmlns"}
        decls = b"".join(
            b" xmlns:" + p + b'="' + _KNOWN_NS.get(p, b"urn:anpr:undeclared:" + p) + b'"'
            for p in sorted(prefixes)
        )
        wrapped = b"<anprwrap" + decls + b">" + body + b"</anprwrap>"
        try:
            # A DTD cannot appear inside the wrapper: it fails as a ParseError there.
            wrapped_root: Element = fromstring(wrapped, forbid_dtd=True)
            return wrapped_root
        except (ParseError, LookupError):  # LookupError: unknown encoding, see above
            raise OnvifMetadataError(f"malformed XML ({first_error})") from first_error


def local_name(tag: str) -> str:
    """Return the tag without ``{namespace}`` and prefix, case-folded."""
    if "}" in tag:
        tag = tag.rsplit("}", 1)[1]
    return tag.rsplit(":", 1)[-1].casefold()


def normalise_topic(topic: str) -> str:
    """Return a topic with each segment's namespace prefix removed, lower case.

    ``tns1:RuleEngine/VehicleDetector/tnshik:Vehicle`` → ``ruleengine/vehicledetector/vehicle``.
    """
    segments = [seg.strip().rsplit(":", 1)[-1] for seg in topic.strip().split("/")]
    return "/".join(s for s in segments if s).casefold()


def topic_matches(topic: str | None, topic_filter: Iterable[str] | None) -> bool:
    """Tell whether ``topic`` is a plate topic.

    With a filter (user setting: topics or fragments, prefixes ignored, ``*`` allowed as a
    wildcard) the topic must contain one of them; without one it must be a known plate topic or
    name a plate (``LicensePlate``, ``LPR``...).
    """
    norm = normalise_topic(topic or "")
    patterns = [normalise_topic(p) for p in (topic_filter or ()) if p and p.strip()]
    if patterns:
        for pattern in patterns:
            if "*" in pattern:
                regex = ".*".join(re.escape(part) for part in pattern.split("*"))
                if re.search(regex, norm):
                    return True
            elif pattern in norm:
                return True
        return False
    if norm in PLATE_TOPICS:
        return True
    return any(word in norm for word in _PLATE_TOPIC_WORDS)


def _children(element: Element, name: str) -> Iterator[Element]:
    for child in element:
        if local_name(child.tag) == name:
            yield child


def _first(element: Element, name: str) -> Element | None:
    return next(_children(element, name), None)


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip()


def _attr(element: Element, name: str) -> str | None:
    wanted = name.casefold()
    for key, value in element.attrib.items():
        if local_name(key) == wanted:
            return value
    return None


def _pick(items: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = items.get(name)
        if value is not None and value.strip() != "":
            return value.strip()
    return None


def likelihood(value: str | None) -> float | None:
    """Turn an ONVIF/vendor likelihood into a 0.0 to 1.0 confidence.

    The spec uses 0-1 floats; Hikvision sends integer percent and sometimes 0-1000 (a
    go-hikvision-lpr test uses 1000). Values ≤ 1 are taken as 0-1, ≤ 100 as percent, above as
    per mille (capped at 1.0). None for missing or non-numeric input.
    """
    if value is None:
        return None
    match = _NUMBER_RE.search(value)
    if not match:
        return None
    number = float(match.group(0).replace(",", "."))
    if math.isnan(number) or number < 0:
        return None
    if number <= 1.0:
        return number
    if number <= 100.0:
        return number / 100.0
    return min(number / 1000.0, 1.0)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    match = _NUMBER_RE.search(value)
    return float(match.group(0).replace(",", ".")) if match else None


def _simple_items(element: Element | None) -> dict[str, str]:
    """Collect ``tt:SimpleItem Name/Value`` pairs (names case-folded) below ``element``."""
    items: dict[str, str] = {}
    if element is None:
        return items
    for child in element.iter():
        if local_name(child.tag) != "simpleitem":
            continue
        name = _attr(child, "Name")
        value = _attr(child, "Value")
        if name is None or value is None:
            continue
        items.setdefault(name.strip().casefold(), value)
    return items


def _plate_info(element: Element) -> dict[str, tuple[str, float | None]]:
    """Read a ``tt:LicensePlateInfo`` (StringLikelihood children) into name → (text, likelihood)."""
    out: dict[str, tuple[str, float | None]] = {}
    for child in element:
        text = _text(child)
        if text is None:
            continue
        out[local_name(child.tag)] = (text, likelihood(_attr(child, "Likelihood")))
    return out


def _inline_image(element: Element | None, role: ImageRole) -> ReadImage | None:
    text = _text(element)
    if not text:
        return None
    if len(text) > MAX_INLINE_IMAGE_BYTES * 4 // 3 + 16:
        _LOGGER.debug("Ignoring an inline ONVIF picture above the size cap")
        return None
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        _LOGGER.debug("Ignoring an inline ONVIF picture that is not valid base64")
        return None
    if data.startswith(b"\xff\xd8"):
        content_type = "image/jpeg"
    elif data.startswith(b"\x89PNG"):
        content_type = "image/png"
    else:
        return None
    return ReadImage(data=data, content_type=content_type, role=role)


def _apply_items(read: PlateRead, items: dict[str, str]) -> None:
    direction = _pick(items, _DIRECTION_NAMES)
    if direction is not None:
        read.direction_raw = direction
        read.direction = direction_from_vendor(direction)
    if read.confidence is None:
        read.confidence = likelihood(_pick(items, _CONFIDENCE_NAMES))
    if read.country is None:
        read.country = _pick(items, _COUNTRY_NAMES)
    speed = _number(_pick(items, _SPEED_NAMES))
    if speed is not None:
        read.speed = speed
    lane = _number(_pick(items, _LANE_NAMES))
    if lane is not None:
        read.lane = int(lane)
    read.plate_type = read.plate_type or _pick(items, _PLATE_TYPE_NAMES)
    read.plate_colour = read.plate_colour or _pick(items, _PLATE_COLOUR_NAMES)
    read.vehicle_type = read.vehicle_type or _pick(items, _VEHICLE_TYPE_NAMES)
    read.vehicle_colour = read.vehicle_colour or _pick(items, _VEHICLE_COLOUR_NAMES)
    read.vehicle_make = read.vehicle_make or _pick(items, _VEHICLE_MAKE_NAMES)
    read.vehicle_model = read.vehicle_model or _pick(items, _VEHICLE_MODEL_NAMES)


#: AXIS License Plate Verifier ``listName`` words → the camera's own list verdict.
_AXIS_LISTS = {"allow": CameraListVerdict.ALLOWED, "block": CameraListVerdict.ALERT}
_CAR_STATES = {"new": "new", "update": "update", "updated": "update", "lost": "lost"}


def _apply_axis_items(read: PlateRead, items: dict[str, str]) -> None:
    """ALPV / fflprapp extras: list verdict, plate box in pixels, lifecycle, timings.

    ``listName`` is empty when the plate is on no list, else the list's name ("Allow list",
    "Block list" or a custom name); ``left``/``top``/``width``/``height`` are pixels of the
    camera's frame (kept in ``extra["plate_coordinates"]``: no picture to scale them against);
    ``carState``/``carID`` (fflprapp) feed the NEW/UPDATE/LOST merge of the source;
    ``Action`` ("Opened" / "No action") and ``consumedTime`` (ms) are kept as extras.
    """
    list_name = (items.get("listname") or "").strip()
    if list_name:
        word = list_name.split()[0].casefold()
        read.camera_list = _AXIS_LISTS.get(word, CameraListVerdict.NONE)
        read.camera_list_name = list_name
    box = [_number(items.get(name)) for name in ("left", "top", "width", "height")]
    if all(v is not None and v >= 0 for v in box):
        read.extra["plate_coordinates"] = box
    state = _CAR_STATES.get((items.get("carstate") or "").strip().casefold())
    if state is not None:
        read.extra["car_state"] = state
        car_id = (items.get("carid") or "").strip()
        if car_id:
            read.extra["car_id"] = car_id
    action = (items.get("action") or "").strip()
    if action:
        read.extra["barrier_action"] = action
    consumed = _number(items.get("consumedtime"))
    if consumed is not None:
        read.extra["recognition_ms"] = consumed


def _from_plate_info(read: PlateRead, info: dict[str, tuple[str, float | None]]) -> None:
    plate = info.get("platenumber")
    if plate is not None:
        read.plate = plate[0]
        if plate[1] is not None:
            read.confidence = plate[1]
        elif read.confidence is None:
            read.confidence = 1.0  # StringLikelihood without Likelihood means 100 %
    if "countrycode" in info:
        read.country = info["countrycode"][0]
    if "platetype" in info:
        read.plate_type = info["platetype"][0]
    colour = info.get("color") or info.get("colour") or info.get("platecolor")
    if colour is not None:
        read.plate_colour = colour[0]
    if "issuingentity" in info:
        read.extra["issuing_entity"] = info["issuingentity"][0]


def _notification_event(
    message_el: Element, topic: str | None, topic_filter: Iterable[str] | None
) -> PlateEvent | None:
    """Build a :class:`PlateEvent` from one ``wsnt:NotificationMessage`` (or None)."""
    if topic is None:
        if topic_filter:
            return None
    elif not topic_matches(topic, topic_filter):
        return None
    tt_message: Element | None = None
    for el in message_el.iter():
        if local_name(el.tag) == "message" and _attr(el, "UtcTime") is not None:
            tt_message = el
            break
    if tt_message is None:
        # Some cameras omit UtcTime: take the innermost Message element.
        for el in message_el.iter():
            if local_name(el.tag) == "message" and _first(el, "data") is not None:
                tt_message = el
                break
    if tt_message is None:
        return None
    source = _first(tt_message, "source")
    key = _first(tt_message, "key")
    data = _first(tt_message, "data")
    items: dict[str, str] = {}
    for part in (data, key, source):
        for name, value in _simple_items(part).items():
            items.setdefault(name, value)
    info_el = None
    for scope in (data, key):
        if scope is None:
            continue
        info_el = next((e for e in scope.iter() if local_name(e.tag) == "licenseplateinfo"), None)
        if info_el is not None:
            break
    plate = _pick(items, _PLATE_NAMES)
    if plate is None and info_el is None:
        return None
    if topic is None and not topic_filter and plate is None:
        return None
    read = PlateRead(plate=plate or "")
    when = parse_iso_time(_attr(tt_message, "UtcTime"))
    if when is not None:
        read.time = when
    if info_el is not None:
        _from_plate_info(read, _plate_info(info_el))
    _apply_items(read, items)
    _apply_axis_items(read, items)
    vendor_id = _pick(items, _ID_NAMES)
    if vendor_id is None:
        for scope in (data, key):
            obj = (
                None
                if scope is None
                else next((e for e in scope.iter() if local_name(e.tag) == "objectid"), None)
            )
            if obj is not None:
                vendor_id = _text(obj) or _attr(obj, "ObjectId")
                break
    read.vendor_id = vendor_id
    if topic:
        read.extra["topic"] = topic.strip()
    rule = items.get("rule")
    if rule:
        read.extra["rule"] = rule
    if data is not None:
        for el in data.iter():
            if local_name(el.tag) != "elementitem":
                continue
            name = (_attr(el, "Name") or "").casefold()
            role = {"image": ImageRole.PLATE, "vehicleimage": ImageRole.VEHICLE}.get(name)
            if role is None:
                continue
            child = next(iter(el), None)
            img = _inline_image(child if child is not None else el, role)
            if img is not None:
                read.images.append(img)
    return PlateEvent(
        read=read,
        picture_uri=_pick(items, _PICTURE_NAMES),
        vehicle_picture_uri=_pick(items, _VEHICLE_PICTURE_NAMES),
        plate_picture_uri=_pick(items, _PLATE_PICTURE_NAMES),
        topic=topic.strip() if topic else None,
        operation=_attr(tt_message, "PropertyOperation"),
        items=items,
    )


def _scene_events(frame: Element) -> Iterator[PlateEvent]:
    """Plates from one ``tt:Frame`` (objects with ``tt:Appearance/tt:LicensePlateInfo``)."""
    when = parse_iso_time(_attr(frame, "UtcTime"))
    for obj in _children(frame, "object"):
        appearance = _first(obj, "appearance")
        if appearance is None:
            continue
        info_el = _first(appearance, "licenseplateinfo")
        if info_el is None:
            continue
        info = _plate_info(info_el)
        if "platenumber" not in info:
            continue
        read = PlateRead(plate="")
        if when is not None:
            read.time = when
        _from_plate_info(read, info)
        object_id = _attr(obj, "ObjectId")
        read.vendor_id = object_id
        parent = _attr(obj, "Parent")
        if parent:
            read.extra["parent_object_id"] = parent
        image = _inline_image(_first(appearance, "image"), ImageRole.PLATE)
        if image is not None:
            read.images.append(image)
        ref = _text(_first(appearance, "imageref"))
        yield PlateEvent(read=read, plate_picture_uri=ref, object_id=object_id)


def parse_plates(
    data: bytes | str | Element, *, topic_filter: Iterable[str] | None = None
) -> list[PlateEvent]:
    """Return every plate in an ONVIF metadata document or SOAP answer, in document order.

    ``data`` is a ``tt:MetadataStream`` document (any case, any prefix), a PullPoint
    ``PullMessagesResponse`` envelope, a bare fragment, or an already parsed element.
    ``topic_filter`` restricts event topics (see :func:`topic_matches`). Notifications whose
    topic is not a plate topic, or that carry no plate item, are ignored. No
    ``PropertyOperation`` rule is applied here (see :class:`PlateEventFilter`).

    Raises :class:`OnvifMetadataError` for malformed or oversize XML.
    """
    root = data if isinstance(data, Element) else parse_xml(data)
    filters = list(topic_filter) if topic_filter else None
    events: list[PlateEvent] = []
    for el in root.iter():
        name = local_name(el.tag)
        if name == "notificationmessage":
            topic_el = _first(el, "topic")
            topic = (topic_el.text or "") if topic_el is not None else None
            event = _notification_event(el, topic, filters)
            if event is not None:
                events.append(event)
        elif name == "frame":
            events.extend(_scene_events(el))
    return events


class PlateEventFilter:
    """Decide which parsed :class:`PlateEvent` objects are new reads.

    - ``PropertyOperation="Initialized"``: the current state sent at subscription/connect time
      (ONVIF Core "Properties"); it is the *last* plate, not a new one, so it is dropped ...
    - ... except after a reconnection: when this filter already delivered a read on the same
      topic and the camera's state now holds a *different* plate with a *later* time, that plate
      was read while we were disconnected, so it is delivered once (``extra["catch_up"]``, as for
      Hikvision catch-up).
      On the first connection nothing is replayed.
    - ``"Deleted"``: the property went away; nothing to report.
    - ``"Changed"`` or no operation: a new read.
    - Scene-description objects are repeated in every frame while tracked: each
      ``(ObjectId, plate)`` is reported once (a re-read text of the same object is new).

    Keep one filter per camera for the life of the source (across reconnections).
    """

    def __init__(self, *, memory: int = 512) -> None:
        """Remember up to ``memory`` scene objects."""
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._memory = memory
        self._last: dict[str, tuple[str, datetime]] = {}
        self.skipped_initialized = 0
        self.caught_up = 0

    def accept(self, event: PlateEvent) -> bool:
        """Return True when ``event`` should be delivered as a read."""
        operation = (event.operation or "").strip().casefold()
        topic = normalise_topic(event.topic or "")
        if operation == "initialized":
            last = self._last.get(topic)
            plate, when = event.read.plate, event.read.time
            if last is None or plate == last[0] or when <= last[1]:
                self.skipped_initialized += 1
                if last is None or when > last[1]:
                    self._last[topic] = (plate, when)  # the state we start from
                return False
            self.caught_up += 1
            event.read.extra["catch_up"] = True
        elif operation == "deleted":
            return False
        if event.object_id is not None and event.topic is None:
            key = (event.object_id, event.read.plate)
            if key in self._seen:
                self._seen.move_to_end(key)
                return False
            self._seen[key] = None
            if len(self._seen) > self._memory:
                self._seen.popitem(last=False)
        elif event.topic is not None:
            self._last[topic] = (event.read.plate, event.read.time)
        return True

    def filter(self, events: Iterable[PlateEvent]) -> list[PlateEvent]:
        """Return the accepted events in order."""
        return [e for e in events if self.accept(e)]
