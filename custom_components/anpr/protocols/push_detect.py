"""Auto-detection of webhook payloads pushed by cameras.

Source: ``docs/protocols.md``, "LPR JSON webhooks (Milesight and generic)", "One webhook, several
formats".

Pure module (no Home Assistant import). One webhook per camera accepts every push format we
know; :func:`detect_payload` looks at the method, ``Content-Type``, body and query and picks:

* ``plate_query``: ``GET ?Caption=LPR&description=PLATE`` (Milesight GET, spaces tolerated),
  also a form-encoded POST body carrying the same parameters;
* ``lpr_json``: generic LPR / Milesight JSON POST, legacy or newer key set (``lpr_json.py``);
* ``numberok``: FF/NumberOK/CAMMRA "JSON over HTTP" — JSON alone or ``multipart/form-data``
  with a JSON part (``event`` or any name) plus picture parts (``numberok.py``);
* ``axis_alpv``: the same FF event sent by the AXIS License Plate Verifier ACAP
  (``axis_alpv.py`` tells it apart and adds the camera's serial number);
* ``hikvision``: Hikvision "HTTP listening" multipart (XML/JSON alert + pictures) or a bare
  ``EventNotificationAlert`` XML body or a JSON-mode alert (``eventType``), through
  :mod:`.hikvision.assembler`.

The JSON content type is not trusted blindly: cameras send JSON as ``text/plain`` or
``application/x-www-form-urlencoded``; the body is sniffed. Anything else raises
:class:`UnknownPayload` whose ``reason`` is one line for the log/HTTP 400 and whose ``keys`` lists
the JSON keys / part names / query keys seen (never values or bytes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Any

from . import safejson
from .axis_alpv import apply_axis_fields, is_axis_alpv
from .hikvision.assembler import HikvisionEventAssembler
from .lpr_json import looks_like_lpr_json, parse_lpr_json
from .models import PlateRead, ProtocolError
from .multipart import MultipartError, Part, parse_multipart
from .numberok import EventImage, looks_like_numberok, parse_numberok_event
from .plate_query import looks_like_plate_query, parse_plate_query, query_params

#: Default body cap for a webhook (bytes).
DEFAULT_MAX_BODY = 20 * 1024 * 1024

#: Parser for Hikvision multipart parts: parts → (reads, one-line errors).
HikvisionParser = Callable[[Sequence[Part], tzinfo], tuple[list[PlateRead], list[str]]]


class UnknownPayload(ProtocolError):
    """The payload matches no known push format.

    ``reason``: one line for the log and the HTTP 400 body; ``keys``: names seen in the payload
    (JSON keys, part names and types, query keys) for a debug log — never values or bytes.
    """

    def __init__(self, reason: str, keys: Sequence[str] = ()) -> None:
        """Store the reason and the key names."""
        super().__init__(reason)
        self.reason = reason
        self.keys = list(keys)


@dataclass(slots=True)
class PushResult:
    """What a payload turned into: ``format`` name, ``reads`` (≥ 1) and ``notes`` (skips)."""

    format: str
    reads: list[PlateRead]
    notes: list[str] = field(default_factory=list)


def _hikvision_parts(parts: Sequence[Part], tz: tzinfo) -> tuple[list[PlateRead], list[str]]:
    """Parse one HTTP-listening body's parts: alerts joined with their pictures."""
    return HikvisionEventAssembler(tz=tz, hold_unannounced=True).add_all(parts)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _is_image(ctype: str) -> bool:
    return ctype.startswith("image/")


def _json_value(body: bytes) -> Any:
    try:
        return safejson.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as err:
        raise UnknownPayload(f"invalid JSON: {err}") from None


def _ff_read(obj: dict[str, Any], images: Sequence[EventImage]) -> tuple[str, PlateRead]:
    """Parse an FF event; ``axis_alpv`` when the AXIS License Plate Verifier sent it."""
    read = parse_numberok_event(obj, images)
    if is_axis_alpv(obj):
        apply_axis_fields(read, obj)
        return "axis_alpv", read
    return "numberok", read


def _json_reads(value: Any, tz: tzinfo, images: Sequence[EventImage] = ()) -> PushResult:
    objects = value if isinstance(value, list) else [value]
    reads: list[PlateRead] = []
    fmt = ""
    keys: set[str] = set()
    for obj in objects:
        if not isinstance(obj, dict):
            raise UnknownPayload(f"JSON {type(obj).__name__} where an object was expected")
        keys.update(str(k) for k in obj)
        if looks_like_numberok(obj):
            fmt, read = _ff_read(obj, images)
            reads.append(read)
        elif looks_like_lpr_json(obj):
            reads.append(parse_lpr_json(obj, tz=tz))
            fmt = fmt or "lpr_json"
        elif len(objects) == 1:
            raise UnknownPayload(
                "JSON without a plate key (plate, license_plate, plateASCII, plateUTF8, "
                "plateUnicode, plateText)",
                sorted(keys),
            )
    if not reads:
        raise UnknownPayload("JSON array without any plate object", sorted(keys))
    return PushResult(fmt, reads)


def _part_keys(parts: Sequence[Part]) -> list[str]:
    return [f"{p.name or '?'}:{p.content_type or '?'}" for p in parts]


def _looks_like_xml(body: bytes) -> bool:
    return body.lstrip()[:1] == b"<"


def _multipart(
    body: bytes, content_type: str, tz: tzinfo, hikvision: HikvisionParser | None
) -> PushResult:
    try:
        parts = parse_multipart(body, content_type)
    except MultipartError as err:
        raise UnknownPayload(f"malformed multipart body: {err}") from None
    notes = [
        f"part {p.name or '?'} over the size cap ({p.size} bytes) skipped"
        for p in parts
        if p.oversize
    ]
    parts = [p for p in parts if not p.oversize]
    images = [p for p in parts if _is_image(p.content_type) and p.body]
    texts = [p for p in parts if not _is_image(p.content_type)]
    json_parts = [
        p for p in texts if "json" in p.content_type or p.body.lstrip()[:1] in (b"{", b"[")
    ]
    # FF/NumberOK: a JSON part with FF plate fields, pictures in the other parts.
    for part in json_parts:
        try:
            value = safejson.loads(part.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(value, dict) and looks_like_numberok(value):
            ev_images = [EventImage(p.body, p.content_type, p.name, p.filename) for p in images]
            fmt, read = _ff_read(value, ev_images)
            return PushResult(fmt, [read], notes)
        if isinstance(value, dict) and looks_like_lpr_json(value):
            read = parse_lpr_json(value, tz=tz)
            return PushResult("lpr_json", [read], notes)
    # Hikvision listening: XML (or Hikvision JSON) alert part + pictures.
    if hikvision is not None and (
        any(_looks_like_xml(p.body) or "xml" in p.content_type for p in texts) or json_parts
    ):
        reads, errors = hikvision(parts, tz)
        if reads:
            return PushResult("hikvision", reads, notes + errors)
        if errors:
            raise UnknownPayload(
                f"multipart with an event part no parser accepts: {errors[0]}", _part_keys(parts)
            )
    raise UnknownPayload(
        "multipart without a known event part (FF/NumberOK JSON, LPR JSON or Hikvision alert)",
        _part_keys(parts),
    )


def detect_payload(
    method: str,
    content_type: str | None,
    body: bytes,
    query_string: str = "",
    *,
    tz: tzinfo | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    hikvision: HikvisionParser | bool | None = True,
) -> PushResult:
    """Recognise and parse one webhook request (formats in the module docstring).

    ``method`` is the HTTP method, ``content_type`` the raw header, ``body`` the whole request
    body, ``query_string`` the raw query (without ``?``), ``tz`` the camera's local time zone for
    naive timestamps (UTC when None). ``hikvision``: True uses :mod:`.hikvision.assembler`, a
    callable replaces it, None/False disables it.

    Returns a :class:`PushResult` with at least one read. Raises :class:`UnknownPayload` (a
    :class:`ProtocolError`) for anything it cannot turn into a read, including bad JSON, a body
    over ``max_body`` bytes, a GET without a plate and a content type we do not read.
    """
    zone = tz or UTC
    hik: HikvisionParser | None
    if hikvision is True:
        hik = _hikvision_parts
    elif hikvision is False or hikvision is None:
        hik = None
    else:
        hik = hikvision
    if len(body) > max_body:
        raise UnknownPayload(f"body over the {max_body} byte cap")
    ctype = _media_type(content_type)
    stripped = body.strip()
    try:
        if not stripped:
            if looks_like_plate_query(query_string):
                return PushResult("plate_query", [parse_plate_query(query_string)])
            keys = sorted(query_params(query_string)) if query_string else []
            raise UnknownPayload(
                f"{method.upper()} without a body and without "
                "?Caption=LPR&description=<plate> in the query",
                keys,
            )
        if ctype.startswith("multipart/"):
            return _multipart(body, content_type or "", zone, hik)
        if "json" in ctype or stripped[:1] in (b"{", b"["):
            if stripped[:1] not in (b"{", b"["):
                raise UnknownPayload(f"{ctype} body is not a JSON object")
            value = _json_value(stripped)
            try:
                return _json_reads(value, zone)
            except UnknownPayload:
                # Hikvision listening in JSON mode (parameterFormatType=JSON): no plate key of
                # ours, but an ``eventType``; let the Hikvision parser decide.
                if hik is None or not isinstance(value, dict) or "eventType" not in value:
                    raise
            part = Part(headers={"content-type": "application/json"}, body=stripped)
            reads, errors = hik([part], zone)
            if reads:
                return PushResult("hikvision", reads, errors)
            raise UnknownPayload(
                f"Hikvision JSON without a plate read{': ' + errors[0] if errors else ''}",
                sorted(str(k) for k in value),
            )
        if ctype == "application/x-www-form-urlencoded" or (
            not ctype and b"=" in stripped[:200] and not _looks_like_xml(stripped)
        ):
            text = stripped.decode("utf-8", "replace")
            if looks_like_plate_query(text):
                return PushResult("plate_query", [parse_plate_query(text)])
            raise UnknownPayload(
                "form body without Caption=LPR&description=<plate>", sorted(query_params(text))
            )
        if ("xml" in ctype or _looks_like_xml(stripped)) and hik is not None:
            part = Part(
                headers={"content-type": content_type or "application/xml"},
                body=stripped,
                size=len(stripped),
            )
            reads, errors = hik([part], zone)
            if reads:
                return PushResult("hikvision", reads, errors)
            raise UnknownPayload(
                f"XML body without a plate read{': ' + errors[0] if errors else ''}"
            )
    except UnknownPayload:
        raise
    except ProtocolError as err:  # LprJsonError, PlateQueryError, other parsers' errors
        raise UnknownPayload(str(err)) from None
    raise UnknownPayload(f"unsupported content type {ctype or '(none)'}")


__all__ = [
    "DEFAULT_MAX_BODY",
    "HikvisionParser",
    "PushResult",
    "UnknownPayload",
    "detect_payload",
]
