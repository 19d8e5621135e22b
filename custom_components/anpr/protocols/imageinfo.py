"""Tiny, allocation-free readers for picture headers (pixel size) and base64 image fields.

Pure module (no Home Assistant import). Used by the push/TCP parsers to tell a plate crop from a
full scene (``docs/protocols.md``, "Quirks every parser accepts", Pictures) and to decode the
base64 pictures Milesight-style cameras put
in JSON. No Pillow: reading a JPEG/PNG header is a few bytes and must not block the event loop.
"""

from __future__ import annotations

import base64
import binascii
import struct

from .models import ProtocolError


class ImageDataError(ProtocolError):
    """A picture field could not be decoded (bad base64, not an image)."""


_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE})


def image_content_type(data: bytes) -> str | None:
    """Return the MIME type guessed from the magic bytes (jpeg, png, bmp, gif), else None."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:2] == b"BM":
        return "image/bmp"
    if data[:4] in (b"GIF8",):
        return "image/gif"
    return None


def image_size(data: bytes, limit: int = 256 * 1024) -> tuple[int, int] | None:
    """Return ``(width, height)`` in pixels read from a JPEG/PNG/BMP header, or None.

    Scans at most ``limit`` bytes of JPEG segments; never raises.
    """
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if data[:2] == b"BM" and len(data) >= 26:
            width, height = struct.unpack("<ii", data[18:26])
            return abs(int(width)), abs(int(height))
        if data[:2] != b"\xff\xd8":
            return None
        pos = 2
        end = min(len(data), limit)
        while pos + 4 <= end:
            if data[pos] != 0xFF:
                pos += 1
                continue
            marker = data[pos + 1]
            if marker == 0xFF:
                pos += 1
                continue
            if marker in (0x01, 0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8):
                pos += 2
                continue
            seg_len = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if marker in _JPEG_SOF and pos + 9 <= len(data):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return int(width), int(height)
            if marker == 0xDA:  # start of scan without a frame header: give up
                return None
            pos += 2 + seg_len
    except (struct.error, IndexError):
        return None
    return None


def decode_base64_image(value: str, max_size: int) -> bytes:
    """Decode a base64 picture (Milesight sends no ``data:`` prefix; one is accepted).

    Whitespace and line breaks inside the text are ignored, as is missing ``=`` padding;
    URL-safe alphabet is accepted. Raises :class:`ImageDataError` for invalid base64, an empty
    result, or a decoded size over ``max_size`` bytes. Never logs or returns partial data.
    """
    text = value.strip()
    if text.startswith("data:"):
        _, sep, text = text.partition(",")
        if not sep:
            raise ImageDataError("data: URL without a comma")
    text = "".join(text.split())
    if not text:
        raise ImageDataError("empty picture")
    if len(text) * 3 // 4 > max_size:
        raise ImageDataError(f"picture over the {max_size} byte cap")
    if "-" in text or "_" in text:
        text = text.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as err:
        raise ImageDataError("invalid base64 picture") from err
    if not data:
        raise ImageDataError("empty picture")
    return data
