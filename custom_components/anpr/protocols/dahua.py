"""Dahua ITC / TrafficJunction events: parsing and a small HTTP client (no Home Assistant import).

Formats (``docs/protocols.md`` "Dahua"; Dahua's "HTTP API for IP Camera and Speed Dome" and its
ITC/ANPR supplement, event and snap chapters):

* ``GET /cgi-bin/snapManager.cgi?action=attachFileProc&Flags[0]=Event&Events=[...]&heartbeat=N``
  answers ``multipart/x-mixed-replace; boundary=myboundary``. Every event is a ``text/plain``
  part of flattened ``Events[0].TrafficCar.PlateNumber=AB12CDE`` lines followed by the picture
  (``image/jpeg``) the camera took for it. :func:`parse_flat_events` reads the text part.
* ``GET /cgi-bin/eventManager.cgi?action=attach&codes=[...]&heartbeat=N`` answers the same
  framing with ``text/plain`` parts ``Code=TrafficJunction;action=Pulse;index=0;data={json}``
  (several lines per part possible, the JSON may span lines) and no picture; the source fetches
  ``/cgi-bin/snapshot.cgi``. :func:`parse_code_events` reads such a part.
* Both streams send a ``Heartbeat`` text part every N seconds (1-60).

:class:`DahuaEventAssembler` turns the multipart parts of either stream into
:class:`~.models.PlateRead` objects (text part + its picture). :class:`DahuaClient` talks HTTP
Digest (Basic fallback) over an injected ``httpx.AsyncClient`` (:mod:`.camera_http`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
import json
import math
import re
from typing import Any, Final

import httpx

from .camera_http import CameraHttpClient
from .models import (
    Direction,
    ImageRole,
    PlateRead,
    ProtocolError,
    ReadImage,
    confidence_from,
    scalar_float,
    scalar_text,
)
from .multipart import Part

#: Event codes subscribed to: a recognised vehicle, and a snap an operator took by hand
#: (web page "Manual Snap", or the camera's I/O input).
EVENT_CODES: Final = ("TrafficJunction", "TrafficManualSnap")
#: Dahua traffic coordinates run 0-8191 on both axes whatever the picture size.
COORD_RANGE: Final = 8192.0
MAX_TEXT: Final = 256 * 1024

_JSON = json.JSONDecoder()
_INDEX_RE = re.compile(r"^([^\[\]]*)((?:\[\d{1,4}\])*)$")
_CODE_START_RE = re.compile(rb"(?:^|\n)\s*Code=")
_CODE_SPLIT_RE = re.compile(r"(?:^|\n)\s*(?=Code=)")


class DahuaError(ProtocolError):
    """A Dahua event part that cannot be read (the only exception raised for bad input)."""


@dataclass(slots=True)
class DahuaEvent:
    """One event: its ``code`` (``TrafficJunction``), ``action`` (Pulse/Start/Stop) and data."""

    code: str
    action: str
    index: int
    data: dict[str, Any]


# -- text formats ---------------------------------------------------------------------------


def _decode(body: bytes) -> str:
    if len(body) > MAX_TEXT:
        raise DahuaError(f"event text of {len(body)} bytes exceeds {MAX_TEXT}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030", "replace")  # older Chinese-market firmware


def is_heartbeat(body: bytes) -> bool:
    """Tell whether ``body`` is the ``Heartbeat`` keep-alive part (case and whitespace ignored)."""
    return body.lstrip()[:9].lower() == b"heartbeat" and not body.lstrip()[9:10].isalnum()


def _set_path(root: dict[str, Any], path: str, value: str) -> None:
    """Store ``value`` under a flattened path such as ``TrafficCar.DrivingDirection[0]``."""
    node: Any = root
    keys: list[str | int] = []
    for segment in path.split("."):
        match = _INDEX_RE.match(segment)
        if match is None or not match.group(1):
            raise DahuaError(f"unreadable key {path[:80]!r}")
        keys.append(match.group(1))
        keys.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[keys[-1]] = value


def _listify(value: Any) -> Any:
    """Turn dicts whose keys are all ints (``[0]``, ``[1]``) into lists, recursively."""
    if not isinstance(value, dict):
        return value
    items = {k: _listify(v) for k, v in value.items()}
    if items and all(isinstance(k, int) for k in items):
        size = max(items) + 1
        return [items.get(i, "") for i in range(size)] if size <= 64 else list(items.values())
    return items


def parse_flat_events(body: bytes) -> list[DahuaEvent]:
    r"""Parse a snapManager ``attachFileProc`` text part into its events.

    Lines are ``Events[<n>].<Path>=<value>`` (``\r\n`` or ``\n``); the code, action and index
    are under ``Events[n].EventBaseInfo``; everything else of ``Events[n]`` becomes ``data``
    (values stay strings). Lines without ``=`` or outside ``Events[...]`` are ignored. Raises
    :class:`DahuaError` when no event is found.
    """
    text = _decode(body)
    root: dict[str, Any] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not key.startswith("Events["):
            continue
        _set_path(root, key, value.strip())
    events_raw = _listify(root.get("Events"))
    if not isinstance(events_raw, list) or not events_raw:
        raise DahuaError("text part holds no Events[...] lines")
    events: list[DahuaEvent] = []
    for raw in events_raw:
        if not isinstance(raw, dict):
            continue
        base = raw.pop("EventBaseInfo", {})
        base = base if isinstance(base, dict) else {}
        code = str(base.get("Code") or raw.get("Code") or "")
        events.append(
            DahuaEvent(
                code=code,
                action=str(base.get("Action") or "Pulse"),
                index=_int(base.get("Index")) or 0,
                data=raw,
            )
        )
    return events


def parse_code_events(body: bytes) -> list[DahuaEvent]:
    """Parse an eventManager ``attach`` text part (``Code=..;action=..;index=..;data={..}``).

    A part may hold several events, each starting at a line beginning with ``Code=``; ``data``
    is JSON and may span lines (absent for simple events: empty dict). Raises
    :class:`DahuaError` for a part with no ``Code=`` or with unreadable JSON.
    """
    text = _decode(body)
    chunks = [c.strip() for c in _CODE_SPLIT_RE.split(text) if c.strip().startswith("Code=")]
    if not chunks:
        raise DahuaError("text part has no Code=...")
    events: list[DahuaEvent] = []
    for chunk in chunks:
        head, _, data_text = chunk.partition(";data=")
        fields = head.split(";")
        code = fields[0][len("Code=") :].strip()
        params = {}
        for item in fields[1:]:
            name, _, value = item.partition("=")
            params[name.strip().casefold()] = value.strip()
        data: dict[str, Any] = {}
        if data_text.strip():
            try:
                # raw_decode: bytes a camera leaks after the JSON (log text) are ignored.
                loaded, _end = _JSON.raw_decode(data_text.strip())
            except ValueError as err:
                raise DahuaError(f"{code or 'event'} data is not JSON: {err}") from err
            if not isinstance(loaded, dict):
                raise DahuaError(f"{code or 'event'} data is not a JSON object")
            data = loaded
        events.append(
            DahuaEvent(
                code=code,
                action=params.get("action", "Pulse"),
                index=_int(params.get("index")) or 0,
                data=data,
            )
        )
    return events


# -- plate reads ----------------------------------------------------------------------------


def _get(data: Mapping[str, Any], *path: str) -> Any:
    """Look up a path case-insensitively (firmware writes ``TrafficCar`` or ``trafficCar``)."""
    node: Any = data
    for key in path:
        if not isinstance(node, Mapping):
            return None
        if key in node:
            node = node[key]
            continue
        folded = key.casefold()
        node = next((v for k, v in node.items() if str(k).casefold() == folded), None)
    return node


def _int(value: Any) -> int | None:
    try:
        if value is None or isinstance(value, bool):
            return None
        return int(str(value).strip())
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    number = scalar_float(value)
    return number if number is not None and math.isfinite(number) else None


def _box(value: Any) -> tuple[float, float, float, float] | None:
    """``BoundingBox`` [left, top, right, bottom] on 0-8191 → (x, y, width, height) 0-1."""
    if not isinstance(value, list) or len(value) < 4:
        return None
    numbers = [_float(v) for v in value[:4]]
    if any(n is None for n in numbers):
        return None
    left, top, right, bottom = (float(n) / COORD_RANGE for n in numbers if n is not None)
    if not (0 <= left < right <= 1 and 0 <= top < bottom <= 1):
        return None
    return (left, top, right - left, bottom - top)


def _time(data: Mapping[str, Any], tz: tzinfo) -> datetime:
    utc = _float(_get(data, "UTC"))
    if utc is not None and 0 < utc < 4e9:
        millis = _float(_get(data, "UTCMS")) or 0.0
        return datetime.fromtimestamp(utc + min(max(millis, 0), 999) / 1000, UTC)
    local = scalar_text(_get(data, "LocaleTime"))
    if local:  # Dahua's fixed local-time form, not ISO 8601: strptime, not parse_iso_time
        try:
            return datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            pass
    return datetime.now(UTC)


def _direction(
    data: Mapping[str, Any], obverse: Direction
) -> tuple[Direction, str | None]:
    """Return the direction and the vendor word it came from.

    ``JunctionDirection`` (Obverse/Reverse per the camera setting) first, else
    ``DrivingDirection[0]`` (Approach/Leave), else ``VehicleDirection`` (Head/Tail).

    ``TrafficCar.Direction`` is numeric and always 0 on real cameras, so it is not used.
    """
    reverse = Direction.OUT if obverse is Direction.IN else Direction.IN
    junction = scalar_text(_get(data, "JunctionDirection")) or scalar_text(
        _get(data, "TrafficCar", "JunctionDirection")
    )
    if junction:
        word = junction.casefold()
        if word == "obverse":
            return obverse, junction
        if word == "reverse":
            return reverse, junction
    driving = _get(data, "TrafficCar", "DrivingDirection")
    first = scalar_text(driving[0] if isinstance(driving, list) and driving else driving)
    if first:
        word = first.casefold()
        if word == "approach":
            return Direction.IN, first
        if word == "leave":
            return Direction.OUT, first
    head = scalar_text(_get(data, "VehicleDirection")) or scalar_text(
        _get(data, "TrafficCar", "VehicleDirection")
    )
    if head:
        word = head.casefold()
        if word == "head":
            return Direction.IN, head
        if word == "tail":
            return Direction.OUT, head
    raw = junction or first or head
    return Direction.UNKNOWN, raw


def event_to_read(
    event: DahuaEvent, *, obverse: Direction = Direction.IN, tz: tzinfo = UTC
) -> PlateRead | None:
    """Turn a traffic event into a :class:`PlateRead`, or None for events without a vehicle.

    Plate: ``TrafficCar.PlateNumber``, else ``Object.Text`` of a ``Plate`` object, else
    ``Plate.Text``/``PlateNumber``. Sentinels (``unlicensed``, ``--``, ...) give an empty plate
    (the read still counts as a vehicle). Confidence ``Object.Confidence`` (0-100), box
    ``Object.BoundingBox`` (0-8191 → 0-1), lane ``Lane``/``TrafficCar.Lane``, time ``UTC`` +
    ``UTCMS`` else ``LocaleTime`` in ``tz``. ``obverse`` is what ``JunctionDirection=Obverse``
    means at this site. Never raises for odd values (they are left out).
    """
    if not event.code.casefold().startswith("traffic") or event.action.casefold() == "stop":
        return None
    data = event.data
    car = _get(data, "TrafficCar")
    car = car if isinstance(car, Mapping) else {}
    obj = _get(data, "Object")
    obj = obj if isinstance(obj, Mapping) else {}
    plate = scalar_text(_get(car, "PlateNumber"))
    if plate is None and str(scalar_text(_get(obj, "ObjectType")) or "").casefold() == "plate":
        plate = scalar_text(_get(obj, "Text"))
    if plate is None:
        plate = scalar_text(_get(data, "Plate", "Text")) or scalar_text(_get(data, "PlateNumber"))
    if plate is None and not car and not obj:
        return None
    direction, direction_raw = _direction(data, obverse)
    confidence = None
    for source in (obj, _get(data, "Plate"), car):
        if isinstance(source, Mapping) and _get(source, "Confidence") is not None:
            confidence = confidence_from(_get(source, "Confidence"))
            break
    vehicle = _get(data, "Vehicle")
    vehicle = vehicle if isinstance(vehicle, Mapping) else {}
    lane = _int(_get(data, "Lane"))
    if lane is None:
        lane = _int(_get(car, "Lane"))
    group = scalar_text(_get(data, "GroupID"))
    read = PlateRead(
        plate=plate or "",
        time=_time(data, tz),
        direction=direction,
        direction_raw=direction_raw,
        confidence=confidence,
        country=scalar_text(_get(car, "Country"))
        or scalar_text(_get(obj, "Country"))
        or scalar_text(_get(data, "CommInfo", "Country")),
        plate_type=scalar_text(_get(car, "PlateType")),
        plate_colour=scalar_text(_get(car, "PlateColor")),
        vehicle_type=(
            scalar_text(_get(car, "VehicleType")) or scalar_text(_get(vehicle, "Category"))
        ),
        vehicle_colour=scalar_text(_get(car, "VehicleColor")),
        vehicle_make=scalar_text(_get(car, "Brand")),
        speed=_float(_get(car, "Speed")),
        lane=lane,
        plate_box=_box(_get(obj, "BoundingBox")),
        vendor_id=f"{group}.{scalar_text(_get(data, 'IndexInGroup')) or 0}" if group else None,
    )
    read.extra["event_code"] = event.code
    if event.code.casefold() == "trafficmanualsnap":
        read.extra["trigger"] = True
    return read


# -- stream assembly -------------------------------------------------------------------------


@dataclass(slots=True)
class AssemblerStats:
    """Counters for diagnostics (no plates)."""

    parts: int = 0
    heartbeats: int = 0
    events: int = 0
    reads: int = 0
    no_plate: int = 0
    pictures: int = 0
    orphan_pictures: int = 0
    other_events: int = 0
    bad_parts: int = 0


@dataclass(slots=True)
class DahuaEventAssembler:
    """Turn the parts of a snapManager or eventManager stream into plate reads.

    :meth:`add` takes one :class:`~.multipart.Part` and returns the reads it completes. A read
    from a snapManager text part waits for the picture that follows it (``held``); the next
    text part, a heartbeat or :meth:`flush` delivers it without one. eventManager text parts
    give their reads at once (``with_pictures=False``). Raises :class:`DahuaError` for an
    unreadable text part; the assembler stays usable.
    """

    obverse: Direction = Direction.IN
    tz: tzinfo = UTC
    with_pictures: bool = True
    stats: AssemblerStats = field(default_factory=AssemblerStats)
    _held: list[PlateRead] = field(default_factory=list)

    @property
    def has_pending(self) -> bool:
        """True while a read waits for its picture."""
        return bool(self._held)

    def flush(self) -> list[PlateRead]:
        """Deliver reads still waiting for a picture (stream ended, or it never came)."""
        held, self._held = self._held, []
        return held

    def add(self, part: Part) -> list[PlateRead]:
        """Process one part; see the class docstring."""
        self.stats.parts += 1
        ctype = part.content_type
        if part.oversize:
            self.stats.bad_parts += 1
            raise DahuaError(f"part of {part.size} bytes exceeds the size cap")
        if ctype.startswith("image/"):
            return self._picture(part)
        if is_heartbeat(part.body):
            self.stats.heartbeats += 1
            return self.flush()
        if not part.body.strip():
            return []
        out = self.flush()
        try:
            events = (
                parse_code_events(part.body)
                if _CODE_START_RE.search(part.body[:256])
                else parse_flat_events(part.body)
            )
        except DahuaError:
            self.stats.bad_parts += 1
            if out:
                return out
            raise
        for event in events:
            self.stats.events += 1
            read = event_to_read(event, obverse=self.obverse, tz=self.tz)
            if read is None:
                self.stats.other_events += 1
                continue
            if not read.has_plate:
                self.stats.no_plate += 1
                continue
            self.stats.reads += 1
            if self.with_pictures:
                self._held.append(read)
            else:
                out.append(read)
        return out

    def _picture(self, part: Part) -> list[PlateRead]:
        if not self._held or not part.body:
            self.stats.orphan_pictures += 1
            return []
        self.stats.pictures += 1
        body = part.body
        declared = _int(part.headers.get("content-length"))
        if declared and 0 < declared < len(body) and body[:declared].endswith(b"\xff\xd9"):
            body = body[:declared]  # bytes after the counted JPEG are not part of it
        image = ReadImage(data=body, content_type=part.content_type, role=ImageRole.FULL)
        held, self._held = self._held, []
        for read in held:
            read.images.append(image)
        return held


# -- device info -----------------------------------------------------------------------------


def parse_key_values(body: bytes) -> dict[str, str]:
    """Parse ``key=value`` lines (``magicBox.cgi`` answers) into a dict; never raises."""
    out: dict[str, str] = {}
    for line in _decode(body[:MAX_TEXT]).splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


@dataclass(slots=True)
class DahuaDeviceInfo:
    """``magicBox.cgi?action=getSystemInfo`` (+ ``getSoftwareVersion``) in short."""

    model: str | None
    serial: str | None
    firmware: str | None = None


# -- HTTP client -----------------------------------------------------------------------------


class DahuaClientError(Exception):
    """A request failed (transport error, unexpected status, unusable answer)."""


class DahuaAuthError(DahuaClientError):
    """HTTP 401 after Digest (and Basic when offered): the credentials are wrong."""


class DahuaConnectionError(DahuaClientError):
    """The camera could not be reached or stopped sending (timeouts included)."""


class DahuaNotSupportedError(DahuaClientError):
    """The camera does not offer this CGI (HTTP 400 "Bad Request", 404, 405 or 501)."""


@dataclass(slots=True)
class EventStream:
    """An open attach stream: its ``Content-Type`` and an iterator over raw byte chunks."""

    content_type: str
    chunks: AsyncIterator[bytes]


def snap_manager_path(channel: int, heartbeat: int, codes: Iterable[str] = EVENT_CODES) -> str:
    """Return the snapManager ``attachFileProc`` request path (events with their pictures)."""
    return (
        "/cgi-bin/snapManager.cgi?action=attachFileProc&Flags[0]=Event"
        f"&Events=[{','.join(codes)}]&channel={int(channel)}&heartbeat={int(heartbeat)}"
    )


def event_manager_path(heartbeat: int, codes: Iterable[str] = EVENT_CODES) -> str:
    """Return the eventManager ``attach`` request path (event text only)."""
    return (
        f"/cgi-bin/eventManager.cgi?action=attach&codes=[{','.join(codes)}]"
        f"&heartbeat={int(heartbeat)}"
    )


class DahuaClient(CameraHttpClient):
    """Talk to one Dahua camera over ``client`` (``httpx.AsyncClient``) at ``base_url``.

    Digest authentication, switching to Basic when the camera's 401 offers only Basic. Every
    method raises :class:`DahuaAuthError`, :class:`DahuaConnectionError`,
    :class:`DahuaNotSupportedError` or :class:`DahuaClientError`; credentials are never logged.
    """

    error = DahuaClientError
    auth_error = DahuaAuthError
    connection_error = DahuaConnectionError

    @asynccontextmanager
    async def _open(
        self, path: str, timeout: httpx.Timeout | float  # noqa: ASYNC109 - httpx timeout
    ) -> AsyncIterator[httpx.Response]:
        """GET ``path``; yield the response once its status is a success."""
        async with self.open("GET", path, timeout=timeout) as response:
            status = response.status_code
            name = path.split("?", 1)[0]
            if status in (400, 404, 405, 501):
                raise DahuaNotSupportedError(f"{name} not supported (HTTP {status})")
            if status >= 300:
                raise DahuaClientError(f"{name} answered HTTP {status}")
            yield response

    async def get(self, path: str, cap: int = MAX_TEXT) -> bytes:
        """GET ``path``; return at most ``cap`` bytes of the body."""
        async with self._open(path, self.timeout) as response:
            return await self.read_capped(response, cap, path)

    async def device_info(self) -> DahuaDeviceInfo:
        """Model and serial (``magicBox.cgi?action=getSystemInfo``), firmware when offered.

        Raises :class:`DahuaClientError` when the answer has neither a type nor a serial (not a
        Dahua camera).
        """
        info = parse_key_values(await self.get("/cgi-bin/magicBox.cgi?action=getSystemInfo"))
        model = info.get("deviceType") or info.get("updateSerial")
        serial = info.get("serialNumber")
        if not model and not serial:
            raise DahuaClientError("getSystemInfo has no deviceType or serialNumber")
        firmware = None
        try:
            version = await self.get("/cgi-bin/magicBox.cgi?action=getSoftwareVersion")
        except DahuaNotSupportedError:
            pass
        else:
            firmware = parse_key_values(version).get("version")
        return DahuaDeviceInfo(model=model, serial=serial, firmware=firmware)

    async def snapshot(self, channel: int, cap: int = 8 * 1024 * 1024) -> bytes | None:
        """Fetch the current picture (``snapshot.cgi?channel=N``); None when it is not a JPEG."""
        body = await self.get(f"/cgi-bin/snapshot.cgi?channel={int(channel)}", cap)
        return body if body.startswith(b"\xff\xd8") else None

    @asynccontextmanager
    async def event_stream(self, path: str, read_timeout: float) -> AsyncIterator[EventStream]:
        """Open an attach stream; ``read_timeout`` (s) bounds the wait for the next bytes.

        The iterator raises :class:`DahuaConnectionError` on a read timeout or a dropped
        connection and ends when the camera closes the stream.
        """
        timeout = httpx.Timeout(self.timeout, read=read_timeout)
        async with self._open(path, timeout) as response:
            yield EventStream(response.headers.get("content-type", ""), self.chunks(response, path))


__all__ = [
    "EVENT_CODES",
    "DahuaAuthError",
    "DahuaClient",
    "DahuaClientError",
    "DahuaConnectionError",
    "DahuaDeviceInfo",
    "DahuaError",
    "DahuaEvent",
    "DahuaEventAssembler",
    "DahuaNotSupportedError",
    "event_manager_path",
    "event_to_read",
    "is_heartbeat",
    "parse_code_events",
    "parse_flat_events",
    "parse_key_values",
    "snap_manager_path",
]
