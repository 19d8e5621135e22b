"""Hostile and broken input from outside, through every source kind's real socket or webhook.

The parsers are fuzzed, but input also arrives as a new user or an attacker on the LAN would
send it. Each row of the table below is sent to a running hub through the kind's real
path (webhook over HTTP, TCP socket, alertStream, RTSP metadata stream, watched folder), then
one good read. For every row the test asserts:

* no traceback and no ERROR record in the log (ours or Home Assistant's);
* the HTTP status, where the path is HTTP;
* nothing hostile reached the user: every event, state and history row holds only the good
  plates (and a kept read's fixed time), events stay far below the recorder's 32 KB, and a
  picture entity serves only pictures that decode;
* the next good read arrives.

Finally, hypothesis drives the http_push webhook end to end through aiohttp's test client.
Each row prints one ``OUTCOME`` line (``pytest -s``) with what was answered and logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import io
import json
import logging
from pathlib import Path
import secrets
import socket
import struct
from typing import Any
from xml.sax.saxutils import escape
import zlib
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from hypothesis import HealthCheck, given, settings, strategies as st
from PIL import Image
import pytest

from custom_components.anpr.core.validation import (
    MAX_PLATE_LEN,
    MAX_SEARCH_LEN,
    plate_problem,
)
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.sources import (
    folder as folder_source,
    hikvision as hik,
    milesight_tcp as ms_source,
    onvif as onvif_source,
)
from tools.emulators import http_pusher
from tools.emulators.hikvision import HikvisionEmulator
from tools.emulators.milesight_tcp import MilesightCamera, fake_jpeg
from tools.emulators.nvr_text import NvrTextSender
from tools.emulators.onvif import OnvifCameraEmulator, Plate, metadata_document

from .helpers import PlateEvents, async_add_camera, async_setup_hub

pytestmark = pytest.mark.enable_socket

GOOD_JPEG = fake_jpeg(640, 360, 128)


def bomb_png(width: int = 30_000, height: int = 20_000) -> bytes:
    """A 100-byte PNG whose header claims 600 million pixels (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


#: Pictures that must never be served: what each picture row attaches to a read.
BAD_PICTURES: dict[str, bytes] = {
    "truncated_picture": GOOD_JPEG[:300],  # a JPEG start, then nothing
    "not_a_picture": b"<html>this is not a picture</html>" * 4,
    "bomb_picture": bomb_png(),
}

#: An XML document with an internal DTD (entity expansion: "billion laughs").
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<EventNotificationAlert><ANPR><licensePlate>&lol3;</licensePlate></ANPR>"
    b"</EventNotificationAlert>"
)
DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000

#: Plate texts that must never be shown (the plate rows of the table).
BAD_PLATES: dict[str, str] = {
    "huge_plate": "A" * 100_000,
    "long_plate": "AB12CDE" * 3,  # 21 characters: longer than any real plate
    "empty_plate": " - . - ",
    "control_chars": "AB\x07\x1bCD",
    "invisible_chars": "AB\u200b\u202eCD",  # zero-width space, right-to-left override
    "markup_plate": "<b>X</b>",
}
#: Which plate rows each kind can carry on its wire (XML cannot hold C0 control characters).
TEXT_PLATES = ("huge_plate", "long_plate", "empty_plate", "invisible_chars", "markup_plate")

PAST = timedelta(days=30)
FUTURE = timedelta(days=10)


# --------------------------------------------------------------------------- checking


@dataclass
class Outcome:
    """What one row produced (printed for the closing note)."""

    kind: str
    case: str
    status: int | None = None
    kept: str | None = None


def _our_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()[:140]
        for r in caplog.records
        if r.name.startswith("custom_components.anpr") and r.levelno >= logging.WARNING
    ]


def _assert_no_errors(caplog: pytest.LogCaptureFixture) -> None:
    bad = [
        f"{r.name} {r.levelname}: {r.getMessage()[:200]}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or (r.exc_info and r.levelno >= logging.WARNING)
    ]
    assert not bad, bad
    # Tracebacks only at debug level (a parser bug, for whoever turns debug logging on).
    assert not any(
        "Traceback" in r.getMessage() for r in caplog.records if r.levelno >= logging.INFO
    )


def _plate_ok(plate: Any) -> bool:
    return isinstance(plate, str) and plate_problem(plate) is None


async def _check_shown(
    hass: HomeAssistant, entry: Any, events: PlateEvents, good: set[str], client: Any
) -> None:
    """Nothing hostile in events, states, history or pictures; only ``good`` plates shown."""
    for event in events.events:
        assert event["plate"] in good, event["plate"][:80]
        assert len(json.dumps(event)) < 4096
        received = datetime.fromisoformat(event["time"])
        assert datetime.now(UTC) - timedelta(days=8) < received < datetime.now(UTC) + timedelta(
            days=2
        )
    for state in hass.states.async_all():
        if not state.entity_id.split(".", 1)[1].startswith("gate"):
            continue
        assert len(state.state) <= 255
        for value in state.attributes.values():
            assert len(str(value)) < 4096
        assert "AAAAAAAAAAAAAAAAAAAA" not in str(state.as_dict())
        assert "<b>" not in str(state.as_dict())
    found = await hass.services.async_call(
        "anpr", "search_sightings", {"limit": 500}, blocking=True, return_response=True
    )
    assert found is not None
    rows: list[dict[str, Any]] = found["sightings"]  # type: ignore[assignment]
    assert {row["plate"] for row in rows} <= good
    assert all(_plate_ok(row["read_plate"]) for row in rows)
    for entity_id in hass.states.async_entity_ids("image"):
        state = hass.states.get(entity_id)
        assert state is not None
        if state.state in ("unknown", "unavailable"):
            continue
        # The picture a dashboard gets (/api/image_proxy): a whole picture, not a broken one.
        resp = await client.get(
            f"/api/image_proxy/{entity_id}?token={state.attributes['access_token']}"
        )
        assert resp.status == 200
        with Image.open(io.BytesIO(await resp.read())) as picture:
            picture.load()


async def _until(check: Callable[[], bool], within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110 - state changes come from other sockets
            await asyncio.sleep(0.02)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- drivers
#
# A driver starts one camera of its kind in a running hub and sends reads over the kind's real
# path: ``good(plate)`` a normal read, ``hostile(case)`` one row of the table (returning the
# HTTP status where there is one) and ``kept(case)`` the plate of a row whose read must still
# arrive (a bad picture or camera time: the read is kept, only the bad part goes).


class Driver:
    """Base: the hub, the event collector and the rows this kind's wire can carry."""

    kind = ""
    cases: dict[str, int | None] = {}
    kept_cases: tuple[str, ...] = ()

    def __init__(self, hass: HomeAssistant, ctx: dict[str, Any]) -> None:
        self.hass = hass
        self.ctx = ctx
        self.entry: Any = None
        self.events: PlateEvents = PlateEvents(hass)

    async def start(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        if self.entry is not None:
            assert await self.hass.config_entries.async_unload(self.entry.entry_id)
            # Removed, so the next hub in the same test gets the same entity ids.
            await self.hass.config_entries.async_remove(self.entry.entry_id)

    async def good(self, plate: str) -> int | None:
        raise NotImplementedError

    async def hostile(self, case: str, plate: str) -> int | None:
        raise NotImplementedError


def _milesight_json(plate: Any, when: float | None = None, picture: bytes | None = None) -> bytes:
    body: dict[str, Any] = http_pusher.milesight_new("X", when=when)
    body["license_plate"] = plate
    if picture is not None:
        body["full_snapshot"] = http_pusher._b64(picture)
    return json.dumps(body).encode()


class HttpPushDriver(Driver):
    """``http_push``: the camera's webhook over a real HTTP socket (aiohttp test client)."""

    kind = "http_push"
    cases = {
        **dict.fromkeys(("huge_plate", "long_plate", "empty_plate", "control_chars"), 400),
        **dict.fromkeys(("invisible_chars", "markup_plate", "lone_surrogate"), 400),
        "wrong_types": 200,  # the plate object reads as "no plate": answered, nothing shown
        "deep_json": 400,
        "deep_object": 400,
        "xml_dtd": 400,
        "oversize_body": 413,
        "garbage_body": 400,
        "not_utf8": 400,
        "slow_sender": 200,
        **dict.fromkeys((*BAD_PICTURES, "time_past", "time_future"), 200),
    }
    kept_cases = (*BAD_PICTURES, "time_past", "time_future", "slow_sender")

    async def start(self) -> None:
        self.entry = await async_setup_hub(self.hass)
        sub_id = await async_add_camera(
            self.hass,
            self.entry,
            "http_push",
            {"name": "Gate", "repeat_window": 0, "max_body_mb": 1},
        )
        webhook_id = self.entry.subentries[sub_id].data["webhook_id"]
        self.client = await self.ctx["hass_client_no_auth"]()
        self.path = f"/api/webhook/{webhook_id}"

    async def post(self, body: Any, content_type: str = "application/json") -> int:
        resp = await self.client.post(self.path, data=body, headers={"Content-Type": content_type})
        await resp.read()
        return int(resp.status)

    async def good(self, plate: str) -> int | None:
        return await self.post(_milesight_json(plate))

    async def hostile(self, case: str, plate: str) -> int | None:
        if case in BAD_PLATES:
            return await self.post(_milesight_json(BAD_PLATES[case]))
        if case == "lone_surrogate":
            return await self.post(b'{"license_plate": "AB\\ud800CD", "time": "x"}')
        if case == "wrong_types":
            body = {"license_plate": {"nested": ["AB12CDE"]}, "plate_confidence": "lots",
                    "time": 12, "direction": [1], "full_snapshot": 7}  # fmt: skip
            return await self.post(json.dumps(body).encode())
        if case == "deep_json":
            return await self.post(DEEP_JSON)
        if case == "deep_object":
            return await self.post(DEEP_OBJECT)
        if case == "xml_dtd":
            content_type, body = HikvisionEmulator().listening_body("XMLDTD1")
            body = body.replace(body[body.index(b"<?xml") : body.index(b"\r\n--boundary")],
                                BILLION_LAUGHS)  # fmt: skip
            return await self.post(body, content_type)
        if case == "oversize_body":
            return await self.post(b'{"license_plate": "' + b"A" * 1_100_000 + b'"}')
        if case == "garbage_body":
            return await self.post(bytes(range(256)) * 8, "application/octet-stream")
        if case == "not_utf8":
            return await self.post(b'{"license_plate": "\xff\xfe\xfd"}')
        if case == "slow_sender":
            data = _milesight_json(plate)

            async def trickle() -> AsyncIterator[bytes]:
                for pos in range(0, len(data), 512):
                    yield data[pos : pos + 512]
                    await asyncio.sleep(0)

            return await self.post(trickle())
        if case in BAD_PICTURES:
            return await self.post(_milesight_json(plate, picture=BAD_PICTURES[case]))
        shift = -PAST if case == "time_past" else FUTURE
        return await self.post(
            _milesight_json(plate, when=(datetime.now(UTC) + shift).timestamp())
        )


class HikvisionListeningDriver(Driver):
    """``hikvision`` in HTTP-listening mode: the camera POSTs to the integration's webhook."""

    kind = "hikvision_listening"
    cases = {
        **dict.fromkeys(TEXT_PLATES, 400),
        "xml_dtd": 400,
        "deep_json": 400,
        "oversize_body": 413,
        "garbage_body": 400,
        **dict.fromkeys((*BAD_PICTURES, "time_past", "time_future"), 200),
    }
    kept_cases = (*BAD_PICTURES, "time_past", "time_future")

    async def start(self) -> None:
        self.emu = HikvisionEmulator()
        await self.emu.start()
        assert await async_setup_component(self.hass, "http", {})
        self.entry = await async_setup_hub(self.hass)
        self.ctx["monkeypatch"].setattr(hik, "MAX_WEBHOOK_BODY", 1_000_000)
        camera_id = await async_add_camera(
            self.hass, self.entry, "hikvision", _hik_data(self.emu, mode="listening")
        )
        client = await self.ctx["aiohttp_client"](self.hass.http.app)
        self.url = str(
            client.make_url(f"/api/webhook/{self.entry.subentries[camera_id].data['webhook_id']}")
        )

    async def stop(self) -> None:
        await super().stop()
        await self.emu.stop()

    async def good(self, plate: str) -> int | None:
        return await self.emu.post_event(self.url, plate)

    async def hostile(self, case: str, plate: str) -> int | None:
        emu = self.emu
        if case in BAD_PLATES:
            return await emu.post_event(self.url, escape(BAD_PLATES[case]))
        if case == "xml_dtd":
            return await emu.post_event(self.url, "", body=BILLION_LAUGHS,
                                        content_type="application/xml")  # fmt: skip
        if case == "deep_json":
            return await emu.post_event(self.url, "", body=DEEP_JSON,
                                        content_type="application/json")  # fmt: skip
        if case == "oversize_body":
            return await emu.post_event(self.url, "", body=b"<x>" * 400_000,
                                        content_type="application/xml")  # fmt: skip
        if case == "garbage_body":
            return await emu.post_event(self.url, "", body=bytes(range(256)) * 8,
                                        content_type="multipart/form-data; boundary=x")  # fmt: skip
        if case in BAD_PICTURES:
            good_jpeg, emu.jpeg = emu.jpeg, BAD_PICTURES[case]
            try:
                return await emu.post_event(self.url, plate)
            finally:
                emu.jpeg = good_jpeg
        when = datetime.now(UTC) + (-PAST if case == "time_past" else FUTURE)
        xml = emu.anpr_xml(plate, when=when, pictures=())
        return await emu.post_event(self.url, "", body=xml, content_type="application/xml")


def _hik_data(emu: HikvisionEmulator, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Gate", "host": "127.0.0.1", "port": emu.port, "ssl": False,
        "verify_ssl": True, "username": emu.username, "password": emu.password, "channel": 1,
        "mode": "arming", "configure_http_host": False, "catch_up": False, "repeat_window": 0,
        "min_confidence": 0, "direction_mode": "as_reported",
    } | overrides  # fmt: skip


class HikvisionStreamDriver(Driver):
    """``hikvision`` in arming mode: reads on the camera's alertStream (multipart over HTTP)."""

    kind = "hikvision_stream"
    cases = dict.fromkeys(
        (*TEXT_PLATES, "xml_dtd", "deep_json", "garbage_between_frames", "slow_sender",
         *BAD_PICTURES, "time_past", "time_future"),
        None,
    )  # fmt: skip
    kept_cases = (*BAD_PICTURES, "time_past", "time_future", "slow_sender")

    async def start(self) -> None:
        mp = self.ctx["monkeypatch"]
        mp.setattr(hik, "BACKOFF_MIN", 0.05)
        mp.setattr(hik, "BACKOFF_MAX", 0.2)
        mp.setattr(hik, "PICTURE_WAIT", 0.3)
        self.emu = HikvisionEmulator()
        await self.emu.start()
        self.entry = await async_setup_hub(self.hass)
        await async_add_camera(self.hass, self.entry, "hikvision", _hik_data(self.emu))
        await _until(lambda: _state(self.hass, "binary_sensor.gate_connectivity") == "on")

    async def stop(self) -> None:
        await super().stop()
        await self.emu.stop()

    async def good(self, plate: str) -> int | None:
        await self.emu.push_anpr(plate)
        return None

    async def hostile(self, case: str, plate: str) -> int | None:
        emu = self.emu
        if case in BAD_PLATES:
            await emu.push_anpr(escape(BAD_PLATES[case]))
        elif case == "xml_dtd":
            await emu.push_part('application/xml; charset="UTF-8"', BILLION_LAUGHS)
        elif case == "deep_json":
            await emu.push_part("application/json", DEEP_JSON)
        elif case == "garbage_between_frames":
            await emu.push_raw(b"\r\n\x00\xff\xfegarbage between parts\r\n--nope\r\n" * 20)
        elif case == "slow_sender":
            uuid = secrets.token_hex(16)
            data = emu._anpr_part(plate, "forward", 95, uuid, None, ("detectionPicture.jpg",))
            for pos in range(0, len(data), 700):
                await emu.push_raw(data[pos : pos + 700])
        elif case in BAD_PICTURES:
            good_jpeg, emu.jpeg = emu.jpeg, BAD_PICTURES[case]
            try:
                await emu.push_anpr(plate, pictures=("detectionPicture.jpg",))
            finally:
                emu.jpeg = good_jpeg
        else:
            when = datetime.now(UTC) + (-PAST if case == "time_past" else FUTURE)
            uuid = secrets.token_hex(16)
            await emu.push_raw(emu._anpr_part(plate, "forward", 95, uuid, None, (), when=when))
        return None


class NvrTextDriver(Driver):
    """``nvr_text``: the listener's TCP port, fed by the NVR-text sender emulator."""

    kind = "nvr_text"
    cases = dict.fromkeys(
        (*BAD_PLATES, "oversize_read", "not_ascii", "garbage_between_frames", "slow_sender"), None
    )
    kept_cases = ("slow_sender",)

    async def start(self) -> None:
        port = _free_port()
        self.entry = await async_setup_hub(self.hass)
        await async_add_camera(
            self.hass,
            self.entry,
            "nvr_text",
            {"name": "Gate", "host": "127.0.0.1", "port": port, "start_string": "<LPR>",
             "end_string": "</LPR>", "encoding": "US-ASCII", "idle_timeout": 300,
             "max_connections": 4, "repeat_window": 0},
        )
        self.sender = NvrTextSender(port=port)

    async def stop(self) -> None:
        await self.sender.close()
        await super().stop()

    async def good(self, plate: str) -> int | None:
        await self.sender.send(plate)
        return None

    async def hostile(self, case: str, plate: str) -> int | None:
        sender = self.sender
        if case in BAD_PLATES:
            text = BAD_PLATES[case].encode("ascii", "replace")
            await sender.write(b"<LPR>" + text + b"</LPR>")
        elif case == "oversize_read":
            await sender.write(b"<LPR>" + b"X" * 50_000 + b"</LPR>")
        elif case == "not_ascii":
            await sender.write(b"<LPR>\xff\xfe\x00\x80</LPR>")
        elif case == "garbage_between_frames":
            await sender.write(b"\x00\xff garbage </LPR> <LP <LPR" + bytes(range(256)))
        else:  # slow_sender: one byte per write
            for byte in sender.frame(plate):
                await sender.write(bytes([byte]))
        return None


class MilesightDriver(Driver):
    """``milesight_tcp``: the integration connects to the camera emulator's TCP port."""

    kind = "milesight_tcp"
    cases = dict.fromkeys(
        (*BAD_PLATES, "garbage_between_frames", "oversize_packet", "slow_sender",
         *BAD_PICTURES, "time_past", "time_future"),
        None,
    )  # fmt: skip
    kept_cases = (*BAD_PICTURES, "time_past", "time_future", "slow_sender")

    async def start(self) -> None:
        mp = self.ctx["monkeypatch"]
        mp.setattr(ms_source.MilesightTcpSource, "backoff_initial", 0.05)
        mp.setattr(ms_source.MilesightTcpSource, "backoff_max", 0.2)
        mp.setattr(ms_source.MilesightTcpSource, "stall_timeout", 0.2)
        self.cam = MilesightCamera(password="1234")
        await self.cam.start()
        self.entry = await async_setup_hub(self.hass)
        await async_add_camera(
            self.hass,
            self.entry,
            "milesight_tcp",
            {"name": "Gate", "host": "127.0.0.1", "port": self.cam.port, "username": "admin",
             "password": "1234", "repeat_window": 0},
        )
        await _until(lambda: _state(self.hass, "binary_sensor.gate_connectivity") == "on")

    async def stop(self) -> None:
        await super().stop()
        await self.cam.stop()

    async def good(self, plate: str) -> int | None:
        await self.cam.send_read(plate, images=(GOOD_JPEG,))
        return None

    async def hostile(self, case: str, plate: str) -> int | None:
        cam = self.cam
        if case in BAD_PLATES:
            await cam.send_read(BAD_PLATES[case][:255])  # the plate field holds 255 bytes
        elif case == "garbage_between_frames":
            await cam.inject(b"\xcc\xfe garbage \x00\xff" * 50 + bytes(range(256)))
        elif case == "oversize_packet":
            await cam.inject(cam.oversize_header())
        elif case == "slow_sender":
            packet = cam.recog_packet(plate, images=(GOOD_JPEG,))
            for pos in range(0, len(packet), 97):
                await cam.inject(packet[pos : pos + 97])
        elif case in BAD_PICTURES:
            await cam.send_read(plate, images=(BAD_PICTURES[case],))
        else:
            when = datetime.now(UTC) + (-PAST if case == "time_past" else FUTURE)
            await cam.send_read(plate, time_ms=int(when.timestamp() * 1000))
        return None


class OnvifDriver(Driver):
    """``onvif``: the camera's RTSP metadata stream and its picture URLs (emulator)."""

    kind = "onvif"
    cases = dict.fromkeys(
        (*TEXT_PLATES, "xml_dtd", "garbage_document", *BAD_PICTURES, "time_past",
         "time_future"),
        None,
    )  # fmt: skip
    kept_cases = (*BAD_PICTURES, "time_past", "time_future")

    async def start(self) -> None:
        mp = self.ctx["monkeypatch"]
        mp.setattr(onvif_source, "BACKOFF_MIN", 0.1)
        mp.setattr(onvif_source, "BACKOFF_MAX", 0.4)
        self.emu = OnvifCameraEmulator(chunk_size=48)
        self.emu.picture = GOOD_JPEG
        await self.emu.start()
        self.entry = await async_setup_hub(self.hass)
        await async_add_camera(
            self.hass,
            self.entry,
            onvif_source.KIND,
            {"name": "Gate", "host": "127.0.0.1", "port": self.emu.http_port,
             "username": "admin", "password": "secret", "mode": "auto", "repeat_window": 0},
        )  # fmt: skip
        await self.emu.wait_playing()

    async def stop(self) -> None:
        await super().stop()
        await self.emu.stop()

    async def good(self, plate: str) -> int | None:
        self.emu.send_plate(plate, fmt="hikvision")
        return None

    async def hostile(self, case: str, plate: str) -> int | None:
        emu = self.emu
        if case in BAD_PLATES:
            emu.send_plate(BAD_PLATES[case], fmt="hikvision", picture=False)
        elif case == "xml_dtd":
            emu.send_document(BILLION_LAUGHS)
        elif case == "garbage_document":
            emu.send_document(bytes(range(256)) * 4)
        elif case in BAD_PICTURES:
            good_picture, emu.picture = emu.picture, BAD_PICTURES[case]
            before = emu.stats.pictures_served
            emu.send_plate(plate, fmt="hikvision")
            await _until(lambda: emu.stats.pictures_served > before)
            emu.picture = good_picture
        else:
            when = datetime.now(UTC) + (-PAST if case == "time_past" else FUTURE)
            item = Plate(plate=plate, fmt="hikvision", when=when)
            emu.send_document(metadata_document(item, emu.http_host))
        return None


class DahuaDriver(Driver):
    """``dahua``: the camera's snapManager stream (multipart text events + pictures)."""

    kind = "dahua"
    cases = dict.fromkeys(
        (*BAD_PLATES, "garbage_between_frames", "broken_event_text", "slow_sender",
         *BAD_PICTURES, "time_past", "time_future"),
        None,
    )  # fmt: skip
    kept_cases = (*BAD_PICTURES, "time_past", "time_future", "slow_sender")

    async def start(self) -> None:
        from custom_components.anpr.sources import dahua as dahua_source  # noqa: PLC0415
        from tools.emulators.dahua import DahuaEmulator  # noqa: PLC0415

        mp = self.ctx["monkeypatch"]
        mp.setattr(dahua_source, "BACKOFF_MIN", 0.05)
        mp.setattr(dahua_source, "BACKOFF_MAX", 0.2)
        mp.setattr(dahua_source, "PICTURE_WAIT", 0.3)
        self.emu = DahuaEmulator()
        await self.emu.start()
        self.entry = await async_setup_hub(self.hass)
        await async_add_camera(
            self.hass,
            self.entry,
            "dahua",
            {"name": "Gate", "host": "127.0.0.1", "port": self.emu.port, "ssl": False,
             "verify_ssl": True, "username": self.emu.username, "password": self.emu.password,
             "channel": 1, "obverse_direction": "in", "fetch_snapshot": True,
             "repeat_window": 0, "min_confidence": 0, "direction_mode": "as_reported"},
        )  # fmt: skip
        await _until(lambda: _state(self.hass, "binary_sensor.gate_connectivity") == "on")

    async def stop(self) -> None:
        await super().stop()
        await self.emu.stop()

    async def good(self, plate: str) -> int | None:
        await self.emu.push_event(plate)
        return None

    async def hostile(self, case: str, plate: str) -> int | None:
        from tools.emulators.dahua import SNAP  # noqa: PLC0415

        emu = self.emu
        if case in BAD_PLATES:
            await emu.push_event(BAD_PLATES[case], picture=False)
        elif case == "garbage_between_frames":
            await emu.push_raw(b"\r\n\x00\xff garbage --myboundary\r\n" * 20)
        elif case == "broken_event_text":
            await emu.push_part("text/plain", b"Events[0].=\xff\x00\nEvents[x" * 50)
        elif case == "slow_sender":
            data = emu.event_bytes(SNAP, plate)
            for pos in range(0, len(data), 500):
                await emu.push_raw(data[pos : pos + 500])
        elif case in BAD_PICTURES:
            good_jpeg, emu.jpeg = emu.jpeg, BAD_PICTURES[case]
            try:
                await emu.push_event(plate)
            finally:
                emu.jpeg = good_jpeg
        else:
            when = datetime.now(UTC) + (-PAST if case == "time_past" else FUTURE)
            await emu.push_event(plate, when=when)
        return None


LONDON = ZoneInfo("Europe/London")


def _stamp(when: datetime) -> str:
    return when.astimezone(LONDON).strftime("%Y%m%d%H%M%S%f")[:17]


class FolderDriver(Driver):
    """``folder``: pictures written into the watched folder (inotify)."""

    kind = "folder"
    cases = dict.fromkeys(
        ("long_plate", "empty_plate", "control_chars", "invisible_chars", "markup_plate",
         "huge_name", *BAD_PICTURES, "time_past", "time_future"),
        None,
    )  # fmt: skip
    kept_cases = ("time_past", "time_future")

    async def start(self) -> None:
        tmp: Path = self.ctx["tmp_path"]
        self.folder = tmp / "ftp"
        self.folder.mkdir()
        self.hass.config.allowlist_external_dirs = {str(tmp)}
        self.entry = await async_setup_hub(self.hass)
        await async_add_camera(
            self.hass,
            self.entry,
            folder_source.KIND,
            {"name": "Gate", "path": str(self.folder), "time_zone": "Europe/London",
             "repeat_window": 0},
        )  # fmt: skip

    async def write(self, name: str, data: bytes) -> None:
        await self.hass.async_add_executor_job((self.folder / name).write_bytes, data)

    async def good(self, plate: str) -> int | None:
        await self.write(f"{_stamp(datetime.now(UTC))}_{plate}_VEHICLE_DETECTION.jpg", GOOD_JPEG)
        return None

    async def hostile(self, case: str, plate: str) -> int | None:
        now = _stamp(datetime.now(UTC))
        if case in BAD_PLATES:
            plate = BAD_PLATES[case].replace("/", "")  # a file name holds no slash
            await self.write(f"{now}_{plate}_VEHICLE_DETECTION.jpg", GOOD_JPEG)
        elif case == "huge_name":
            await self.write(f"{now}_{'A' * 200}_VEHICLE_DETECTION.jpg", GOOD_JPEG)
        elif case in BAD_PICTURES:
            await self.write(f"{now}_{plate}_VEHICLE_DETECTION.jpg", BAD_PICTURES[case])
        else:
            when = datetime.now(UTC) + (-PAST if case == "time_past" else FUTURE)
            await self.write(f"{_stamp(when)}_{plate}_VEHICLE_DETECTION.jpg", GOOD_JPEG)
        return None


def _state(hass: HomeAssistant, entity_id: str) -> str | None:
    current = hass.states.get(entity_id)
    return current.state if current else None


DRIVERS: dict[str, type[Driver]] = {
    d.kind: d
    for d in (HttpPushDriver, HikvisionListeningDriver, HikvisionStreamDriver, NvrTextDriver,
              MilesightDriver, OnvifDriver, FolderDriver, DahuaDriver)
}
TABLE = [
    pytest.param(kind, case, id=f"{kind}-{case}")
    for kind, driver in DRIVERS.items()
    for case in driver.cases
]

#: What the validation step logs for the rows it handles (other rows: the parser's message).
EXPECTED_LOG = {
    "time_past": "using the time the read arrived",
    "time_future": "using the time the read arrived",
    "long_plate": "longer than a real plate",
    "empty_plate": "empty after removing separators",
    "invisible_chars": "neither letters nor digits",
    "markup_plate": "neither letters nor digits",
}


@pytest.mark.parametrize(("kind", "case"), TABLE)
async def test_hostile_input_through_the_real_path(
    hass: HomeAssistant,
    hass_client_no_auth: Any,
    aiohttp_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    case: str,
) -> None:
    """One row: hostile input through the kind's real path, then a good read."""
    ctx = {"hass_client_no_auth": hass_client_no_auth, "aiohttp_client": aiohttp_client,
           "monkeypatch": monkeypatch, "tmp_path": tmp_path, "pictures": 0}  # fmt: skip
    driver = DRIVERS[kind](hass, ctx)
    await driver.start()
    try:
        caplog.set_level(logging.DEBUG, logger="custom_components.anpr")
        good = {"GD01AAA"}
        assert await driver.good("GD01AAA") in (None, 200)
        await driver.events.wait(1)
        caplog.clear()

        kept = "KP01CCC" if case in driver.kept_cases else None
        status = await driver.hostile(case, kept or "UNUSED")
        assert status == driver.cases[case], (case, status)
        if kept:
            good.add(kept)
            await driver.events.wait(2)
        assert await driver.good("GD02BBB") in (None, 200)
        good.add("GD02BBB")
        events = await driver.events.wait(len(good))
        await hass.async_block_till_done()

        assert [e["plate"] for e in events] == ["GD01AAA", *([kept] if kept else []), "GD02BBB"]
        assert _state(hass, "sensor.gate_last_plate") == "GD02BBB"
        _assert_no_errors(caplog)
        await _check_shown(hass, driver.entry, driver.events, good, await hass_client_no_auth())
        logged = _our_warnings(caplog)
        if case in EXPECTED_LOG:
            assert any(EXPECTED_LOG[case] in line for line in logged), logged
        if kept and case.startswith("time_"):
            when = datetime.fromisoformat(events[1]["time"])
            assert abs(datetime.now(UTC) - when) < timedelta(minutes=5)  # the receive time
        if kept and case in BAD_PICTURES:
            # The bad picture is gone (http_push: the full snapshot; elsewhere the only one).
            pictures = events[1]["images"]
            assert ("full" not in pictures) if kind == "http_push" else not pictures, pictures
        diag = await async_get_config_entry_diagnostics(hass, driver.entry)
        (camera,) = diag["cameras"].values()
        print(  # the closing note's table (pytest -s)
            f"OUTCOME {kind:20} {case:24} status={status} kept={kept} "
            f"validation={camera['validation']} logged={logged[:2]}"
        )
    finally:
        await driver.stop()


# --------------------------------------------------------------------------- search text


async def test_search_text_is_length_capped(hass: HomeAssistant) -> None:
    """Actions refuse search text longer than MAX_SEARCH_LEN before any search runs."""
    entry = await async_setup_hub(hass)
    with pytest.raises(Exception, match="longer than 64 characters"):
        await hass.services.async_call(
            "anpr", "search_sightings", {"plate": "A" * 100_000, "fuzzy": 2},
            blocking=True, return_response=True,
        )  # fmt: skip
    with pytest.raises(Exception, match="longer than 64 characters"):
        await hass.services.async_call(
            "anpr", "add_plate", {"plate": "B" * (MAX_SEARCH_LEN + 1)}, blocking=True
        )
    result = await hass.services.async_call(
        "anpr", "search_sightings", {"plate": "A" * MAX_PLATE_LEN, "fuzzy": 1},
        blocking=True, return_response=True,
    )  # fmt: skip
    assert result is not None and result["count"] == 0
    assert await hass.config_entries.async_unload(entry.entry_id)


# --------------------------------------------------------------------------- handlers


async def test_unexpected_parser_failures_never_escape(
    hass: HomeAssistant,
    hass_client_no_auth: Any,
    aiohttp_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A bug in a parser (any exception, not only ProtocolError) is one warning and a 400 over
    HTTP, or a skipped chunk/post on TCP; the handler keeps serving the next read."""
    ctx = {"hass_client_no_auth": hass_client_no_auth, "aiohttp_client": aiohttp_client,
           "monkeypatch": monkeypatch, "tmp_path": tmp_path, "pictures": 0}  # fmt: skip
    from custom_components.anpr.sources import (  # noqa: PLC0415
        http_push as push_source,
        nvr_text as nvr_source,
    )

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("parser bug")

    for driver_type, module, name in (
        (HttpPushDriver, push_source, "detect_payload"),
        (HikvisionListeningDriver, hik, "parse_multipart"),
        (NvrTextDriver, nvr_source, "plate_read"),
        (MilesightDriver, ms_source, "parse_recog_post"),
    ):
        driver = driver_type(hass, ctx)
        await driver.start()
        try:
            with monkeypatch.context() as patch:
                patch.setattr(module, name, boom)
                status = await driver.good("BROKEN1")
                # TCP: the bytes are handled after the write returns; wait while patched.
                await _until(lambda: "could not be handled (RuntimeError)" in caplog.text)
            assert status in (None, 400)
            assert await driver.good("AFTER01") in (None, 200)
            await driver.events.wait(1)
            assert driver.events.plates == ["AFTER01"]
            assert "could not be handled (RuntimeError)" in caplog.text
            _assert_no_errors(caplog)
        finally:
            await driver.stop()
        caplog.clear()


async def test_client_hanging_up_mid_body(
    hass: HomeAssistant, hass_client_no_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A sender that announces a body and closes the socket half-way: no traceback."""
    driver = HttpPushDriver(hass, {"hass_client_no_auth": hass_client_no_auth})
    await driver.start()
    try:
        port = driver.client.port
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST {driver.path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 100000\r\n\r\n".encode()
            + b'{"license_plate": "AB'
        )
        await writer.drain()
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        assert await driver.good("AFTER02") == 200
        await driver.events.wait(1)
        await hass.async_block_till_done()
        assert driver.events.plates == ["AFTER02"]
        _assert_no_errors(caplog)
        del reader
    finally:
        await driver.stop()


# --------------------------------------------------------------------------- hypothesis

_TEXT = st.text(max_size=40) | st.text(alphabet="AB12 -\x00\u200b<>", max_size=30)
_VALUE = st.none() | st.booleans() | st.integers() | st.floats() | _TEXT
_JSON_BODY = st.fixed_dictionaries(
    {"license_plate": _VALUE | st.lists(_VALUE, max_size=3)},
    optional={
        "plate_confidence": _VALUE,
        "time": _VALUE,
        "direction": _VALUE,
        "country_region": _VALUE,
        "vehicle_brand": _VALUE,
        "full_snapshot": _VALUE | st.sampled_from(
            [http_pusher._b64(p) for p in (*BAD_PICTURES.values(), GOOD_JPEG)]
        ),
        "resolution_width": _VALUE,
        "coordinate_x1": _VALUE,
    },
).map(lambda d: json.dumps(d).encode())
_BODIES = st.one_of(
    _JSON_BODY,
    st.binary(max_size=300),
    st.recursive(st.just(1), lambda inner: st.lists(inner, max_size=2), max_leaves=80).map(
        lambda v: json.dumps(v).encode()
    ),
)
_CONTENT_TYPES = st.sampled_from(
    ["application/json", "text/plain", "multipart/form-data; boundary=x", "image/jpeg", ""]
)


async def test_hypothesis_drives_the_webhook_end_to_end(
    hass: HomeAssistant, hass_client_no_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Random bodies POSTed to the http_push webhook over HTTP: only 200/400 come back,
    nothing is logged as an error, whatever is shown passes validation, the next read arrives.

    Hypothesis runs in a worker thread; each example POSTs through the event loop (the real
    aiohttp server, webhook component and handler) and waits for the answer.
    """
    driver = HttpPushDriver(hass, {"hass_client_no_auth": hass_client_no_auth})
    await driver.start()
    loop = asyncio.get_running_loop()
    statuses: list[int] = []

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(body=_BODIES, content_type=_CONTENT_TYPES, method=st.sampled_from(["POST", "PUT"]))
    def run(body: bytes, content_type: str, method: str) -> None:
        async def send() -> int:
            resp = await driver.client.request(
                method, driver.path, data=body, headers={"Content-Type": content_type}
            )
            await resp.read()
            return int(resp.status)

        status = asyncio.run_coroutine_threadsafe(send(), loop).result(timeout=30)
        assert status in (200, 400), status
        statuses.append(status)

    try:
        await hass.async_add_executor_job(run)
        await hass.async_block_till_done()
        assert await driver.good("FINAL01") == 200
        await _until(lambda: "FINAL01" in driver.events.plates)
        await hass.async_block_till_done()
        for event in driver.events.events:
            assert _plate_ok(event["read_plate"]), event["read_plate"]
            assert len(json.dumps(event)) < 4096
        assert _state(hass, "sensor.gate_last_plate") == "FINAL01"
        _assert_no_errors(caplog)
        assert 400 in statuses
    finally:
        await driver.stop()


async def test_source_bug_in_a_read_is_contained(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A read the validation step cannot even look at (a source bug: pictures not a list) is
    logged with its traceback and counted; the next read of the camera arrives."""
    from custom_components.anpr.protocols.models import PlateRead  # noqa: PLC0415

    from . import kinds  # noqa: PLC0415

    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Gate", "stream": True})
    events = PlateEvents(hass)
    source = kinds.RUNNING["Gate"]
    source.push(PlateRead(plate="AB12CDE", images=None))  # type: ignore[arg-type]
    source.push(PlateRead(plate="CD34EFG"))
    await events.wait(1)
    assert events.plates == ["CD34EFG"]
    assert "Camera Gate: could not validate a read; dropped" in caplog.text
    (camera,) = entry.runtime_data.cameras.values()
    assert camera.counters["errors"] == 1
    assert await hass.config_entries.async_unload(entry.entry_id)


def test_every_demo_picture_decodes() -> None:
    """The pictures every demo emulator sends (scripts/develop) are whole pictures."""
    from custom_components.anpr.protocols.push_detect import detect_payload  # noqa: PLC0415
    from tools.emulators.onvif import default_picture  # noqa: PLC0415

    sent: list[bytes] = [HikvisionEmulator().jpeg, default_picture("AB12CDE")]
    for fmt in http_pusher.FORMATS:
        method, suffix, headers, body = http_pusher.build_request(fmt, "AB12CDE")
        result = detect_payload(method, headers.get("Content-Type"), body, suffix.lstrip("?"),
                                tz=UTC)  # fmt: skip
        sent += [img.data for read in result.reads for img in read.images]
    camera = MilesightCamera()
    packet = camera.recog_packet("AB12CDE")
    from custom_components.anpr.protocols.milesight_tcp import (  # noqa: PLC0415
        PacketDecoder,
        parse_recog_post,
    )

    (item,) = PacketDecoder().feed(packet)
    sent += [img.data for img in parse_recog_post(item.data).images]  # type: ignore[union-attr]
    assert len(sent) >= 8
    for data in sent:
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
