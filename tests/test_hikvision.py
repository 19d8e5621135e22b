"""Hikvision ISAPI cameras end to end: the emulator over loopback sockets, through the real hub.

Every test runs a real HTTP server (tools/emulators/hikvision.py, digest auth) on 127.0.0.1 and
the integration's real hub, flow, source, pipeline and entities (tests/helpers.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
from datetime import UTC, datetime, timedelta
import ipaddress
import logging
from pathlib import Path
import ssl
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.setup import async_setup_component
import httpx
import pytest

from custom_components.anpr.const import DOMAIN, SUBENTRY_CAMERA
from custom_components.anpr.protocols.hikvision.client import (
    IsapiAuthError,
    IsapiClient,
    IsapiConnectionError,
    IsapiError,
    IsapiNotSupportedError,
)
from custom_components.anpr.sources import hikvision as hik, webhook as camera_webhook
from custom_components.anpr.sources.connection import http_base_url
from tools.emulators.hikvision import TINY_JPEG, HikvisionEmulator, StreamQuirks

from .helpers import (
    PlateEvents,
    async_add_camera,
    async_setup_hub,
    device_by_identifier,
    devices,
    image_bytes,
)

pytestmark = pytest.mark.enable_socket

FIXTURES = Path(__file__).parent / "fixtures" / "hikvision"
JPEG_PATH = FIXTURES / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
FIXTURE_JPEG = JPEG_PATH.read_bytes()


@pytest.fixture(autouse=True)
def fast_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten the source's timers so reconnects and timeouts happen within a test."""
    monkeypatch.setattr(hik, "READ_TIMEOUT", 1.5)
    monkeypatch.setattr(hik, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(hik, "BACKOFF_MAX", 0.2)
    monkeypatch.setattr(hik, "PICTURE_WAIT", 0.3)
    monkeypatch.setattr(hik, "CONNECT_TIMEOUT", 3.0)


@pytest.fixture
async def emulator() -> AsyncIterator[HikvisionEmulator]:
    emu = HikvisionEmulator()
    await emu.start()
    yield emu
    await emu.stop()


def camera_data(emu: HikvisionEmulator, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Gate",
        "host": "127.0.0.1",
        "port": emu.port,
        "ssl": False,
        "verify_ssl": True,
        "username": emu.username,
        "password": emu.password,
        "channel": 1,
        "mode": "arming",
        "configure_http_host": False,
        "catch_up": True,
        "repeat_window": 0,
        "min_confidence": 0,
        "direction_mode": "as_reported",
    }
    data.update(overrides)
    return data


async def wait_for(check: Callable[[], bool], limit: float = 10.0) -> None:
    """Poll a condition that changes through sockets (no event to wait on)."""
    async with asyncio.timeout(limit):
        while not check():  # noqa: ASYNC110 - state changes come from other sockets
            await asyncio.sleep(0.02)


async def wait_connected(hass: HomeAssistant, emu: HikvisionEmulator, count: int = 1) -> None:
    await wait_for(lambda: emu.connections >= 1 and emu.stats.stream_connects >= count)
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "on")


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    current = hass.states.get(entity_id)
    return current.state if current else None


async def setup_camera(
    hass: HomeAssistant, emu: HikvisionEmulator, **overrides: Any
) -> tuple[Any, str, PlateEvents]:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    camera_id = await async_add_camera(hass, entry, "hikvision", camera_data(emu, **overrides))
    return entry, camera_id, events




async def test_arming_plates_pictures_direction_heartbeats(
    hass: HomeAssistant, emulator: HikvisionEmulator, hass_client: Any
) -> None:
    entry, camera_id, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)

    await emulator.push_heartbeat(3)  # three alerts in one part: liveness only
    await emulator.push_anpr("B4DM3N", direction="forward", confidence=93)
    await events.wait(1)
    await hass.async_block_till_done()
    assert events.plates == ["B4DM3N"]
    sensor = hass.states.get("sensor.gate_last_plate")
    assert sensor is not None and sensor.state == "B4DM3N"
    assert sensor.attributes["direction"] == "in"
    assert sensor.attributes["confidence"] == pytest.approx(0.93)
    assert hass.states.get("event.gate_plate").attributes["plate"] == "B4DM3N"
    jpeg = FIXTURE_JPEG  # the licensed camera JPEG, byte for byte
    assert await image_bytes(hass, hass_client, "image.gate_plate_picture") == jpeg
    assert await image_bytes(hass, hass_client, "image.gate_picture") == jpeg

    await emulator.push_anpr("AB12CDE", direction="reverse")
    await events.wait(2)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.gate_last_plate").attributes["direction"] == "out"
    await emulator.push_anpr("unknown")  # "no plate" reads are not plates
    await emulator.push_anpr("XY99ZZZ")
    await events.wait(3)
    assert events.plates == ["B4DM3N", "AB12CDE", "XY99ZZZ"]

    # Device registry: model, serial, firmware, MAC from deviceInfo; unique by serial.
    device = device_by_identifier(hass, camera_id) or next(
        d for d in devices(hass) if d.serial_number == emulator.serial
    )
    assert device.model == emulator.model
    assert device.serial_number == emulator.serial
    assert device.sw_version == "V5.7.3 build 230629"
    assert entry.subentries[camera_id].unique_id == emulator.serial

    # Diagnostics: counters, never credentials or plates.
    source = entry.runtime_data.cameras[camera_id].source
    diagnostics = source.diagnostics()
    assert diagnostics["counters"]["reads"] == 3
    assert diagnostics["parser"]["heartbeats"] == 3
    assert diagnostics["parser"]["no_plate"] == 1
    assert diagnostics["auth_scheme"] == "digest"
    assert emulator.password not in str(diagnostics) and "B4DM3N" not in str(diagnostics)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: emulator.connections == 0)


@pytest.mark.parametrize(
    "quirks",
    [
        StreamQuirks(content_length="absent", split_size=31, namespace="ver10"),
        StreamQuirks(content_length="wrong", header_boundary="none", namespace="stdcgi"),
        StreamQuirks(content_length="exact", image_type="image/pjpeg", xml_declaration=False),
        StreamQuirks(json_variant=True, split_size=1000, namespace="isapi"),
        StreamQuirks(chunked=True),
    ],
    ids=["no-length-split", "wrong-length-no-boundary", "rfc-pjpeg", "json", "http-chunked"],
)
async def test_stream_quirks(
    hass: HomeAssistant, emulator: HikvisionEmulator, quirks: StreamQuirks
) -> None:
    emulator.quirks = quirks
    if quirks.split_size and quirks.split_size < 100:
        emulator.jpeg = TINY_JPEG  # 1 ms per 7-byte write: keep the pictures small
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    await emulator.push_heartbeat()
    await emulator.push_anpr("QU1RK1", direction="reverse")
    await emulator.push_anpr("QU1RK2")
    await events.wait(2)
    await hass.async_block_till_done()
    assert events.plates == ["QU1RK1", "QU1RK2"]
    assert events.events[0]["direction"] == "out"
    assert hass.states.get("image.gate_picture").state != "unknown"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_restart_mid_stream_catches_up_exactly_once(
    hass: HomeAssistant,
    emulator: HikvisionEmulator,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    await asyncio.sleep(0.3)  # first connection: the catch-up cursor is set
    await emulator.push_anpr("BEFORE1")
    await events.wait(1)

    # The camera reboots mid-part; two plates are captured while it is away.
    restart = asyncio.create_task(emulator.restart(1.0, ["MISSED1", "MISSED2"]))
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "off")
    assert state(hass, "sensor.gate_last_plate") == STATE_UNAVAILABLE
    await restart
    await wait_connected(hass, emulator, count=2)
    await events.wait(3)
    await emulator.push_anpr("AFTER1")
    await events.wait(4)
    await asyncio.sleep(0.3)
    assert events.plates == ["BEFORE1", "MISSED1", "MISSED2", "AFTER1"]

    # A long outage: only the newest CATCH_UP_MAX_READS reads come back (one warning).
    monkeypatch.setattr(hik, "CATCH_UP_MAX_READS", 2)
    caplog.set_level(logging.WARNING, logger="custom_components.anpr")
    await emulator.restart(0.3, ["OLD1", "OLD2", "NEW1", "NEW2"])
    await events.wait(6)
    await asyncio.sleep(0.3)
    assert events.plates[4:] == ["NEW1", "NEW2"]
    assert "2 plate read(s) from the plate log were too old or too many" in caplog.text
    del events.events[4:]

    # Another cut with nothing missed: nothing delivered twice.
    await emulator.cut()
    await wait_connected(hass, emulator, count=3)
    await emulator.push_anpr("AFTER2")
    await events.wait(5)
    await asyncio.sleep(0.5)
    assert events.plates == ["BEFORE1", "MISSED1", "MISSED2", "AFTER1", "AFTER2"]
    assert all(q.isdigit() for q in emulator.stats.plate_queries)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_cursor_survives_a_restart_of_home_assistant(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    await asyncio.sleep(0.3)
    await emulator.push_anpr("LIVE1")
    await events.wait(1)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await emulator.push_anpr("WHILEOFF")  # HA is down: only the plate log has it
    assert await hass.config_entries.async_setup(entry.entry_id)
    await events.wait(2)
    await asyncio.sleep(0.5)
    assert events.plates == ["LIVE1", "WHILEOFF"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_read_timeout_reconnects_and_bytes_keep_alive(
    hass: HomeAssistant, emulator: HikvisionEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hik, "READ_TIMEOUT", 0.6)
    monkeypatch.setattr(hik, "QUIET_RECONNECT_AFTER", 1.0)
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    seen: list[str] = []
    unsub = async_track_state_change_event(
        hass, ["binary_sensor.gate_connectivity"],
        lambda event: seen.append(event.data["new_state"].state),
    )
    # Any bytes count as liveness: heartbeats every 0.2 s keep one connection alive.
    for _ in range(8):
        await emulator.push_heartbeat()
        await asyncio.sleep(0.2)
    assert emulator.stats.stream_connects == 1
    # Silence (a camera that sends no heartbeats and hangs): timeout, reconnect.
    await wait_for(lambda: emulator.stats.stream_connects >= 2, limit=5)
    await wait_connected(hass, emulator, count=2)
    await emulator.push_anpr("ALIVE1")
    await events.wait(1)
    # A stream that ran for a while is re-armed without making the entities unavailable.
    assert seen == []
    unsub()
    # A camera that keeps dropping young connections does go unavailable (and comes back).
    await emulator.cut()
    await wait_for(lambda: emulator.stats.stream_connects >= 3, limit=5)
    await emulator.cut()
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "off")
    await wait_connected(hass, emulator, count=4)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_bad_input_logged_skipped_next_read_arrives(
    hass: HomeAssistant,
    emulator: HikvisionEmulator,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hik, "MAX_PART_SIZE", 64 * 1024)  # the 148 KB pictures are oversize
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    caplog.set_level(logging.WARNING, logger="custom_components.anpr")
    await emulator.push_part("application/xml", b"<EventNotificationAlert><eventType>ANPR")
    await emulator.push_part("application/json", b'{"eventType": "mixedTargetDetection", ')
    await emulator.push_part(
        "application/xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<EventNotificationAlert><eventType>ANPR</eventType><ANPR><licensePlate>&b;"
        b"</licensePlate></ANPR></EventNotificationAlert>",
    )
    await emulator.push_anpr("BIGPIC1")  # its two pictures exceed the part cap
    await emulator.push_anpr("GOOD1", pictures=())
    try:
        await events.wait(2)
    except TimeoutError:
        raise AssertionError(events.plates) from None
    await hass.async_block_till_done()
    assert events.plates == ["BIGPIC1", "GOOD1"]
    assert state(hass, "binary_sensor.gate_connectivity") == "on"
    assert emulator.stats.stream_connects == 1  # bad input never drops the connection
    skipped = [
        r for r in caplog.records
        if r.name.startswith("custom_components.anpr") and "skipped" in r.getMessage()
    ]
    assert len(skipped) == 5  # one line per bad part: xml, json, entities, 2 pictures
    text = " ".join(r.getMessage() for r in skipped)
    assert "malformed XML" in text and "malformed JSON" in text and "refused" in text
    assert "exceeds the size cap" in text
    assert "\\xff" not in text and emulator.password not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_manual_trigger_button_get_and_put(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.gate_read_plate"}, blocking=True
    )
    await events.wait(1)
    assert events.plates == ["MN4PR"]
    assert emulator.stats.mnpr_methods == ["GET"]
    assert hass.states.get("image.gate_plate_picture").state != "unknown"

    emulator.mnpr_method = "PUT"  # a device that refuses GET with 403 notSupport
    emulator.mnpr_plate = "PUT4PR"
    button = er.async_get(hass).async_get("button.gate_read_plate")
    assert button is not None
    await hass.services.async_call(
        DOMAIN, "trigger_recognition", {"device_id": button.device_id}, blocking=True
    )
    await events.wait(2)
    assert events.plates == ["MN4PR", "PUT4PR"]
    assert emulator.stats.mnpr_methods == ["GET", "GET", "PUT"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_flow_errors_and_duplicate(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    entry = await async_setup_hub(hass)

    async def submit(data: dict[str, Any]) -> dict[str, Any]:
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": "hikvision"}
        )
        assert result["type"] is FlowResultType.FORM
        assert "/api/webhook/" in result["description_placeholders"]["webhook_url"]
        return dict(await hass.config_entries.subentries.async_configure(result["flow_id"], data))

    result = await submit(camera_data(emulator, password="wrong"))
    assert result["errors"] == {"password": "invalid_auth"}
    free_port = emulator.port
    await emulator.stop()
    result = await submit(camera_data(emulator, port=free_port))
    assert result["errors"] == {"base": "cannot_connect"}
    await emulator.start()
    result = await submit(camera_data(emulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    result = await submit(camera_data(emulator, name="Gate 2"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_basic_auth_fallback(hass: HomeAssistant) -> None:
    emu = HikvisionEmulator(auth="basic")
    await emu.start()
    try:
        entry, _, events = await setup_camera(hass, emu)
        await wait_connected(hass, emu)
        await emu.push_anpr("BASIC1")
        await events.wait(1)
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await emu.stop()


async def test_password_changed_on_camera_starts_reauth(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    entry, camera_id, _ = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    emulator.password = "changed-on-camera"
    await emulator.cut()
    await wait_for(lambda: any(
        flow["context"].get("source") == "reauth"
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    ))
    assert state(hass, "binary_sensor.gate_connectivity") == "off"
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["subentry_id"] == camera_id
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": "admin", "password": "changed-on-camera"}
    )
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.subentries[camera_id].data["password"] == "changed-on-camera"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def post_to(
    hass: HomeAssistant, aiohttp_client: Any, emu: HikvisionEmulator, webhook_id: str
) -> Callable[..., Awaitable[int]]:
    client = await aiohttp_client(hass.http.app)
    url = str(client.make_url(f"/api/webhook/{webhook_id}"))

    async def post(plate: str, **kwargs: Any) -> int:
        return await emu.post_event(url, plate, **kwargs)

    return post


async def test_listening_mode_webhook(
    hass: HomeAssistant,
    emulator: HikvisionEmulator,
    aiohttp_client: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert await async_setup_component(hass, "http", {})
    await async_process_ha_core_config(hass, {"internal_url": "http://127.0.0.1:8123"})
    monkeypatch.setattr(hik, "MAX_WEBHOOK_BODY", 1_000_000)
    entry, camera_id, events = await setup_camera(
        hass, emulator, mode="listening", configure_http_host=True
    )
    webhook_id = entry.subentries[camera_id].data["webhook_id"]
    # The flow wrote the webhook into the camera's httpHosts.
    assert f"/api/webhook/{webhook_id}".encode() in emulator.http_hosts
    assert b"<ipAddress>127.0.0.1</ipAddress><portNo>8123</portNo>" in emulator.http_hosts
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "on")
    assert emulator.connections == 0  # no alertStream in listening mode

    post = await post_to(hass, aiohttp_client, emulator, webhook_id)
    assert await post("LISTEN1", direction="reverse") == 200
    await events.wait(1)
    await hass.async_block_till_done()
    assert events.events[0]["direction"] == "out"
    assert hass.states.get("image.gate_plate_picture").state != "unknown"

    caplog.set_level(logging.WARNING, logger="custom_components.anpr")
    assert await post("", body=b"<EventNotificationAlert><oops", content_type="text/xml") == 400
    assert await post("", body=b"x" * 1_100_000, content_type="application/xml") == 413
    assert sum(
        r.name.startswith("custom_components.anpr") and "skipped" in r.getMessage()
        for r in caplog.records
    ) == 2
    assert await post("LISTEN2") == 200
    await events.wait(2)
    assert events.plates == ["LISTEN1", "LISTEN2"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    await post("AFTERUNLOAD")  # webhook unregistered: HA answers 200 but nothing arrives
    await asyncio.sleep(0.2)
    assert events.plates == ["LISTEN1", "LISTEN2"]


async def test_flow_device_checks_and_http_host_errors(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    entry = await async_setup_hub(hass)

    async def submit(data: dict[str, Any]) -> dict[str, Any]:
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": "hikvision"}
        )
        return dict(await hass.config_entries.subentries.async_configure(result["flow_id"], data))

    emulator.device_info_override = b"<html><body>router login</body></html>"
    result = await submit(camera_data(emulator))
    assert result["errors"] == {"base": "not_hikvision"}
    emulator.device_info_override = None
    result = await submit(camera_data(emulator, host="   "))
    assert result["errors"] == {"host": "cannot_connect"}
    await async_process_ha_core_config(hass, {"internal_url": "http://127.0.0.1:8123"})
    emulator.http_hosts_status = 403
    result = await submit(camera_data(emulator, mode="listening", configure_http_host=True))
    assert result["errors"] == {"base": "http_host_failed"}
    assert emulator.http_hosts == b""
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_camera_closing_the_stream_reconnects(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    await emulator.push_anpr("CLOSE1", pictures=())
    await events.wait(1)
    await emulator.end_streams()  # a clean end of the response, not a socket error
    await wait_connected(hass, emulator, count=2)
    await emulator.push_anpr("CLOSE2", pictures=())
    await events.wait(2)
    assert events.plates == ["CLOSE1", "CLOSE2"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_trigger_errors_are_translated(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    entry, _, events = await setup_camera(hass, emulator, catch_up=False)
    await wait_connected(hass, emulator)
    emulator.password = "rotated"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "button", "press", {"entity_id": "button.gate_read_plate"}, blocking=True
        )
    assert err.value.translation_key == "hikvision_trigger_failed"
    await wait_for(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    emulator.password = "12345abc"
    port = emulator.port
    await emulator.stop()
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "button", "press", {"entity_id": "button.gate_read_plate"}, blocking=True
        )
    assert err.value.translation_placeholders["camera"] == "Gate"
    assert events.plates == []
    emulator.port = port
    await emulator.start()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_listening_liveness_poll_and_webhook_errors(
    hass: HomeAssistant,
    emulator: HikvisionEmulator,
    aiohttp_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hik, "POLL_INTERVAL", 0.1)
    assert await async_setup_component(hass, "http", {})
    entry, camera_id, events = await setup_camera(hass, emulator, mode="listening")
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "on")
    post = await post_to(hass, aiohttp_client, emulator, entry.subentries[camera_id].data[
        "webhook_id"
    ])
    # A multipart request without any part, and a plain XML POST without pictures.
    assert await post("", body=b"no parts here", content_type="multipart/form-data") == 400
    plain = emulator.anpr_xml("PLAIN1", pictures=())
    assert await post("", body=plain, content_type="application/xml") == 200
    await events.wait(1)
    # The camera goes away: the deviceInfo poll marks it unavailable, then available again.
    port = emulator.port
    await emulator.stop()
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "off")
    assert state(hass, "sensor.gate_last_plate") == STATE_UNAVAILABLE
    emulator.port = port
    await emulator.start()
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "on")
    # Plates the camera read while unreachable come from its plate log once it is back.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await emulator.push_anpr("WHILEDOWN")  # Home Assistant down: the POST would be lost
    assert await hass.config_entries.async_setup(entry.entry_id)
    await events.wait(2)
    await asyncio.sleep(0.3)
    assert events.plates == ["PLAIN1", "WHILEDOWN"]
    # Credentials changed on the camera: the poll starts the reauth flow.
    emulator.password = "rotated"
    await wait_for(lambda: bool(hass.config_entries.flow.async_progress_by_handler(DOMAIN)))
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_isapi_client_against_the_emulator(emulator: HikvisionEmulator) -> None:
    """The pure client: plate-log path fallback, caps, errors, pictures, httpHosts."""
    async with httpx.AsyncClient() as session:
        client = IsapiClient(session, emulator.base_url, "admin", emulator.password)
        first = await emulator.push_anpr("LOG1")
        emulator.plates_path = "vehicledetect"  # ex_nvr's lower-case spelling
        entries = await client.plates_after(1, "0")
        assert [(e.pic_name, e.plate) for e in entries] == [(first.pic_name, "LOG1")]
        assert await client.plate_picture(first.pic_name) == emulator.jpeg
        assert await client.plate_picture("99999999999999999999") is None
        assert await client.plate_picture("../etc") is None
        emulator.plates_path = "nowhere"
        with pytest.raises(IsapiNotSupportedError):
            await client.plates_after(1, "0")
        local = await client.local_time()
        assert local is not None and local.utcoffset() == timedelta(hours=1)
        emulator.device_info_override = b"x" * 5_000_000
        with pytest.raises(IsapiError, match="exceeds"):
            await client.device_info()
        emulator.device_info_override = b"<html/>"
        with pytest.raises(IsapiError, match="unusable deviceInfo"):
            await client.device_info()
        emulator.http_hosts_status = 500
        with pytest.raises(IsapiError, match="HTTP 500: Invalid Operation"):
            await client.set_http_host(url_path="/api/webhook/x", host="127.0.0.1", port=8123)
        bad = IsapiClient(session, emulator.base_url, "admin", "wrong")
        with pytest.raises(IsapiAuthError):
            await bad.device_info()
        with pytest.raises(IsapiAuthError):
            async with bad.alert_stream(1.0):
                pass
        port = emulator.port
        await emulator.stop()
        with pytest.raises(IsapiConnectionError):
            await client.device_info()
        with pytest.raises(IsapiConnectionError):
            async with client.alert_stream(1.0):
                pass
        emulator.port = port
        await emulator.start()


def self_signed_context(tmp_path: Path) -> ssl.SSLContext:
    """A server TLS context with a freshly made self-signed certificate for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "IPC")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file = tmp_path / "cert.pem"
    key_file = tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@contextlib.asynccontextmanager
async def tls_handshake_noise_tolerated() -> AsyncIterator[None]:
    """Ignore the debug-mode report of TLS handshakes a client abandoned (emulator side).

    asyncio (debug mode, as in the HA test loop) reports every incoming TLS connection whose
    handshake does not finish - the refused certificate, or a connection the client gives up
    when the hub unloads - as "Error on transport creation"; that is the emulator's server,
    not the integration.
    """
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if "transport creation for incoming connection" in str(context.get("message", "")):
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handler)
    try:
        yield
    finally:
        await asyncio.sleep(0.05)
        loop.set_exception_handler(previous)


async def test_https_with_self_signed_certificate(hass: HomeAssistant, tmp_path: Path) -> None:
    """The "verify certificate" switch off lets a camera with a self-signed certificate in."""
    async with tls_handshake_noise_tolerated():
        emu = HikvisionEmulator(ssl_context=self_signed_context(tmp_path))
        await emu.start()
        try:
            entry = await async_setup_hub(hass)
            events = PlateEvents(hass)
            await async_add_camera(
                hass, entry, "hikvision",
                camera_data(emu, name="Gate", ssl=True, verify_ssl=False),
            )
            await wait_connected(hass, emu)
            await emu.push_anpr("TLS1")
            await events.wait(1)
            assert await hass.config_entries.async_unload(entry.entry_id)
        finally:
            await emu.stop()


async def test_self_signed_certificate_refused_when_verified(tmp_path: Path) -> None:
    async with tls_handshake_noise_tolerated():
        emu = HikvisionEmulator(ssl_context=self_signed_context(tmp_path))
        await emu.start()
        try:
            async with httpx.AsyncClient(verify=True) as session:
                client = IsapiClient(session, emu.base_url, emu.username, emu.password)
                with pytest.raises(IsapiConnectionError):
                    await client.device_info()
            async with httpx.AsyncClient(verify=False) as session:
                client = IsapiClient(session, emu.base_url, emu.username, emu.password)
                assert (await client.device_info()).serial == emu.serial
        finally:
            await emu.stop()


async def test_reconfigure_keeps_the_same_camera(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    """Reconfigure: new address of the same camera is taken; another camera is refused."""
    entry, camera_id, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    moved = HikvisionEmulator(serial=emulator.serial)  # same camera, new address
    other = HikvisionEmulator(serial="DS-2CD4A26FWD-IZS0000000000000000")
    await moved.start()
    await other.start()
    try:

        async def reconfigure(emu: HikvisionEmulator) -> dict[str, Any]:
            result = await hass.config_entries.subentries.async_init(
                (entry.entry_id, SUBENTRY_CAMERA),
                context={"source": "reconfigure", "subentry_id": camera_id},
            )
            assert result["type"] is FlowResultType.FORM
            assert result["step_id"] == "reconfigure_hikvision"
            data = camera_data(emu)
            data.pop("name")
            return dict(
                await hass.config_entries.subentries.async_configure(result["flow_id"], data)
            )

        result = await reconfigure(other)
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "unique_id_mismatch"
        result = await reconfigure(moved)
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()
        assert entry.subentries[camera_id].data["port"] == moved.port
        await wait_for(lambda: moved.connections == 1)
        await moved.push_anpr("MOVED1")
        await events.wait(1)
        assert events.plates == ["MOVED1"]
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await moved.stop()
        await other.stop()


async def test_isapi_client_odd_answers(emulator: HikvisionEmulator) -> None:
    """Slow, booting or odd firmware answers become the documented client errors."""
    async with httpx.AsyncClient() as session:
        client = IsapiClient(session, emulator.base_url, "admin", emulator.password, timeout=0.3)
        emulator.response_delay = 1.0
        with pytest.raises(IsapiConnectionError, match="timeout"):
            await client.device_info()
        emulator.response_delay = 0.0
        emulator.time_body = b"<Time><localTime>yesterday</localTime></Time>"
        assert await client.local_time() is None
        emulator.time_body = b"<Time><timeMode>NTP</timeMode></Time>"
        assert await client.local_time() is None
        emulator.plates_body = b"<Plates><Plate>"
        with pytest.raises(IsapiError, match="unusable plate log"):
            await client.plates_after(1, "0")
        emulator.alert_stream_status = 503
        with pytest.raises(IsapiError, match="HTTP 503"):
            async with client.alert_stream(1.0):
                pass


async def test_stream_source_odd_cases(
    hass: HomeAssistant,
    emulator: HikvisionEmulator,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Booting camera (503), plate-log picture, MNPR answer without a plate."""
    emulator.alert_stream_status = 503
    entry, camera_id, events = await setup_camera(hass, emulator)
    await wait_for(lambda: emulator.stats.stream_requests >= 3)  # it keeps retrying
    assert state(hass, "binary_sensor.gate_connectivity") == "off"
    emulator.alert_stream_status = 200
    await wait_connected(hass, emulator)
    await asyncio.sleep(0.3)
    source = entry.runtime_data.cameras[camera_id].source
    assert source.configuration_url == emulator.base_url
    # Caught up from the plate log: the picture comes from /doc/ui/images/plate/<picName>.jpg.
    port = emulator.port
    await emulator.stop()
    emulator._capture("LOGPIC1", "forward")
    emulator.port = port
    await emulator.start()
    await events.wait(1)
    await hass.async_block_till_done()
    assert events.plates == ["LOGPIC1"]
    assert hass.states.get("image.gate_picture").state != "unknown"
    # MNPR answering only a "no plate" alert: nothing delivered, one info line.
    caplog.set_level(logging.INFO, logger="custom_components.anpr")
    body = (
        b'--b\r\nContent-Type: application/xml\r\n\r\n'
        + emulator.anpr_xml("noPlate", pictures=()) + b"\r\n--b\r\n"
        b"Content-Type: application/json\r\n\r\n{broken\r\n--b--\r\n"
    )
    emulator.mnpr_body = ("multipart/form-data; boundary=b", body)
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.gate_read_plate"}, blocking=True
    )
    assert "manual recognition found no plate" in caplog.text
    assert "skipped an MNPR answer part" in caplog.text
    assert events.plates == ["LOGPIC1"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_urls_without_a_configured_home_assistant_url(
    hass: HomeAssistant, emulator: HikvisionEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert http_base_url({"host": "fe80::1", "port": 80}) == "http://[fe80::1]:80"
    assert http_base_url({"host": "cam.lan", "ssl": True}) == "https://cam.lan:443"

    def no_url(*args: Any, **kwargs: Any) -> str:
        raise NoURLAvailableError

    monkeypatch.setattr(hik, "get_url", no_url)
    monkeypatch.setattr(camera_webhook, "get_url", no_url)
    assert hik.webhook_url(hass, "abc") == "http://<home-assistant-ip>:8123/api/webhook/abc"
    entry = await async_setup_hub(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "hikvision"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], camera_data(emulator, mode="listening", configure_http_host=True)
    )
    assert result["errors"] == {"base": "no_local_url"}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_webhook_refuses_an_oversize_chunked_body(
    hass: HomeAssistant,
    emulator: HikvisionEmulator,
    aiohttp_client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(hik, "MAX_WEBHOOK_BODY", 100_000)
    assert await async_setup_component(hass, "http", {})
    entry, camera_id, events = await setup_camera(hass, emulator, mode="listening")
    client = await aiohttp_client(hass.http.app)
    url = f"/api/webhook/{entry.subentries[camera_id].data['webhook_id']}"

    async def body() -> AsyncIterator[bytes]:
        for _ in range(20):  # 200 KB without a Content-Length (chunked)
            yield b"x" * 10_000

    resp = await client.post(url, data=body(), headers={"Content-Type": "application/xml"})
    assert resp.status == 413
    assert events.plates == []
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_read_cut_mid_picture_arrives_once(
    hass: HomeAssistant, emulator: HikvisionEmulator
) -> None:
    """The alert arrived, its picture was cut: deliver it now, and not again from the log."""
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    await asyncio.sleep(0.3)
    await emulator.push_anpr_and_crash("HALFPIC1", keep=0.5)
    await events.wait(1)
    await wait_connected(hass, emulator, count=2)  # reconnected, catch-up ran
    await asyncio.sleep(0.5)
    await emulator.push_anpr("NEXT1")
    await events.wait(2)
    await asyncio.sleep(0.3)
    assert events.plates == ["HALFPIC1", "NEXT1"]
    assert len(emulator.stats.plate_queries) >= 2
    assert await hass.config_entries.async_unload(entry.entry_id)
