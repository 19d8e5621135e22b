"""Dahua ITC cameras end to end: the emulator over loopback sockets, through the real hub.

Every test runs a real HTTP server (tools/emulators/dahua.py, digest auth) on 127.0.0.1 and the
integration's real hub, flow, source, pipeline and entities (tests/helpers.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
import logging
from pathlib import Path
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import httpx
import pytest

from custom_components.anpr.const import DOMAIN, SUBENTRY_CAMERA
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.protocols.dahua import (
    DahuaAuthError,
    DahuaClient,
    DahuaClientError,
    DahuaConnectionError,
    DahuaNotSupportedError,
)
from custom_components.anpr.sources import dahua as dh
from custom_components.anpr.sources.connection import http_base_url
from tools.emulators.dahua import EVENT, SNAP, DahuaEmulator, Quirks
from tools.emulators.hikvision import TINY_JPEG

from .helpers import (
    PlateEvents,
    async_add_camera,
    async_setup_hub,
    device_by_identifier,
    devices,
    image_bytes,
    start_camera_reconfigure,
)

pytestmark = pytest.mark.enable_socket

JPEG = (
    Path(__file__).parent / "fixtures/hikvision/20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
).read_bytes()


@pytest.fixture(autouse=True)
def fast_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorten the source's timers so reconnects and timeouts happen within a test."""
    monkeypatch.setattr(dh, "HEARTBEAT", 1)
    monkeypatch.setattr(dh, "READ_TIMEOUT", 1.5)
    monkeypatch.setattr(dh, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(dh, "BACKOFF_MAX", 0.2)
    monkeypatch.setattr(dh, "PICTURE_WAIT", 0.3)
    monkeypatch.setattr(dh, "CONNECT_TIMEOUT", 3.0)


@pytest.fixture
async def emulator() -> AsyncIterator[DahuaEmulator]:
    emu = DahuaEmulator()
    await emu.start()
    yield emu
    await emu.stop()


def camera_data(emu: DahuaEmulator, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Gate",
        "host": "127.0.0.1",
        "port": emu.port,
        "ssl": False,
        "verify_ssl": True,
        "username": emu.username,
        "password": emu.password,
        "channel": 1,
        "obverse_direction": "in",
        "fetch_snapshot": True,
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


def by_plate(events: PlateEvents) -> dict[str, dict[str, Any]]:
    """The events by plate (reads delivered together are processed concurrently)."""
    return {event["plate"]: event for event in events.events}


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    current = hass.states.get(entity_id)
    return current.state if current else None


async def wait_connected(
    hass: HomeAssistant, emu: DahuaEmulator, api: str = SNAP, count: int = 1
) -> None:
    await wait_for(lambda: emu.connections(api) >= 1 and emu.stats.connects[api] >= count)
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "on")


async def setup_camera(
    hass: HomeAssistant, emu: DahuaEmulator, **overrides: Any
) -> tuple[Any, str, PlateEvents]:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    camera_id = await async_add_camera(hass, entry, "dahua", camera_data(emu, **overrides))
    return entry, camera_id, events


async def test_snap_manager_reads_with_pictures_and_directions(
    hass: HomeAssistant, emulator: DahuaEmulator, hass_client: Any
) -> None:
    entry, camera_id, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    # The request is the documented snapManager subscription, heartbeat included.
    assert emulator.stats.paths[0] == (
        "/cgi-bin/snapManager.cgi?action=attachFileProc&Flags[0]=Event"
        "&Events=[TrafficJunction,TrafficManualSnap]&channel=1&heartbeat=1"
    )
    await emulator.push_heartbeat()
    await emulator.push_event("AB12CDE", junction="Obverse", confidence=93)
    await events.wait(1)
    await hass.async_block_till_done()
    first = events.events[0]
    assert first["plate"] == "AB12CDE"
    assert first["direction"] == "in" and first["direction_raw"] == "Obverse"
    assert first["confidence"] == pytest.approx(0.93)
    assert first["plate_colour"] == "Yellow" and first["vehicle_colour"] == "White"
    assert first["vehicle_type"] == "Motor" and first["lane"] == 1
    assert first["country"] == "GBR" and first["images"] == ["full"]
    sensor = hass.states.get("sensor.gate_last_plate")
    assert sensor is not None and sensor.state == "AB12CDE"
    assert await image_bytes(hass, hass_client, "image.gate_picture") == JPEG
    # The camera sends no plate crop: no entity that would stay unknown.
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("image", DOMAIN, f"{camera_id}_plate_picture") is None
    assert hass.states.get("image.gate_plate_picture") is None
    # No "Read plate" button: Dahua documents no on-demand recognition request.
    assert hass.states.get("button.gate_read_plate") is None

    await emulator.push_event("XY99ZZZ", junction="Reverse", driving="Leave")
    await emulator.push_event("unlicensed")  # the camera saw a vehicle without a plate
    await emulator.push_event("--")
    await emulator.push_event("MAN1SNP", code="TrafficManualSnap")
    await events.wait(3)
    # Each read is processed in its own task: reads delivered together may finish in any order.
    assert sorted(events.plates) == ["AB12CDE", "MAN1SNP", "XY99ZZZ"]
    assert by_plate(events)["XY99ZZZ"]["direction"] == "out"
    assert by_plate(events)["MAN1SNP"]["manual"] is True
    assert by_plate(events)["AB12CDE"]["manual"] is False

    # Device registry: model, serial, firmware from magicBox; unique by serial.
    device = device_by_identifier(hass, camera_id) or next(
        d for d in devices(hass) if d.serial_number == emulator.serial
    )
    assert (device.manufacturer, device.model) == ("Dahua", emulator.model)
    assert device.sw_version == emulator.firmware
    assert device.configuration_url == emulator.base_url
    source = entry.runtime_data.cameras[camera_id].source
    assert source.configuration_url == emulator.base_url
    diagnostics = source.diagnostics()
    assert diagnostics["api"] == "snapManager" and diagnostics["auth_scheme"] == "digest"
    assert diagnostics["counters"]["reads"] == 3
    assert diagnostics["parser"]["no_plate"] == 2
    assert diagnostics["parser"]["heartbeats"] >= 1
    hub = await async_get_config_entry_diagnostics(hass, entry)
    camera = hub["cameras"][camera_id]
    assert camera["data"]["password"] == "**REDACTED**"
    assert camera["data"]["username"] == "**REDACTED**"
    assert emulator.password not in str(hub) and "AB12CDE" not in str(hub)
    assert emulator.serial not in str(hub)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: emulator.connections() == 0)


async def test_obverse_means_leaving_when_set(
    hass: HomeAssistant, emulator: DahuaEmulator
) -> None:
    entry, _, events = await setup_camera(hass, emulator, obverse_direction="out")
    await wait_connected(hass, emulator)
    await emulator.push_event("OBV1", junction="Obverse", driving="Approach")
    await emulator.push_event("REV1", junction="Reverse", driving="Leave")
    await events.wait(2)
    assert {e["plate"]: e["direction"] for e in events.events} == {"OBV1": "out", "REV1": "in"}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_event_manager_fallback_replays_the_fixture_with_snapshot(
    hass: HomeAssistant, hass_client: Any, camera_clock: Callable[[datetime], None]
) -> None:
    """Firmware without snapManager: eventManager text plus a snapshot.cgi picture."""
    # The fixture is a recording of 14 June 2024: it "arrives" then (camera-clock window).
    camera_clock(datetime(2024, 6, 14, 14, 5, tzinfo=UTC))
    emu = DahuaEmulator(snap_manager=False)
    await emu.start()
    try:
        entry, camera_id, events = await setup_camera(hass, emu)
        await wait_connected(hass, emu, EVENT)
        assert emu.stats.refused[SNAP] == 1
        assert emu.stats.paths[-1] == (
            "/cgi-bin/eventManager.cgi?action=attach"
            "&codes=[TrafficJunction,TrafficManualSnap]&heartbeat=1"
        )
        await emu.replay_fixture()  # the recorded wire bytes: heartbeat, event, heartbeat
        await events.wait(1)
        await hass.async_block_till_done()
        read = events.events[0]
        assert read["plate"] == "AB12CDE" and read["direction"] == "in"
        assert read["time"].startswith("2024-06-14T14:04:36.372")
        assert read["images"] == ["full"] and emu.stats.snapshots == 1
        assert await image_bytes(hass, hass_client, "image.gate_picture") == JPEG
        # Several events in one part; a failed snapshot still delivers the read.
        emu.snapshot_status = 500
        await emu.push_event("EVT", count=2)
        await events.wait(3)
        assert sorted(events.plates[1:]) == ["EVT0", "EVT1"]
        assert by_plate(events)["EVT0"]["images"] == by_plate(events)["EVT1"]["images"] == []
        source = entry.runtime_data.cameras[camera_id].source
        assert source.diagnostics()["api"] == "eventManager"
        assert source.diagnostics()["counters"]["snapshot_failures"] == 2
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await emu.stop()


async def test_event_manager_without_snapshot_fetch(hass: HomeAssistant) -> None:
    emu = DahuaEmulator(snap_manager=False)
    await emu.start()
    try:
        entry, _, events = await setup_camera(hass, emu, fetch_snapshot=False)
        await wait_connected(hass, emu, EVENT)
        await emu.push_event("NOSNAP1")
        await events.wait(1)
        assert events.events[0]["images"] == [] and emu.stats.snapshots == 0
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await emu.stop()


@pytest.mark.parametrize(
    "quirks",
    [
        Quirks(content_length="absent", split_size=97),
        Quirks(content_length="wrong"),
        Quirks(content_length="nospace", boundary="Dahua_Boundary_7"),
        Quirks(garbage=b"\r\nwarning: log text leaked into the stream\r\n", split_size=1000),
    ],
    ids=["no-length-split", "wrong-length", "no-space-other-boundary", "garbage-between-parts"],
)
@pytest.mark.parametrize("api", [SNAP, EVENT])
async def test_stream_quirks(hass: HomeAssistant, quirks: Quirks, api: str) -> None:
    emu = DahuaEmulator(quirks=quirks, snap_manager=api == SNAP, jpeg=TINY_JPEG)
    await emu.start()
    try:
        entry, _, events = await setup_camera(hass, emu)
        await wait_connected(hass, emu, api)
        for plate in ("QRK1", "QRK2", "QRK3"):
            await emu.push_event(plate)
        await emu.push_heartbeat()
        await events.wait(3)
        assert sorted(events.plates) == ["QRK1", "QRK2", "QRK3"]
        assert all(e["images"] == ["full"] for e in events.events)
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await emu.stop()


async def test_hostile_parts_are_skipped(
    hass: HomeAssistant, emulator: DahuaEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    entry, camera_id, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    caplog.set_level(logging.WARNING)
    await emulator.push_part("text/plain", b"Code=TrafficJunction;action=Pulse;data={broken")
    await emulator.push_part("text/plain", b"no events in here")
    await emulator.push_part("image/jpeg", TINY_JPEG)  # a picture without its event
    await emulator.push_part("text/plain", b"Code=VideoMotion;action=Start;index=0")
    await emulator.push_event("GD12ABC")
    await events.wait(1)
    assert events.plates == ["GD12ABC"]
    assert "skipped an event part" in caplog.text
    diagnostics = entry.runtime_data.cameras[camera_id].source.diagnostics()
    assert diagnostics["counters"]["bad_parts"] == 2
    assert diagnostics["parser"]["orphan_pictures"] == 1
    assert diagnostics["parser"]["other_events"] == 1
    assert state(hass, "binary_sensor.gate_connectivity") == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_picture_that_never_comes_and_dropped_connection(
    hass: HomeAssistant, emulator: DahuaEmulator
) -> None:
    """A read whose picture does not follow is delivered without it; a cut mid-part
    reconnects with the back-off and the next read arrives on the new stream."""
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    await emulator.push_event("NOPIC1", picture=False)
    await events.wait(1)
    assert events.events[0]["images"] == []
    await emulator.cut(mid_part=True)
    await wait_connected(hass, emulator, count=2)
    await emulator.push_event("AFTER1")
    await events.wait(2)
    assert events.plates == ["NOPIC1", "AFTER1"]  # the half event was not a read
    assert await hass.config_entries.async_unload(entry.entry_id)


def test_base_url_brackets_ipv6() -> None:
    assert http_base_url({"host": "fe80::1", "port": 8080}) == "http://[fe80::1]:8080"
    assert http_base_url({"host": "cam", "ssl": True}) == "https://cam:443"


async def test_long_running_stream_reconnects_without_a_blip(
    hass: HomeAssistant, emulator: DahuaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream that ran for a while and ends is re-opened at once; the camera stays on."""
    monkeypatch.setattr(dh, "QUIET_RECONNECT_AFTER", 0.0)
    entry, _, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    changes: list[str] = []
    hass.bus.async_listen(
        "state_changed",
        lambda event: changes.append(event.data["new_state"].state)
        if event.data["entity_id"] == "binary_sensor.gate_connectivity"
        else None,
    )
    await emulator.cut()
    await wait_connected(hass, emulator, count=2)
    await emulator.push_event("QUIET1")
    await events.wait(1)
    assert "off" not in changes
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_silent_camera_times_out_and_reconnects(
    hass: HomeAssistant, emulator: DahuaEmulator
) -> None:
    """A camera that stops sending (no heartbeats) counts as lost after READ_TIMEOUT."""
    entry, camera_id, _ = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    for conn in list(emulator._conns):  # heartbeats stop, the socket stays open
        assert conn.beat is not None
        conn.beat.cancel()
    await wait_for(lambda: emulator.stats.connects[SNAP] >= 2)
    source = entry.runtime_data.cameras[camera_id].source
    assert source.counters["disconnects"] >= 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_stream_cut_before_picture_delivers_text(
    hass: HomeAssistant, emulator: DahuaEmulator
) -> None:
    entry, camera_id, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    await emulator.push_raw(emulator.event_bytes(SNAP, "HALF1")[:-2000])
    source = entry.runtime_data.cameras[camera_id].source
    # The event text is in (held for its picture) before the camera goes away.
    await wait_for(lambda: (source.diagnostics()["parser"] or {}).get("reads") == 1)
    await emulator.cut()
    await events.wait(1)
    assert events.plates == ["HALF1"] and events.events[0]["images"] == []
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_password_changed_on_camera_starts_reauth(
    hass: HomeAssistant, emulator: DahuaEmulator
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
    assert emulator.stats.refused[SNAP] == 0  # a 401 is not "unsupported": no fallback
    (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["subentry_id"] == camera_id
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": "admin", "password": "wrong"}
    )
    assert result["errors"] == {"password": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": "admin", "password": "changed-on-camera"}
    )
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.subentries[camera_id].data["password"] == "changed-on-camera"
    await wait_connected(hass, emulator, count=2)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_camera_without_any_event_stream(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    emu = DahuaEmulator(snap_manager=False, event_manager=False)
    await emu.start()
    try:
        caplog.set_level(logging.WARNING)
        entry, _, _ = await setup_camera(hass, emu)
        await wait_for(lambda: emu.stats.refused[EVENT] >= 1)
        await wait_for(lambda: emu.stats.refused[SNAP] >= 2)  # it keeps trying both
        assert "neither snapManager nor eventManager" in caplog.text
        assert state(hass, "binary_sensor.gate_connectivity") == "off"
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await emu.stop()


async def start_flow(hass: HomeAssistant, entry: Any) -> str:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    assert "dahua" in result["menu_options"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "dahua"}
    )
    assert result["type"] is FlowResultType.FORM and result["step_id"] == "dahua"
    return str(result["flow_id"])


async def test_flow_tests_the_camera_before_creating_it(
    hass: HomeAssistant, emulator: DahuaEmulator
) -> None:
    entry = await async_setup_hub(hass)
    flow_id = await start_flow(hass, entry)
    configure = hass.config_entries.subentries.async_configure
    result = await configure(flow_id, camera_data(emulator, password="wrong"))
    assert result["errors"] == {"password": "invalid_auth"}
    result = await configure(flow_id, camera_data(emulator, host="  "))
    assert result["errors"] == {"host": "cannot_connect"}
    closed = DahuaEmulator()
    await closed.start()
    port = closed.port
    await closed.stop()
    result = await configure(flow_id, camera_data(emulator, port=port))
    assert result["errors"] == {"base": "cannot_connect"}
    emulator.system_info_override = (404, b"<html>Not Found</html>")
    result = await configure(flow_id, camera_data(emulator))
    assert result["errors"] == {"base": "not_dahua"}
    emulator.system_info_override = (200, b"<html>some router</html>")
    result = await configure(flow_id, camera_data(emulator))
    assert result["errors"] == {"base": "not_dahua"}
    emulator.system_info_override = None
    result = await configure(flow_id, camera_data(emulator))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry = next(iter(entry.subentries.values()))
    assert subentry.unique_id == emulator.serial
    assert subentry.data["device"]["model"] == emulator.model
    assert subentry.data["device"]["manufacturer"] == "Dahua"
    assert subentry.data["device"]["sw_version"] == emulator.firmware
    # The same camera again is refused.
    flow_id = await start_flow(hass, entry)
    result = await configure(flow_id, camera_data(emulator, name="Gate 2"))
    assert result["type"] is FlowResultType.ABORT and result["reason"] == "already_configured"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_keeps_the_same_camera(
    hass: HomeAssistant, emulator: DahuaEmulator
) -> None:
    """Reconfigure: a new address of the same camera is taken; another camera is refused."""
    entry, camera_id, events = await setup_camera(hass, emulator)
    await wait_connected(hass, emulator)
    moved = DahuaEmulator(serial=emulator.serial)
    other = DahuaEmulator(serial="8K0ZZZZ999999")
    await moved.start()
    await other.start()
    try:

        async def reconfigure(emu: DahuaEmulator, **overrides: Any) -> dict[str, Any]:
            result = await start_camera_reconfigure(hass, entry, camera_id)
            assert result["type"] is FlowResultType.FORM
            assert result["step_id"] == "reconfigure_dahua"
            data = camera_data(emu, **overrides)
            data.pop("name")
            return dict(
                await hass.config_entries.subentries.async_configure(result["flow_id"], data)
            )

        result = await reconfigure(moved, password="wrong")
        assert result["errors"] == {"password": "invalid_auth"}
        result = await reconfigure(other)
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "unique_id_mismatch"
        result = await reconfigure(moved, obverse_direction="out")
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reconfigure_successful"
        await hass.async_block_till_done()
        assert entry.subentries[camera_id].data["port"] == moved.port
        await wait_for(lambda: moved.connections() == 1)
        await moved.push_event("MOVED1", junction="Obverse")
        await events.wait(1)
        assert events.plates == ["MOVED1"] and events.events[0]["direction"] == "out"
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await moved.stop()
        await other.stop()


async def test_client_basic_fallback_and_errors() -> None:
    """Basic-only cameras, refused credentials, odd answers and unreachable hosts."""
    emu = DahuaEmulator(auth="basic")
    await emu.start()
    try:
        async with httpx.AsyncClient() as session:
            client = DahuaClient(session, emu.base_url, "admin", emu.password, timeout=2)
            info = await client.device_info()
            assert client.auth_scheme == "basic" and info.serial == emu.serial
            assert await client.snapshot(1) == emu.jpeg
            emu.jpeg = b"<html>not a picture</html>"
            assert await client.snapshot(1) is None
            with pytest.raises(DahuaNotSupportedError):
                await client.get("/cgi-bin/magicBox.cgi?action=reboot")
            with pytest.raises(DahuaClientError, match="exceeds"):
                await client.get("/cgi-bin/magicBox.cgi?action=getSystemInfo", cap=10)
            emu.snapshot_status = 503
            with pytest.raises(DahuaClientError, match="HTTP 503"):
                await client.snapshot(1)
            bad = DahuaClient(session, emu.base_url, "admin", "nope", timeout=2)
            with pytest.raises(DahuaAuthError):
                await bad.device_info()
        emu.auth = "none"
        async with httpx.AsyncClient() as session:
            client = DahuaClient(session, emu.base_url, "admin", emu.password, timeout=2)
            emu.firmware = None  # firmware that does not answer getSoftwareVersion
            info = await client.device_info()
            assert info.firmware is None and client.auth_scheme == "digest"
    finally:
        await emu.stop()

    release = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)  # accepts the request and never answers
        await release.wait()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient() as session:
            client = DahuaClient(session, f"http://127.0.0.1:{port}", "admin", "x", timeout=0.3)
            with pytest.raises(DahuaConnectionError, match="timeout"):
                await client.device_info()
    finally:
        release.set()
        server.close()
        await server.wait_closed()
    async with httpx.AsyncClient() as session:
        client = DahuaClient(session, emu.base_url, "admin", "x", timeout=0.5)
        with pytest.raises(DahuaConnectionError):
            await client.device_info()
