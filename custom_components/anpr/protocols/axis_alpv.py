"""AXIS License Plate Verifier (ALPV) HTTP push: recognising the Axis flavour of FF events.

Pure module (no Home Assistant import). The ALPV ACAP is FF Group's ``fflprapp`` running on the
camera; its HTTP push sends the FF "JSON over HTTP" event (``numberok.py``: ``plateUTF8``,
``carState`` new / update / lost, ``carID``, ``plateCoordinates``...) as a multipart POST with
the frame and the plate crop, or JSON alone. What marks it as Axis (``docs/protocols.md``
"Axis License Plate Verifier"; Axis developer documentation, "License plate verifier API",
https://developer.axis.com/vapix/applications/license-plate-verifier-api):

* ``camera_info{Brand, ProdShortName, SerialNumber, MACAddress}`` naming an AXIS product, or
* picture references below the application's CGI (``imagesURI`` / ``imageFile`` /
  ``imageFile2`` containing ``/local/fflprapp/``), or
* a ``sensorProviderID`` beginning with ``AXIS``.

:func:`apply_axis_fields` keeps the camera's serial number and the picture paths as extras (the
webhook never fetches them: the pictures come in the same POST).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .models import PlateRead

#: Substring of the ACAP's own URLs (``/local/fflprapp/tools.cgi?action=getImage&name=...``).
ACAP_PATH = "/local/fflprapp/"
_IMAGE_KEYS = ("imagesURI", "imageFile", "imageFile2")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def camera_info(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the event's ``camera_info`` object ({} when absent or not an object)."""
    info = obj.get("camera_info")
    return info if isinstance(info, Mapping) else {}


def is_axis_alpv(obj: Mapping[str, Any]) -> bool:
    """Return True when an FF event object was sent by the AXIS License Plate Verifier."""
    info = camera_info(obj)
    for key in ("Brand", "ProdShortName", "ProdFullName"):
        if _text(info.get(key)).upper().startswith("AXIS"):
            return True
    if any(ACAP_PATH in _text(obj.get(key)) for key in _IMAGE_KEYS):
        return True
    return _text(obj.get("sensorProviderID")).upper().startswith("AXIS")


def apply_axis_fields(read: PlateRead, obj: Mapping[str, Any]) -> None:
    """Copy the Axis extras into ``read.extra``: ``serial``, ``model`` and ``image_paths``.

    Strings only (other types are ignored); each value is cut to 200 characters so a hostile
    push cannot grow the event data.
    """
    info = camera_info(obj)
    serial = _text(info.get("SerialNumber"))[:200]
    model = _text(info.get("ProdShortName"))[:200]
    if serial:
        read.extra["serial"] = serial
    if model:
        read.extra["model"] = model
    paths = [_text(obj.get(key))[:200] for key in _IMAGE_KEYS if _text(obj.get(key))]
    if paths:
        read.extra["image_paths"] = paths


__all__ = ["ACAP_PATH", "apply_axis_fields", "camera_info", "is_axis_alpv"]
