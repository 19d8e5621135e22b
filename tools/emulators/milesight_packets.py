"""Milesight TCP packet encoders: what the camera sends, built for the emulator, tests and benches.

The integration only parses these packets (``custom_components/anpr/protocols/milesight_tcp.py``,
which also holds the ``construct`` layouts used here); building them is the camera's side.
Format: ``docs/protocols.md``, "Milesight TCP (COMM_RECOG_POST)".
"""

from __future__ import annotations

from typing import Any

from custom_components.anpr.protocols import milesight_tcp as ms


def parse_login_request(data: bytes) -> tuple[str, str]:
    """Return ``(id, password)`` from COMM_LOGIN_REQ data. Raises :class:`~custom_components.anpr.protocols.milesight_tcp.MilesightTcpError`."""
    obj = ms.packet_json(data)
    return str(obj.get("id", "")), str(obj.get("password", ""))


def build_metadata(
    *,
    revision: str = "1.6",
    plate: str = "AB12CDE",
    time_ms: int = 1_525_867_890_000,
    device_id: bytes = bytes.fromhex("04f912bbce94654089afe83cd88f70be"),
    vehicle_color: int = 7,
    plate_color: int = 8,
    speed: int = 0,
    image_count: int = 0,
    direction: int = 1,
    region: str = "GBR",
    roi_id: int = 1,
    vehicle_type: int = 1,
    confidence: float = 0.9,
    plate_type: int = 3,
    distance: int = 0,
    azimuth: float = 0.0,
    vehicle_count: int = 0,
    width: int = 1280,
    height: int = 720,
    box: tuple[int, int, int, int] = (473, 93, 676, 135),
) -> bytes:
    """Build a metadata chunk body of ``revision`` (1.0-1.6).

    From 1.3 on the plate goes in the variable field and the obsolescent 16-byte field holds its
    first 16 bytes, as a camera that keeps old NVRs working would send.
    """
    encoded = plate.encode("utf-8")
    values: dict[str, Any] = {
        "guid": device_id,
        "time_ms": time_ms,
        "number_fixed": encoded[:16].ljust(16, b"\x00"),
        "vehicle_color": vehicle_color,
        "plate_color": plate_color,
        "speed": speed,
        "image_count": image_count,
        "direction": direction,
        "region": region.encode()[:32].ljust(32, b"\x00"),
        "roi_id": roi_id,
        "vehicle_type": vehicle_type,
        "confidence": confidence,
        "plate_type": plate_type,
        "distance": distance,
        "azimuth": azimuth,
        "vehicle_count": vehicle_count,
        "width": width,
        "height": height,
        "x1": box[0],
        "y1": box[1],
        "x2": box[2],
        "y2": box[3],
    }
    if revision == "1.0":
        return bytes(ms.REV10.build(values))
    if revision == "1.1":
        return bytes(ms.REV11.build(values))
    out: bytes = bytes(ms.REV12.build(values))
    if revision == "1.2":
        return out
    out += bytes(ms.PLATE_FIELD.build({"plate_len": len(encoded), "number": encoded}))
    tails = {"1.4": ms.REV14_TAIL, "1.5": ms.REV15_TAIL, "1.6": ms.REV16_TAIL}
    if revision in tails:
        out += bytes(tails[revision].build(values))
    elif revision != "1.3":
        raise ValueError(f"unknown revision {revision}")
    return out


def build_chunk(chunk_id: bytes, data: bytes) -> bytes:
    """Return ``chunk_id | len(data) u32 | data``."""
    return bytes(ms.CHUNK_HEADER.build({"chunk_id": chunk_id, "size": len(data)})) + data


def build_recog_post(metadata: bytes, images: list[bytes] | tuple[bytes, ...] = ()) -> bytes:
    """Return a complete COMM_RECOG_POST packet (metadata chunk, then one chunk per image)."""
    data = build_chunk(ms.CHUNK_META, metadata) + b"".join(
        build_chunk(ms.CHUNK_IMAGE, img) for img in images
    )
    return ms.build_packet(ms.Command.RECOG_POST, data)
