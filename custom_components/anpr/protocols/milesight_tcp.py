"""Milesight-style LPR camera to NVR/VMS binary TCP.

Format: docs/protocols.md, "Milesight TCP (COMM_RECOG_POST)". Source: Milesight, "Integration
between LPR Camera and NVR(VMS)", "TCP Type" (revisions 1.0-1.6).

Pure module (no Home Assistant import). The NVR/VMS (us) connects to the camera, sends
``COMM_LOGIN_REQ`` and then receives ``COMM_RECOG_POST`` packets on the camera's initiative.

Packet (little-endian)::

    CC FF | command u16 | DATA_SIZE u32 | DATA | FF DD        DATA_SIZE = len(DATA) + 2

Commands: ``0x0001`` COMM_LOGIN_REQ (JSON ``{"id","password"}``), ``0x8001`` COMM_LOGIN_REPLY
(JSON ``{"result":"200"}``; 401 = no privileges), ``0x8801`` COMM_RECOG_POST (binary chunks).

COMM_RECOG_POST data is a sequence of chunks ``id[4] | size u32 (excluding the 8-byte header) |
data``: one metadata chunk ``11 FF 00 00`` and image chunks ``22 FF 00 00`` (JPEG). The metadata
grew over the document's revisions; all are parsed (the revision is told from the chunk size):

====  ==========  ===============================================================  ==========
rev   date        fields added                                                     size
====  ==========  ===============================================================  ==========
1.0   2018-10-18  GUID 16, time u64 ms, Number 16 (fixed, NUL padded), vehicle       45
                  colour u8, plate colour u8, speed u16 km/h, image count u8
1.1   2019-05-13  direction u8 (0 unknown, 1 in, 2 out)                              46
1.2   2019-09-17  region 32, ROI id u8                                               79
1.3   2020-07-29  plate length u8 + Number (variable); the 16-byte Number stays      80 + N
                  as "obsolescent" (a 16-byte field truncates "부산 02가 1234")
1.4   2021-07-05  vehicle type u8 (colour table modified)                            81 + N
1.5   2021-08-13  confidence f32, plate type u8 (1 black 2 white 3 visitor),         98 + N
                  distance i32, azimuth f32, vehicle count u32 (radar)
1.6   2022-04-12  width u16, height u16, plate x1 y1 x2 y2 u16                       110 + N
====  ==========  ===============================================================  ==========

Fields are parsed with ``construct``. :class:`PacketDecoder` frames packets from a byte stream
incrementally, resynchronising on garbage and refusing oversize ``DATA_SIZE`` values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
import json
import math
from typing import Any
import uuid

from construct import (
    Bytes,
    Const,
    ConstructError,
    Float32l,
    Int8ul,
    Int16ul,
    Int32sl,
    Int32ul,
    Int64ul,
    Struct,
)

from . import safejson
from .imageinfo import image_content_type, image_size
from .models import (
    CameraListVerdict,
    Direction,
    ImageRole,
    PlateRead,
    ProtocolError,
    ReadImage,
)

SIG_START = b"\xcc\xff"
SIG_END = b"\xff\xdd"
CHUNK_META = b"\x11\xff\x00\x00"
CHUNK_IMAGE = b"\x22\xff\x00\x00"

#: Default cap on one packet's DATA_SIZE (bytes): metadata plus two JPEGs fit easily.
DEFAULT_MAX_PACKET = 8 * 1024 * 1024

HEADER_SIZE = 8


class Command(IntEnum):
    """Packet commands of Milesight's "TCP Type" document."""

    LOGIN_REQ = 0x0001
    LOGIN_REPLY = 0x8001
    RECOG_POST = 0x8801


KNOWN_COMMANDS = frozenset(int(c) for c in Command)


class MilesightTcpError(ProtocolError):
    """Malformed Milesight TCP packet, chunk, metadata or login JSON."""


HEADER = Struct("signature" / Const(SIG_START), "command" / Int16ul, "size" / Int32ul)
CHUNK_HEADER = Struct("chunk_id" / Bytes(4), "size" / Int32ul)

#: ``construct`` layouts of the metadata chunk, revision by revision (table above).
REV10 = Struct(
    "guid" / Bytes(16),
    "time_ms" / Int64ul,
    "number_fixed" / Bytes(16),
    "vehicle_color" / Int8ul,
    "plate_color" / Int8ul,
    "speed" / Int16ul,
    "image_count" / Int8ul,
)
REV11 = Struct(*REV10.subcons, "direction" / Int8ul)
REV12 = Struct(*REV11.subcons, "region" / Bytes(32), "roi_id" / Int8ul)
PLATE_FIELD = Struct("plate_len" / Int8ul, "number" / Bytes(lambda ctx: ctx.plate_len))
REV14_TAIL = Struct("vehicle_type" / Int8ul)
REV15_TAIL = Struct(
    "vehicle_type" / Int8ul,
    "confidence" / Float32l,
    "plate_type" / Int8ul,
    "distance" / Int32sl,
    "azimuth" / Float32l,
    "vehicle_count" / Int32ul,
)
REV16_TAIL = Struct(
    *REV15_TAIL.subcons,
    "width" / Int16ul,
    "height" / Int16ul,
    "x1" / Int16ul,
    "y1" / Int16ul,
    "x2" / Int16ul,
    "y2" / Int16ul,
)
_TAILS: list[tuple[str, int, Struct]] = [
    ("1.6", REV16_TAIL.sizeof(), REV16_TAIL),
    ("1.5", REV15_TAIL.sizeof(), REV15_TAIL),
    ("1.4", REV14_TAIL.sizeof(), REV14_TAIL),
]

#: Metadata chunk sizes of the fixed-layout revisions.
SIZE_REV10 = REV10.sizeof()  # 45
SIZE_REV11 = REV11.sizeof()  # 46
SIZE_REV12 = REV12.sizeof()  # 79

#: ``enum LprColor`` of Milesight's document (revision 1.4).
COLORS = (
    "unknown",
    "black",
    "blue",
    "cyan",
    "gray",
    "green",
    "red",
    "white",
    "yellow",
    "violet",
    "orange",
)
VEHICLE_TYPES = ("unknown", "car", "motorbike", "bus", "truck", "minibus")
_PLATE_TYPES = {
    1: CameraListVerdict.ALERT,  # black list
    2: CameraListVerdict.ALLOWED,  # white list
    3: CameraListVerdict.NONE,  # visitor
}
_PLATE_TYPE_NAMES = {1: "black", 2: "white", 3: "visitor"}
_DIRECTIONS = {0: Direction.UNKNOWN, 1: Direction.IN, 2: Direction.OUT}


@dataclass(frozen=True, slots=True)
class Packet:
    """One framed packet: ``command`` (u16) and ``data`` (DATA, without signatures)."""

    command: int
    data: bytes

    def __repr__(self) -> str:
        """Keep payload bytes out of logs."""
        return f"Packet(command=0x{self.command:04x}, size={len(self.data)})"


@dataclass(frozen=True, slots=True)
class StreamIssue:
    """Something the decoder skipped: ``reason`` (one log line) and ``dropped`` bytes."""

    reason: str
    dropped: int


def build_packet(command: int, data: bytes) -> bytes:
    """Frame ``data`` as ``CC FF | command | len(data)+2 | data | FF DD`` (little-endian)."""
    return bytes(HEADER.build({"command": command, "size": len(data) + 2})) + data + SIG_END


def build_login_request(user: str, password: str) -> bytes:
    """Return a complete COMM_LOGIN_REQ packet for ``user``/``password`` (JSON, UTF-8)."""
    body = json.dumps({"id": user, "password": password}).encode()
    return build_packet(Command.LOGIN_REQ, body)


def packet_json(data: bytes) -> dict[str, Any]:
    """Return the JSON object of a login packet's data (NUL padding and white space ignored).

    Raises :class:`MilesightTcpError` for invalid JSON or JSON that is not an object.
    """
    text = data.decode("utf-8", "replace").strip("\x00 \r\n\t")
    try:
        obj = safejson.loads(text)
    except ValueError:
        # The vendor document prints typographic quotes; tolerate a device that copied them.
        try:
            obj = safejson.loads(text.replace("\u201c", '"').replace("\u201d", '"'))
        except ValueError as err:
            raise MilesightTcpError(f"invalid JSON in packet: {getattr(err, 'msg', err)}") from None
    if not isinstance(obj, dict):
        raise MilesightTcpError("packet JSON is not an object")
    return obj


def parse_login_reply(data: bytes) -> int:
    """Return the ``result`` code of COMM_LOGIN_REPLY data (``"200"`` → 200, ``401`` refused).

    Raises :class:`MilesightTcpError` for invalid JSON or a missing/non-numeric result.
    """
    obj = packet_json(data)
    try:
        return int(str(obj["result"]).strip())
    except (KeyError, ValueError):
        raise MilesightTcpError("login reply without a numeric 'result'") from None


def _cstr(raw: bytes) -> str:
    """Decode a NUL-padded UTF-8 field; a multi-byte character cut by the fixed size is dropped."""
    return raw.split(b"\x00", 1)[0].decode("utf-8", "ignore").strip()


def _color(index: int) -> str | None:
    if 0 < index < len(COLORS):
        return COLORS[index]
    return None


@dataclass(slots=True)
class RecogMetadata:
    """Decoded metadata chunk (every field of the revision found; later fields None before it)."""

    revision: str
    device_id: str
    time: datetime
    plate: str
    vehicle_color: int
    plate_color: int
    speed: int
    image_count: int
    direction: int | None = None
    region: str | None = None
    roi_id: int | None = None
    vehicle_type: int | None = None
    confidence: float | None = None
    plate_type: int | None = None
    distance: int | None = None
    azimuth: float | None = None
    vehicle_count: int | None = None
    width: int | None = None
    height: int | None = None
    box: tuple[int, int, int, int] | None = None


def parse_metadata(data: bytes) -> RecogMetadata:
    """Parse a metadata chunk body of any revision 1.0-1.6 (module table; chunk header removed).

    The revision is told from the size: fixed layouts are 45/46/79 bytes; from 80 bytes on, the
    byte at offset 79 is ``Plate Len`` when ``80 + Plate Len`` fits, and the bytes left after the
    variable number tell 1.3 (0), 1.4 (1), 1.5 (18) or 1.6 (30; more = newer fields, ignored).
    A chunk whose ``Plate Len`` does not fit is read as 1.2 (fixed 16-byte number).
    Raises :class:`MilesightTcpError` for chunks shorter than 45 bytes.
    """
    size = len(data)
    if size < SIZE_REV10:
        raise MilesightTcpError(f"metadata chunk too short ({size} bytes)")
    try:
        tail: Mapping[str, Any] = {}
        revision = "1.0"
        if size >= SIZE_REV12:
            base = REV12.parse(data)
            revision = "1.2"
            plate_len = data[SIZE_REV12] if size > SIZE_REV12 else -1
            rest = size - SIZE_REV12 - 1 - plate_len
            if plate_len >= 0 and rest >= 0:
                plate = PLATE_FIELD.parse(data[SIZE_REV12:])
                revision = "1.3"
                number = _cstr(plate.number)
                offset = SIZE_REV12 + 1 + plate_len
                for rev, length, struct in _TAILS:
                    if rest >= length:
                        tail = struct.parse(data[offset : offset + length])
                        revision = rev
                        break
            else:
                number = ""
        elif size >= SIZE_REV11:
            base = REV11.parse(data)
            revision, number = "1.1", ""
        else:
            base = REV10.parse(data)
            number = ""
    except ConstructError as err:  # pragma: no cover - sizes are checked above
        raise MilesightTcpError(f"metadata chunk: {err}") from None
    plate = number or _cstr(base.number_fixed)
    try:
        when = datetime.fromtimestamp(base.time_ms / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        when = datetime.now(UTC)
    meta = RecogMetadata(
        revision=revision,
        device_id=str(uuid.UUID(bytes=bytes(base.guid))),
        time=when,
        plate=plate,
        vehicle_color=base.vehicle_color,
        plate_color=base.plate_color,
        speed=base.speed,
        image_count=base.image_count,
        direction=base.get("direction"),
        region=_cstr(base.region) if "region" in base else None,
        roi_id=base.get("roi_id"),
    )
    if tail:
        meta.vehicle_type = tail.get("vehicle_type")
        conf = tail.get("confidence")
        if conf is not None and not math.isnan(conf):
            meta.confidence = round(float(conf), 4)
        meta.plate_type = tail.get("plate_type")
        meta.distance = tail.get("distance")
        azimuth = tail.get("azimuth")
        meta.azimuth = float(azimuth) if azimuth is not None and not math.isnan(azimuth) else None
        meta.vehicle_count = tail.get("vehicle_count")
        if "width" in tail:
            meta.width, meta.height = tail["width"], tail["height"]
            meta.box = (tail["x1"], tail["y1"], tail["x2"], tail["y2"])
    return meta


def _image_roles(images: list[bytes], meta: RecogMetadata) -> list[ImageRole]:
    """Tell the plate crop from the full scene by pixel area (the document's order is unsure)."""
    if not images:  # a camera set to send no pictures
        return []
    sizes = [image_size(img) for img in images]
    areas = [w * h if (w and h) else None for (w, h) in (s or (0, 0) for s in sizes)]
    if len(images) == 1:
        area = areas[0]
        if area and meta.width and meta.height and area * 4 < meta.width * meta.height:
            return [ImageRole.PLATE]
        return [ImageRole.FULL]
    known = [a for a in areas if a]
    if len(known) == len(images):
        smallest = areas.index(min(known))
        return [ImageRole.PLATE if i == smallest else ImageRole.FULL for i in range(len(images))]
    # No readable sizes: the document lists "the license plate snapshot, and the full-screen
    # snapshot"; keep that order.
    return [ImageRole.PLATE if i == 0 else ImageRole.FULL for i in range(len(images))]


def parse_recog_post(data: bytes) -> PlateRead:
    """Turn COMM_RECOG_POST data (chunks) into a :class:`PlateRead`.

    Unknown chunk ids are skipped. A chunk whose size runs past the data is truncated: pictures
    before it are kept and ``extra["truncated"]`` is set; a missing or truncated metadata chunk
    raises :class:`MilesightTcpError`.
    """
    meta: RecogMetadata | None = None
    images: list[bytes] = []
    truncated = False
    pos = 0
    view = memoryview(data)
    while pos + 8 <= len(data):
        header = CHUNK_HEADER.parse(view[pos : pos + 8])
        start = pos + 8
        end = start + header.size
        if end > len(data):
            truncated = True
            break
        chunk_id = bytes(header.chunk_id)
        if chunk_id[:2] == CHUNK_META[:2] and meta is None:
            meta = parse_metadata(bytes(view[start:end]))
        elif chunk_id[:2] == CHUNK_IMAGE[:2] and header.size:
            images.append(bytes(view[start:end]))
        pos = end
    if meta is None:
        raise MilesightTcpError(
            "recognition post without a complete metadata chunk"
            + (" (truncated)" if truncated else "")
        )
    read = PlateRead(plate=meta.plate, time=meta.time)
    read.direction_raw = None if meta.direction is None else str(meta.direction)
    read.direction = _DIRECTIONS.get(meta.direction or 0, Direction.UNKNOWN)
    if meta.confidence is not None and meta.confidence >= 0:
        conf = meta.confidence / 100 if meta.confidence > 1 else meta.confidence
        read.confidence = min(conf, 1.0)
    read.country = meta.region or None
    read.plate_colour = _color(meta.plate_color)
    read.vehicle_colour = _color(meta.vehicle_color)
    if meta.vehicle_type and meta.vehicle_type < len(VEHICLE_TYPES):
        read.vehicle_type = VEHICLE_TYPES[meta.vehicle_type]
    read.speed = float(meta.speed) if meta.speed else None
    read.lane = meta.roi_id or None
    if meta.plate_type in _PLATE_TYPES:
        read.camera_list = _PLATE_TYPES[meta.plate_type]
        read.camera_list_name = _PLATE_TYPE_NAMES[meta.plate_type]
    if meta.box and meta.width and meta.height:
        x1, y1, x2, y2 = meta.box
        if x2 >= x1 and y2 >= y1:
            read.plate_box = (
                min(x1 / meta.width, 1.0),
                min(y1 / meta.height, 1.0),
                min((x2 - x1) / meta.width, 1.0),
                min((y2 - y1) / meta.height, 1.0),
            )
    read.vendor_id = f"{meta.device_id}:{int(meta.time.timestamp() * 1000)}"
    for img, role in zip(images, _image_roles(images, meta), strict=True):
        read.images.append(
            ReadImage(data=img, content_type=image_content_type(img) or "image/jpeg", role=role)
        )
    extra: dict[str, Any] = {"device_id": meta.device_id, "revision": meta.revision}
    for key in ("distance", "azimuth", "vehicle_count"):
        value = getattr(meta, key)
        if value:
            extra[key] = value
    if truncated:
        extra["truncated"] = True
    read.extra = extra
    return read


class PacketDecoder:
    """Incremental framer for a Milesight TCP byte stream.

    :meth:`feed` takes any split of the stream and returns, in order, complete :class:`Packet`
    objects and :class:`StreamIssue` notes for what was skipped:

    * bytes before a ``CC FF`` signature (garbage between packets) are dropped;
    * a header whose ``DATA_SIZE`` is below 2 or above ``max_packet`` is refused and the search
      restarts one byte after its signature (oversize size fields);
    * a packet whose end signature is not ``FF DD`` is dropped and the search restarts inside it;
    * a truncated packet (the camera cut it short and sent the next one) is detected as soon as a
      complete, well-framed packet with a known command shows up inside its claimed length.

    Buffering is bounded by ``max_packet`` + header; each byte is scanned a bounded number of
    times (linear in the input).
    """

    def __init__(self, max_packet: int = DEFAULT_MAX_PACKET) -> None:
        """Create a decoder refusing DATA_SIZE above ``max_packet`` bytes."""
        self.max_packet = max_packet
        self._buf = bytearray()
        self._probe = 0  # next index to probe for an embedded packet while waiting
        self.packets = 0
        self.dropped = 0

    @property
    def buffered(self) -> int:
        """Bytes held waiting for the rest of a packet."""
        return len(self._buf)

    def reset(self) -> int:
        """Forget buffered bytes (new connection); return how many were dropped."""
        dropped = len(self._buf)
        self._buf.clear()
        self._probe = 0
        return dropped

    def _drop(self, count: int, reason: str, out: list[Packet | StreamIssue]) -> None:
        del self._buf[:count]
        self._probe = 0
        self.dropped += count
        out.append(StreamIssue(reason, count))

    def _valid_at(self, pos: int) -> int | None:
        """Return the end index of a complete well-framed known packet starting at ``pos``."""
        buf = self._buf
        if pos + HEADER_SIZE > len(buf) or buf[pos : pos + 2] != SIG_START:
            return None
        command = int.from_bytes(buf[pos + 2 : pos + 4], "little")
        size = int.from_bytes(buf[pos + 4 : pos + 8], "little")
        if command not in KNOWN_COMMANDS or size < 2 or size > self.max_packet:
            return None
        end = pos + HEADER_SIZE + size
        if end > len(buf) or buf[end - 2 : end] != SIG_END:
            return None
        return end

    def feed(self, data: bytes | bytearray | memoryview) -> list[Packet | StreamIssue]:
        """Add stream bytes; return the packets (and skip notes) they complete."""
        buf = self._buf
        buf += data
        out: list[Packet | StreamIssue] = []
        while buf:
            start = buf.find(SIG_START)
            if start < 0:
                keep = 1 if buf[-1:] == SIG_START[:1] else 0
                if len(buf) - keep:
                    self._drop(len(buf) - keep, "garbage without a packet signature", out)
                break
            if start:
                self._drop(start, "garbage before a packet signature", out)
                continue
            if len(buf) < HEADER_SIZE:
                break
            header = HEADER.parse(bytes(buf[:HEADER_SIZE]))
            size = header.size
            if size < 2 or size > self.max_packet:
                self._drop(
                    2,
                    f"refused packet 0x{header.command:04x}: DATA_SIZE {size} "
                    f"outside 2..{self.max_packet}",
                    out,
                )
                continue
            end = HEADER_SIZE + size
            if len(buf) < end:
                if self._truncated_before(min(len(buf), end)):
                    self._drop(
                        self._probe,
                        f"truncated packet 0x{header.command:04x} (next packet started early)",
                        out,
                    )
                    continue
                break
            if buf[end - 2 : end] != SIG_END:
                # Truncated or corrupt: look for the next signature inside this packet.
                nxt = buf.find(SIG_START, 2)
                if nxt < 0 and len(buf) == end and buf[-1:] == SIG_START[:1]:
                    # The read ended on the first byte of the next packet's signature: keep
                    # that byte, or the next packet is lost with this one.
                    nxt = end - 1
                self._drop(
                    nxt if nxt > 0 else end,
                    f"truncated or corrupt packet 0x{header.command:04x} (no FF DD end signature)",
                    out,
                )
                continue
            out.append(Packet(header.command, bytes(buf[HEADER_SIZE : end - 2])))
            self.packets += 1
            del buf[:end]
            self._probe = 0
        return out

    def _truncated_before(self, limit: int, *, stalled: bool = False) -> bool:
        """Probe the not-yet-probed bytes of a waiting packet for the packet that followed a cut.

        A complete, well-framed packet found inside the waiting one only proves a truncation
        when the bytes right after it start another packet header (``CC FF`` + known command):
        a picture may contain such bytes by chance, but not two framed packets back to back.
        With ``stalled`` (no byte arrived for a while, see :meth:`flush_stalled`) the first
        embedded packet is enough. Sets ``_probe`` to the
        embedded packet's start and returns True when the waiting packet is truncated; positions
        that cannot be decided yet are re-checked on the next feed.
        """
        buf = self._buf
        pos = max(self._probe, 2)
        while True:
            pos = buf.find(SIG_START, pos, limit)
            if pos < 0:
                self._probe = max(2, limit - 1)
                return False
            end = self._valid_at(pos)
            if end is not None:
                if stalled or self._header_at(end):
                    self._probe = pos
                    return True
                if end + 4 > len(buf):  # cannot tell yet what follows it
                    self._probe = pos
                    return False
                pos += 1  # framed bytes inside a picture: keep them as payload
                continue
            if self._may_grow(pos):
                self._probe = pos
                return False
            pos += 1

    def _header_at(self, pos: int) -> bool:
        """Return True when a packet signature and a known command start at ``pos``."""
        buf = self._buf
        return (
            pos + 4 <= len(buf)
            and buf[pos : pos + 2] == SIG_START
            and int.from_bytes(buf[pos + 2 : pos + 4], "little") in KNOWN_COMMANDS
        )

    def flush_stalled(self) -> list[Packet | StreamIssue]:
        """Resolve a waiting packet after the stream went quiet (call after ~1 s without data).

        When a complete packet sits inside the incomplete one, the incomplete one was cut by the
        camera: it is dropped and the rest decoded. Otherwise nothing changes (a slow sender).
        """
        if len(self._buf) < HEADER_SIZE:
            return []
        end = HEADER_SIZE + int.from_bytes(self._buf[4:8], "little")
        if len(self._buf) >= end:
            return []
        self._probe = 2
        out: list[Packet | StreamIssue] = []
        if self._truncated_before(len(self._buf), stalled=True):
            command = int.from_bytes(self._buf[2:4], "little")
            self._drop(
                self._probe, f"truncated packet 0x{command:04x} (next packet started early)", out
            )
            out += self.feed(b"")
        return out

    def _may_grow(self, pos: int) -> bool:
        """Return True when a header at ``pos`` is plausible but its packet is not complete yet."""
        buf = self._buf
        if pos + HEADER_SIZE > len(buf):
            return True
        command = int.from_bytes(buf[pos + 2 : pos + 4], "little")
        size = int.from_bytes(buf[pos + 4 : pos + 8], "little")
        return (
            command in KNOWN_COMMANDS
            and 2 <= size <= self.max_packet
            and pos + HEADER_SIZE + size > len(buf)
        )
