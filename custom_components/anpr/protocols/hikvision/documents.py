"""Hikvision ISAPI documents: the error, safe XML parsing, element text, times, list verdicts.

Pure module (no Home Assistant import), shared by the alert, plate-log and client modules of this
package. Untrusted XML goes through ``defusedxml``: DTDs and entities are refused. Sources:
Hikvision "ISAPI Developer Guide" (``EventNotificationAlert``, ``ResponseStatus``) and
``docs/protocols.md``, "Hikvision ISAPI" and "Quirks every parser accepts".
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as _safe_fromstring

from ..models import CameraListVerdict, ProtocolError
from ..timestamps import parse_iso_time, to_utc

SOURCE = "hikvision"
#: Cap for one XML/JSON event document (bytes). Real ANPR alerts are 1-5 KB.
MAX_EVENT_SIZE = 256 * 1024


class HikvisionError(ProtocolError):
    """Malformed or oversize Hikvision ISAPI input (the only exception these parsers raise)."""


# --- XML helpers ----------------------------------------------------------------------------


def local_tag(tag: Any) -> str:
    """Return a tag without its ``{namespace}``; "" for comments and processing instructions."""
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


def find_all(el: Element | None, name: str) -> list[Element]:
    """Return the children of ``el`` named ``name`` ([] when ``el`` is None)."""
    return [] if el is None else el.findall(name)


def find_one(el: Element | None, name: str) -> Element | None:
    """Return the first child of ``el`` named ``name`` (None when absent or ``el`` is None)."""
    return None if el is None else el.find(name)


def find_text(el: Element | None, *path: str) -> str | None:
    """Return the stripped text at ``path`` below ``el``; None when absent or empty."""
    if el is None:
        return None
    value = el.findtext("/".join(path))
    if value is None:
        return None
    value = value.strip()
    return value or None


def int_text(value: str | None) -> int | None:
    """Return element text as an int; None when missing or not an integer."""
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


_XML_DECL = re.compile(rb"<\?xml[^>]*\?>")
_DTD_HINT = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml(data: bytes, max_size: int = MAX_EVENT_SIZE) -> list[Element]:
    """Parse untrusted XML safely and return its root element(s).

    Several concatenated documents (e.g. two ``EventNotificationAlert`` in one part) give several
    roots. Raises :class:`HikvisionError` when the input is oversize, not well-formed, or uses a
    DTD/entities (refused: no entity expansion). Source: ``docs/protocols.md``, "Quirks every
    parser accepts".
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
    except LookupError as err:  # an unknown declared encoding (<?xml encoding="TTF-8"?>)
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


# --- Camera list verdicts -------------------------------------------------------------------

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
