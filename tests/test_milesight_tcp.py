"""``milesight_tcp`` through the real hub against the Milesight TCP camera emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import logging
import socket
import struct

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.anpr.const import SUBENTRY_CAMERA
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.protocols.milesight_tcp import (
    CHUNK_IMAGE,
    CHUNK_META,
    Command,
    build_packet,
)
from custom_components.anpr.sources.milesight_tcp import STOP_DRAIN, MilesightTcpSource
from tools.emulators.milesight_packets import build_chunk, build_metadata
from tools.emulators.milesight_tcp import MilesightCamera, fake_jpeg

from .helpers import PlateEvents, async_add_camera, async_setup_hub

pytestmark = pytest.mark.enable_socket


@pytest.fixture
async def camera(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[MilesightCamera]:
    monkeypatch.setattr(MilesightTcpSource, "backoff_initial", 0.05)
    monkeypatch.setattr(MilesightTcpSource, "backoff_max", 0.2)
    monkeypatch.setattr(MilesightTcpSource, "stall_timeout", 0.2)
    cam = MilesightCamera(password="1234")
    await cam.start()
    yield cam
    await cam.stop()


def _data(camera: MilesightCamera, **extra: object) -> dict[str, object]:
    return {
        "name": "Barrier",
        "host": "127.0.0.1",
        "port": camera.port,
        "username": "admin",
        "password": "1234",
        "repeat_window": 0,
        **extra,
    }


async def _wait_state(hass: HomeAssistant, entity_id: str, state: str) -> None:
    async with asyncio.timeout(10):
        while True:
            await hass.async_block_till_done()
            current = hass.states.get(entity_id)
            if current is not None and current.state == state:
                return
            await asyncio.sleep(0.01)


async def _wait_logged_in(hass: HomeAssistant, camera: MilesightCamera) -> None:
    """Wait until the integration is logged in (connectivity on)."""
    await _wait_state(hass, "binary_sensor.barrier_connectivity", "on")


async def test_flow_validates_login(hass: HomeAssistant, camera: MilesightCamera) -> None:
    entry = await async_setup_hub(hass)

    async def submit(data: dict[str, object]) -> dict[str, object]:
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": "milesight_tcp"}
        )
        return dict(await hass.config_entries.subentries.async_configure(result["flow_id"], data))

    result = await submit(_data(camera, password="wrong"))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"password": "invalid_auth"}
    assert camera.logins_refused == 1
    result = await submit(_data(camera, port=1))
    assert result["errors"] == {"base": "cannot_connect"}
    result = await submit(_data(camera))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert camera.logins_ok >= 1  # validation logged in once (the source then connects)
    await _wait_logged_in(hass, camera)
    assert hass.states.get("binary_sensor.barrier_connectivity").state == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("revision", ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"])
async def test_reads_of_every_revision(
    hass: HomeAssistant, camera: MilesightCamera, revision: str
) -> None:
    camera.revision = revision
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "milesight_tcp", _data(camera))
    events = PlateEvents(hass)
    await _wait_logged_in(hass, camera)
    await camera.send_read("AB12CDE", direction=2)
    (event,) = await events.wait(1)
    assert event["plate"] == "AB12CDE"
    assert event["direction"] == ("unknown" if revision == "1.0" else "out")
    assert event["source"] == "milesight_tcp"
    await hass.async_block_till_done()
    assert hass.states.get("image.barrier_plate_picture").state != "unknown"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_restart_garbage_truncation_oversize(
    hass: HomeAssistant, camera: MilesightCamera, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "milesight_tcp", _data(camera))
    events = PlateEvents(hass)
    await _wait_logged_in(hass, camera)

    # Reads sent right before the camera restarts are all delivered.
    for plate in ("PRE0001", "PRE0002", "PRE0003"):
        await camera.send_read(plate)
    await camera.restart(down_for=0.1)
    await events.wait(3)
    await _wait_state(hass, "binary_sensor.barrier_connectivity", "off")
    await _wait_logged_in(hass, camera)
    assert hass.states.get("binary_sensor.barrier_connectivity").state == "on"
    assert camera.logins_ok >= 3  # validation, first connection, reconnection
    await camera.send_read("POST001")
    await events.wait(4)

    # Garbage between packets, a truncated packet, an oversize size field, a bad end.
    await camera.inject(b"\x00garbage\xcc\xff\x01")
    await camera.send_read("GOOD001")
    await camera.inject(camera.recog_packet("CUT0001")[:120])
    await camera.send_read("GOOD002")
    await camera.inject(MilesightCamera.oversize_header())
    await camera.send_read("GOOD003")
    bad_end = bytearray(camera.recog_packet("BADEND1"))
    bad_end[-2:] = b"\x00\x00"
    await camera.inject(bytes(bad_end))
    await camera.send_read("GOOD004")
    await events.wait(8)
    # A post cut short (claiming a big picture), then one good post and silence: the good
    # one arrives once the stream has been quiet for stall_timeout.
    big = camera.recog_packet("CUTBIG1", images=(b"\xff\xd8" + b"\x00" * 100_000,))
    await camera.inject(big[:300])
    await camera.send_read("GOOD005")
    await events.wait(9)
    assert events.plates == [
        "PRE0001", "PRE0002", "PRE0003", "POST001", "GOOD001", "GOOD002", "GOOD003", "GOOD004",
        "GOOD005",
    ]  # fmt: skip
    text = caplog.text
    assert "garbage before a packet signature" in text
    assert "truncated" in text
    assert "DATA_SIZE 2147483632 outside" in text
    assert "no FF DD end signature" in text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_camera_down_then_back(hass: HomeAssistant, camera: MilesightCamera) -> None:
    """Connectivity off while the camera is down; reads queued by the camera arrive after."""
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "milesight_tcp", _data(camera))
    events = PlateEvents(hass)
    await _wait_logged_in(hass, camera)
    await camera.stop()
    await _wait_state(hass, "binary_sensor.barrier_connectivity", "off")
    assert hass.states.get("sensor.barrier_last_plate").state == "unavailable"
    await camera.send_read("QUEUED1")  # no client: the camera queues it
    await camera.start()
    await events.wait(1)
    assert events.plates == ["QUEUED1"]
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.barrier_connectivity").state == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_login_refused_starts_reauth(
    hass: HomeAssistant, camera: MilesightCamera, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    entry = await async_setup_hub(hass)
    sub_id = await async_add_camera(hass, entry, "milesight_tcp", _data(camera))
    await _wait_logged_in(hass, camera)
    camera.password = "changed"
    await camera.restart()
    for _ in range(100):
        await hass.async_block_till_done()
        flows = hass.config_entries.flow.async_progress_by_handler("anpr")
        if flows:
            break
        await asyncio.sleep(0.02)
    (flow,) = flows
    assert flow["context"]["source"] == "reauth"
    assert flow["context"]["subentry_id"] == sub_id
    assert "refused the login (result 401)" in caplog.text
    assert "changed" not in caplog.text
    refused = camera.logins_refused
    # No hammering after a refusal: the source stopped retrying.
    await asyncio.sleep(0.3)
    assert camera.logins_refused == refused
    # The user enters the new password in the reauth form: the camera reconnects.
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": "admin", "password": "changed"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await _wait_logged_in(hass, camera)
    events = PlateEvents(hass)
    await camera.send_read("AFTER01")
    await events.wait(1)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_flow_refuses_blank_host_and_a_port_that_is_no_camera(
    hass: HomeAssistant, camera: MilesightCamera
) -> None:
    """A blank host, or a port where a web server answers and hangs up: "cannot connect"."""
    entry = await async_setup_hub(hass)

    async def web_server(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1024)
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(web_server, "127.0.0.1", 0)
    web_port = server.sockets[0].getsockname()[1]

    async def submit(data: dict[str, object]) -> dict[str, object]:
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": "milesight_tcp"}
        )
        return dict(await hass.config_entries.subentries.async_configure(result["flow_id"], data))

    try:
        result = await submit(_data(camera, host="   "))
        assert result["errors"] == {"host": "cannot_connect"}
        result = await submit(_data(camera, port=web_port))
        assert result["errors"] == {"base": "cannot_connect"}
    finally:
        server.close()
        await server.wait_closed()
    assert not entry.subentries
    assert camera.logins_ok == 0
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unknown_packets_bad_metadata_and_cut_picture(
    hass: HomeAssistant, camera: MilesightCamera, caplog: pytest.LogCaptureFixture
) -> None:
    """Framed but unusable packets are skipped with one log line each; good reads still arrive;
    a post whose last picture chunk is cut short is delivered with the pictures before it."""
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "milesight_tcp", _data(camera))
    events = PlateEvents(hass)
    await _wait_logged_in(hass, camera)
    # A second login reply in the middle of the stream (not a recognition post): ignored.
    await camera.send_raw(build_packet(Command.LOGIN_REPLY, b'{"result": "200"}'))
    await camera.send_read("GOOD001")
    # A recognition post whose metadata chunk is not JSON.
    await camera.send_raw(
        build_packet(Command.RECOG_POST, build_chunk(CHUNK_META, b"not json at all"))
    )
    await camera.send_read("GOOD002")
    # A recognition post whose full-scene picture chunk claims more bytes than it carries.
    metadata = build_metadata(
        revision="1.6", plate="CUTPIC1", time_ms=1_700_000_000_000, image_count=2,
        direction=1, confidence=0.9, plate_type=3,
    )  # fmt: skip
    chunks = build_chunk(CHUNK_META, metadata) + build_chunk(CHUNK_IMAGE, fake_jpeg(240, 60))
    chunks += build_chunk(CHUNK_IMAGE, fake_jpeg(1280, 720, 512))[:-300]
    await camera.send_raw(build_packet(Command.RECOG_POST, chunks))
    await camera.send_read("GOOD003")
    await events.wait(4)
    assert events.plates == ["GOOD001", "GOOD002", "CUTPIC1", "GOOD003"]
    text = caplog.text
    assert "skipped a recognition post" in text
    assert "recognition post CUTPIC1 had a truncated picture chunk" in text
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (cam,) = diagnostics["cameras"].values()
    assert cam["source"]["counters"]["reads"] == 4
    assert cam["source"]["counters"]["bad_packets"] == 1
    assert cam["source"]["last_error"] is None
    assert "1234" not in str(diagnostics)  # never the password
    assert await hass.config_entries.async_unload(entry.entry_id)


class _RawCamera:
    """A camera that logs anyone in and sends one read; on the second connection (the first
    after validation) it then resets the connection (a power cut of its network chip); after
    that it ignores our half-close at unload (a hung firmware)."""

    def __init__(self) -> None:
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []
        self.tasks: set[asyncio.Task[object]] = set()
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        self.connections += 1
        self.writers.append(writer)
        with contextlib.suppress(OSError):
            await reader.read(65536)  # the login request
            writer.write(build_packet(Command.LOGIN_REPLY, b'{"result": "200"}'))
            writer.write(MilesightCamera().recog_packet(f"RAW000{self.connections}"))
            await writer.drain()
            if self.connections == 2:
                await asyncio.sleep(0.2)
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            while await reader.read(65536):  # EOF from the integration: ignored, stay open
                pass
            await asyncio.sleep(30)

    async def stop(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=2)
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


async def test_connection_reset_and_hung_camera_at_unload(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reset connection: the reason is in diagnostics, the source logs in again and reads
    keep coming. A camera that never closes its side: unload still ends within about
    STOP_DRAIN."""
    monkeypatch.setattr(MilesightTcpSource, "backoff_initial", 0.05)
    raw = _RawCamera()
    await raw.start()
    try:
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await async_add_camera(
            hass, entry, "milesight_tcp", {**_data(MilesightCamera()), "port": raw.port}
        )
        # Validation logged in once (its read is not delivered); RAW0002 came before the reset,
        # RAW0003 after the reconnection.
        await events.wait(2)
        assert events.plates == ["RAW0002", "RAW0003"]
        await _wait_state(hass, "binary_sensor.barrier_connectivity", "on")
        diagnostics = await async_get_config_entry_diagnostics(hass, entry)
        (cam,) = diagnostics["cameras"].values()
        assert cam["source"]["counters"]["connects"] == 2
        assert "reset" in str(cam["source"]["last_error"]).lower()
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert loop.time() - started < STOP_DRAIN + 2
    finally:
        await raw.stop()
