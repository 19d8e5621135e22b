"""HTTP pusher: sends plate reads to a webhook in every push format cameras use.

Formats (``docs/protocols.md``, "LPR JSON webhooks (Milesight and generic)", "Plate in the query
string", "NumberOK / FF Group JSON over HTTP" and "HTTP listening"):

* ``milesight_legacy`` — JSON POST, legacy keys, all values strings, base64 pictures;
* ``milesight_new`` — JSON POST, "Data Transmission Post" keys (TS4467 firmware);
* ``query`` — ``GET ?Caption=LPR&description=PLATE`` (``query_spaces``: the vendor doc's
  ``Caption = LPR&description = PLATE`` form, spaces percent-encoded as a camera would);
* ``numberok`` — FF/NumberOK multipart: JSON part ``event`` + full frame + plate crop;
* ``hikvision`` — Hikvision "HTTP listening" multipart: ``anpr.xml`` + ``licensePlatePicture.jpg``;
* ``axis_alpv`` — AXIS License Plate Verifier push: the FF event with ``camera_info`` and the
  ACAP's picture paths, plus frame and plate crop (``state`` new / update / lost).

Use :func:`build_request` to get ``(method, path_suffix, headers, body)`` and :class:`HttpPusher`
to send with aiohttp. CLI: ``python -m tools.emulators.http_pusher --url URL --format numberok``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
from pathlib import Path
import re
import time
from typing import Any
from urllib.parse import quote
import uuid

import aiohttp

from .milesight_tcp import fake_jpeg

FORMATS = (
    "milesight_legacy",
    "milesight_new",
    "query",
    "query_spaces",
    "numberok",
    "hikvision",
    "axis_alpv",
)

Request = tuple[str, str, dict[str, str], bytes]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def milesight_legacy(
    plate: str, direction: str = "Approach", when: float | None = None
) -> dict[str, Any]:
    """Legacy Milesight JSON body (every value a string, base64 pictures without data:)."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when or time.time()))
    return {
        "device": "LPR-Gate-1",
        "time": stamp,
        "plate": plate,
        "type": "Visitor",
        "speed": "-",
        "direction": direction,
        "detection_region": "1",
        "region": "GBR",
        "resolution_width": "1280",
        "resolution_height": "720",
        "coordinate_x1": "473",
        "coordinate_y1": "93",
        "coordinate_x2": "676",
        "coordinate_y2": "135",
        "confidence": "0.70",
        "plate_color": "White",
        "vehicle_type": "Bus",
        "vehicle_color": "White",
        "plate_image": _b64(fake_jpeg(240, 60)),
        "full_image": _b64(fake_jpeg(1280, 720, 256)),
    }


def milesight_new(
    plate: str, direction: str = "Leave", when: float | None = None
) -> dict[str, Any]:
    """Newer "Data Transmission Post" JSON body."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(when or time.time()))
    return {
        "event_type": "Plate Event",
        "device_name": "Network Camera",
        "mac_address": "1C:C3:16:00:00:01",
        "sn": "6221C0000001",
        "time": stamp,
        "detection_region": "1",
        "detection_region_name": "Gate",
        "trigger_line_state": "1",
        "license_plate": plate,
        "plate_confidence": "87",
        "country_region": "GBR",
        "plate_type": "Normal",
        "plate_color": "Yellow",
        "vehicle_type": "Car",
        "vehicle_color": "Blue",
        "vehicle_brand": "Ford",
        "direction": direction,
        "full_snapshot": _b64(fake_jpeg(1920, 1080, 256)),
        "license_plate_snapshot": _b64(fake_jpeg(200, 50)),
        "vehicle_snapshot": _b64(fake_jpeg(640, 480)),
    }


def numberok_event(
    plate: str, car_id: str = "72006", state: str = "new", direction: str = "in"
) -> dict[str, Any]:
    """FF/NumberOK event JSON (slide example shape; all scalars strings, plateText escaped)."""
    escaped = "".join(f"\\u{ord(c):04x}" for c in plate)
    now = time.gmtime()
    stamp = time.strftime("%Y%m%d %H%M%S", now) + "000"
    return {
        "packetCounter": "25523",
        "datetime": stamp,
        "plateText": escaped,
        "plateUnicode": plate,
        "plateASCII": plate,
        "plateCountry": "GBR",
        "plateConfidence": "0.719640",
        "carState": state,
        "geotag": {"lat": 50.418114, "lon": 30.476213},
        "imageType": "plate",
        "plateImageType": "jpeg",
        "plateImageSize": "0",
        "carMoveDirection": direction,
        "timeProcessing": "411",
        "plateCoordinates": [480, 270, 216, 30],
        "carID": car_id,
        "sensorProviderID": "CAM_00166CC39D44",
    }


def axis_alpv_event(
    plate: str, car_id: str = "123", state: str = "new", direction: str = "unk"
) -> dict[str, Any]:
    """AXIS License Plate Verifier push event: FF fields plus ``camera_info`` and the ACAP's
    picture paths (Axis "License plate verifier API"; our own values)."""
    event = numberok_event(plate, car_id=car_id, state=state, direction=direction)
    event["sensorProviderID"] = "AXIS P1455-LE-3"
    name = f"{car_id}_{state}"
    event["imagesURI"] = f"/local/fflprapp/tools.cgi?action=getImage&name={name}.jpg"
    event["camera_info"] = {
        "Brand": "AXIS",
        "ProdShortName": "AXIS P1455-LE-3",
        "SerialNumber": "B8A44F000001",
        "MACAddress": "B8:A4:4F:00:00:01",
    }
    return event


def multipart(parts: list[tuple[str, str, str | None, bytes]], boundary: str) -> bytes:
    """Build a multipart body from ``(name, content_type, filename, data)`` tuples."""
    out = bytearray()
    for name, ctype, filename, data in parts:
        disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disp}\r\nContent-Type: {ctype}\r\n".encode()
        out += f"Content-Length: {len(data)}\r\n\r\n".encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def hikvision_xml(plate: str, direction: str = "forward") -> bytes:
    """A Hikvision ``EventNotificationAlert`` ANPR XML announcing one plate picture."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
<ipAddress>127.0.0.1</ipAddress>
<channelID>1</channelID>
<dateTime>{now}</dateTime>
<activePostCount>1</activePostCount>
<eventType>ANPR</eventType>
<eventState>active</eventState>
<eventDescription>ANPR</eventDescription>
<ANPR>
<country>3</country>
<licensePlate>{plate}</licensePlate>
<line>1</line>
<direction>{direction}</direction>
<confidenceLevel>96</confidenceLevel>
<plateType>unknown</plateType>
<plateColor>yellow</plateColor>
<pictureInfoList>
<pictureInfo><fileName>licensePlatePicture.jpg</fileName><type>licensePlatePicture</type></pictureInfo>
</pictureInfoList>
</ANPR>
<UUID>{uuid.uuid4()}</UUID>
<picNum>1</picNum>
</EventNotificationAlert>
""".encode()


def build_request(fmt: str, plate: str, **kwargs: Any) -> Request:
    """Return ``(method, query_suffix, headers, body)`` for one read in ``fmt``."""
    if fmt == "milesight_legacy":
        body = json.dumps(milesight_legacy(plate, **kwargs)).encode()
        return "POST", "", {"Content-Type": "application/json"}, body
    if fmt == "milesight_new":
        body = json.dumps(milesight_new(plate, **kwargs)).encode()
        return "POST", "", {"Content-Type": "application/json"}, body
    if fmt == "query":
        return "GET", f"?Caption=LPR&description={quote(plate)}", {}, b""
    if fmt == "query_spaces":
        return "GET", f"?Caption%20=%20LPR&description%20=%20{quote(plate)}", {}, b""
    if fmt in ("numberok", "axis_alpv"):
        boundary = f"ff{uuid.uuid4().hex}"
        maker = numberok_event if fmt == "numberok" else axis_alpv_event
        event = json.dumps(maker(plate, **kwargs)).encode()
        body = multipart(
            [
                ("event", "application/json", None, event),
                ("image", "image/jpeg", "frame.jpg", fake_jpeg(1920, 1080, 256)),
                ("image2", "image/jpeg", "lp.jpg", fake_jpeg(216, 30)),
            ],
            boundary,
        )
        return "POST", "", {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body
    if fmt == "hikvision":
        boundary = "MIME_boundary"
        body = multipart(
            [
                ("anpr.xml", "application/xml", "anpr.xml", hikvision_xml(plate, **kwargs)),
                (
                    "licensePlatePicture.jpg",
                    "image/jpeg",
                    "licensePlatePicture.jpg",
                    fake_jpeg(240, 60),
                ),
            ],
            boundary,
        )
        return "POST", "", {"Content-Type": f"multipart/form-data; boundary={boundary}"}, body
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


class HttpPusher:
    """Sends reads to ``url`` with an aiohttp session (created on demand, closed by close())."""

    def __init__(self, url: str, session: aiohttp.ClientSession | None = None) -> None:
        """Target webhook URL."""
        self.url = url
        self._session = session
        self._own = session is None

    async def push(self, fmt: str, plate: str, **kwargs: Any) -> tuple[int, str]:
        """Send one read; return ``(status, body text)``."""
        method, suffix, headers, body = build_request(fmt, plate, **kwargs)
        return await self.send(method, suffix, headers, body)

    async def send(
        self, method: str, suffix: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str]:
        """Send a raw request to ``url + suffix``."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.request(
            method, self.url + suffix, headers=headers, data=body or None
        ) as resp:
            return resp.status, await resp.text()

    async def close(self) -> None:
        """Close the session if we created it."""
        if self._own and self._session is not None:
            await self._session.close()
            self._session = None


def discover_webhook_url(config_dir: Path, camera: str) -> str | None:
    """Return the webhook URL of the ``http_push`` camera titled ``camera`` in a HA config dir.

    Reads ``configuration.yaml`` (``server_port``) and ``.storage/core.config_entries`` (the
    camera subentry's ``webhook_id``); None until both exist. Used by ``scripts/develop``.
    """
    try:
        yaml_text = (config_dir / "configuration.yaml").read_text()
        storage = json.loads((config_dir / ".storage" / "core.config_entries").read_text())
    except (OSError, ValueError):
        return None
    port = re.search(r"server_port:\s*(\d+)", yaml_text)
    for entry in storage.get("data", {}).get("entries", []):
        for sub in entry.get("subentries", []):
            data = sub.get("data", {})
            if sub.get("title") == camera and data.get("webhook_id"):
                return f"http://127.0.0.1:{port.group(1) if port else 8123}/api/webhook/" + str(
                    data["webhook_id"]
                )
    return None


async def _main(args: argparse.Namespace) -> None:
    url = args.url
    while url is None:
        url = discover_webhook_url(Path(args.hass_config), args.camera)
        if url is None:
            await asyncio.sleep(2)
    print(f"pushing to {url}", flush=True)
    pusher = HttpPusher(url)
    plates = args.plates.split(",")
    try:
        for index in itertools.count():
            if args.count and index >= args.count:
                break
            fmt = args.format if args.format != "all" else FORMATS[index % len(FORMATS)]
            plate = plates[index % len(plates)]
            try:
                status, text = await pusher.push(fmt, plate)
            except aiohttp.ClientError as err:
                print(f"{fmt} {plate} -> {err}", flush=True)
            else:
                print(f"{fmt} {plate} -> {status} {text.strip()}", flush=True)
            await asyncio.sleep(args.interval)
    finally:
        await pusher.close()


def main() -> None:
    """Run the pusher from the command line."""
    parser = argparse.ArgumentParser(description="Push plate reads to a webhook")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="webhook URL")
    target.add_argument("--hass-config", help="HA config dir to find the webhook URL in")
    parser.add_argument("--camera", default="Webhook", help="camera title (with --hass-config)")
    parser.add_argument("--format", default="all", choices=(*FORMATS, "all"))
    parser.add_argument("--plates", default="AB12CDE,KM19XYZ")
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--count", type=int, default=0, help="0 = forever")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
