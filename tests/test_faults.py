"""Fault injection against the camera emulators, through the real hub.

Each scenario breaks something on purpose (the camera dies mid-part, a half-open TCP peer, a
slow-loris sender, 10 000 reads replayed at once, the disk full, the sightings database locked,
Home Assistant restarting mid-stream) and asserts what the user sees (entity states,
connectivity, one log line), that nothing crashes, and that no delivered read is lost: reads
the emulator sent are counted against ``anpr_plate_read`` events and history rows.

Real sockets on 127.0.0.1, real emulators (tools/emulators), real SQLite and filesystem failures
(a /dev/full symlink gives ENOSPC; a second SQLite connection holds the write lock).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
import socket
import sqlite3
from types import SimpleNamespace
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
import pytest

from custom_components.anpr.media import PictureSaver
from custom_components.anpr.sources import hikvision as hik_source
from custom_components.anpr.sources.milesight_tcp import MilesightTcpSource
from tools.emulators.hikvision import HikvisionEmulator
from tools.emulators.milesight_tcp import MilesightCamera, fake_jpeg
from tools.emulators.nvr_text import NvrTextSender

from .helpers import PlateEvents, async_add_camera, async_setup_hub

pytestmark = pytest.mark.enable_socket

SMALL_JPEG = (fake_jpeg(240, 60, 16),)


async def wait_for(check: Callable[[], bool], limit: float = 10.0) -> None:
    """Poll a condition that changes through sockets (no event to wait on)."""
    async with asyncio.timeout(limit):
        while not check():  # noqa: ASYNC110 - state changes come from other sockets
            await asyncio.sleep(0.02)


def state(hass: HomeAssistant, entity_id: str) -> str | None:
    """Current state of an entity (None when it does not exist)."""
    current = hass.states.get(entity_id)
    return current.state if current else None


_LETTERS = "ABCDEFGHJKLMNPRSTUVWXY"


def uk(prefix: str, n: int) -> str:
    """A distinct plate in the current UK format (``AB12CDE``), so no format fix rewrites it."""
    a, b = divmod(n // 100, len(_LETTERS))
    c, d = divmod(a, len(_LETTERS))
    return f"{prefix}{n % 100:02d}{_LETTERS[c % len(_LETTERS)]}{_LETTERS[d]}{_LETTERS[b]}"


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for listeners configured through the flow)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def history_rows(entry: Any) -> int:
    """Rows in the sightings table (what the history panel and the counts show)."""
    counts = await entry.runtime_data.history.async_counts()
    return int(counts["sightings"])


# --- Milesight TCP camera ---------------------------------------------------------------------


@pytest.fixture
async def milesight(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[MilesightCamera]:
    """The Milesight TCP camera emulator with fast reconnects."""
    monkeypatch.setattr(MilesightTcpSource, "backoff_initial", 0.05)
    monkeypatch.setattr(MilesightTcpSource, "backoff_max", 0.2)
    cam = MilesightCamera(password="1234")
    await cam.start()
    yield cam
    await cam.stop()


async def milesight_camera(
    hass: HomeAssistant, cam: MilesightCamera, options: dict[str, Any] | None = None
) -> tuple[Any, PlateEvents]:
    """Hub + one Milesight camera named Barrier, logged in."""
    entry = await async_setup_hub(hass, options)
    events = PlateEvents(hass)
    cam.logged_in.clear()
    await async_add_camera(
        hass,
        entry,
        "milesight_tcp",
        {
            "name": "Barrier",
            "host": "127.0.0.1",
            "port": cam.port,
            "username": "admin",
            "password": "1234",
            "repeat_window": 0,
        },
    )
    await wait_for(lambda: cam.clients == 1)
    await wait_for(lambda: state(hass, "binary_sensor.barrier_connectivity") == "on")
    return entry, events


async def test_milesight_camera_killed_mid_packet(
    hass: HomeAssistant, milesight: MilesightCamera, caplog: pytest.LogCaptureFixture
) -> None:
    """The camera dies halfway through a packet and reboots; reads captured while it is down
    are queued by the camera and sent after the next login. The half packet is never a read."""
    entry, events = await milesight_camera(hass, milesight)
    sent: list[str] = []
    for n in range(5):
        sent.append(uk("KB", n))
        await milesight.send_read(sent[-1], images=SMALL_JPEG)
    await events.wait(5)
    half = milesight.recog_packet("CU99AAA", images=SMALL_JPEG)
    await milesight.inject(half[: len(half) // 2])
    await asyncio.sleep(0.1)
    await milesight.stop()  # power cut: connection reset with half a packet buffered
    await wait_for(lambda: state(hass, "binary_sensor.barrier_connectivity") == "off")
    assert state(hass, "sensor.barrier_last_plate") == STATE_UNAVAILABLE
    for n in range(5, 10):  # captured while the NVR link is down: queued on the camera
        sent.append(uk("KB", n))
        await milesight.send_read(sent[-1], images=SMALL_JPEG)
    await milesight.start()
    await wait_for(lambda: state(hass, "binary_sensor.barrier_connectivity") == "on")
    await events.wait(10)
    for n in range(10, 12):
        sent.append(uk("KB", n))
        await milesight.send_read(sent[-1], images=SMALL_JPEG)
    await events.wait(12)
    await asyncio.sleep(0.2)
    assert events.plates == sent  # every complete read once, in order; CU99AAA never
    assert state(hass, "sensor.barrier_last_plate") == sent[-1]
    assert await history_rows(entry) == len(sent)
    assert "connection closed inside a packet" in caplog.text
    assert "Camera Barrier is unavailable (connection lost)" in caplog.text
    assert "Traceback" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_milesight_10000_reads_replayed_after_reconnect(
    hass: HomeAssistant, milesight: MilesightCamera, caplog: pytest.LogCaptureFixture
) -> None:
    """The camera buffered 10 000 reads during an outage and replays them in one burst."""
    entry, events = await milesight_camera(hass, milesight)
    await milesight.stop()
    await wait_for(lambda: state(hass, "binary_sensor.barrier_connectivity") == "off")
    total = 10_000
    plates = [uk("RP", n) for n in range(total)]
    for plate in plates:
        await milesight.send_read(plate, images=SMALL_JPEG)  # queued: nobody logged in
    loop = asyncio.get_running_loop()
    started = loop.time()
    await milesight.start()
    await events.wait(total, timeout=240)
    elapsed = loop.time() - started
    await asyncio.sleep(0.3)
    assert len(events.events) == total
    assert events.plates == plates  # in order, none twice
    assert state(hass, "sensor.barrier_last_plate") == plates[-1]
    assert state(hass, "binary_sensor.barrier_connectivity") == "on"
    assert await history_rows(entry) == total
    assert "Traceback" not in caplog.text
    logging.getLogger(__name__).warning("10 000 replayed reads processed in %.1f s", elapsed)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_ha_restart_mid_stream(
    hass: HomeAssistant, milesight: MilesightCamera, caplog: pytest.LogCaptureFixture
) -> None:
    """The hub is unloaded and set up again while the camera keeps sending a read every 20 ms.

    Reads the camera captures while nobody is logged in are queued and replayed at the next
    login, so every read the camera sent arrives exactly once."""
    entry, events = await milesight_camera(hass, milesight)
    sent: list[str] = []

    async def camera_traffic() -> None:
        for n in range(60):
            sent.append(uk("HR", n))
            await milesight.send_read(sent[-1], images=SMALL_JPEG)
            await asyncio.sleep(0.02)

    traffic = asyncio.create_task(camera_traffic())
    await wait_for(lambda: len(sent) >= 15)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    delivered_before = len(events.events)
    assert state(hass, "sensor.barrier_last_plate") == STATE_UNAVAILABLE
    await asyncio.sleep(0.3)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await traffic
    await events.wait(len(sent), timeout=20)
    await asyncio.sleep(0.3)
    assert 0 < delivered_before < len(sent)
    assert sorted(events.plates) == sorted(sent)  # none lost, none twice
    assert await history_rows(entry) == len(sent)
    assert state(hass, "sensor.barrier_last_plate") == events.plates[-1]
    assert "Traceback" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


# --- Pictures on a full disk, sightings database locked ------------------------------------------


async def test_disk_full_while_saving_pictures(
    hass: HomeAssistant,
    milesight: MilesightCamera,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Saving pictures fails with ENOSPC (the file is a symlink to /dev/full) and then because
    the media folder is not a folder: reads are still shown and recorded, one warning each."""
    media = tmp_path / "media"
    hass.config.media_dirs = {"local": str(media)}
    entry, events = await milesight_camera(hass, milesight, {"save_images": True})
    runtime = entry.runtime_data
    saver = PictureSaver(hass, entry, runtime.history, runtime.site.privacy)
    # A capture time of an hour ago: inside the camera-clock window of the validation step.
    recent = datetime.now(UTC).replace(minute=6, second=7, microsecond=0) - timedelta(hours=1)
    base_ms = int(recent.timestamp() * 1000)

    def target(plate: str, n: int) -> Path:
        when = datetime.fromtimestamp((base_ms + n * 1000) / 1000, UTC)
        return saver.path_for(
            SimpleNamespace(time=when, camera="Barrier", plate=plate),  # type: ignore[arg-type]
            "image/jpeg",
        )

    # 1: a normal save works (the control).
    await milesight.send_read("DF01AAA", images=SMALL_JPEG, time_ms=base_ms)
    await events.wait(1)
    # The saver creates the file, then writes it: wait for the whole picture.
    await wait_for(
        lambda: target("DF01AAA", 0).exists()
        and target("DF01AAA", 0).stat().st_size == len(SMALL_JPEG[0])
    )
    assert target("DF01AAA", 0).read_bytes() == SMALL_JPEG[0]
    # 2: the disk is full: the write fails with ENOSPC from the kernel.
    full = target("DF02AAA", 1)
    full.parent.mkdir(parents=True, exist_ok=True)
    full.symlink_to("/dev/full")
    await milesight.send_read("DF02AAA", images=SMALL_JPEG, time_ms=base_ms + 1000)
    await events.wait(2)
    await wait_for(lambda: "No space left on device" in caplog.text)
    # 3: the media folder is gone and a file took its name: mkdir fails.
    day = target("DF03AAA", 2).parent
    for child in list(day.iterdir()):
        child.unlink()
    day.rmdir()
    day.write_bytes(b"not a folder")
    await milesight.send_read("DF03AAA", images=SMALL_JPEG, time_ms=base_ms + 2000)
    await events.wait(3)
    await wait_for(lambda: caplog.text.count("Could not save the picture of a sighting") == 2)
    # 4: space is back: the next picture is saved again.
    day.unlink()
    await milesight.send_read("DF04AAA", images=SMALL_JPEG, time_ms=base_ms + 3000)
    await events.wait(4)
    # The saver creates the file, then writes it: wait for the whole picture.
    await wait_for(
        lambda: target("DF04AAA", 3).exists()
        and target("DF04AAA", 3).stat().st_size == len(SMALL_JPEG[0])
    )
    assert events.plates == ["DF01AAA", "DF02AAA", "DF03AAA", "DF04AAA"]
    assert state(hass, "sensor.barrier_last_plate") == "DF04AAA"
    assert await history_rows(entry) == 4
    assert "Traceback" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_history_database_locked(
    hass: HomeAssistant,
    milesight: MilesightCamera,
    isolated_history: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another process holds the SQLite write lock longer than the busy timeout (5 s): the
    sightings store cannot be written. The read must still reach the user (sensor, event) with
    one log line; reads after the lock is released are recorded again."""
    entry, events = await milesight_camera(hass, milesight)
    await milesight.send_read("LK01AAA", images=SMALL_JPEG)
    await events.wait(1)
    other = sqlite3.connect(isolated_history, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN EXCLUSIVE")
        await milesight.send_read("LK02AAA", images=SMALL_JPEG)
        await events.wait(2, timeout=15)
        assert state(hass, "sensor.barrier_last_plate") == "LK02AAA"
    finally:
        other.execute("ROLLBACK")
        other.close()
    await milesight.send_read("LK03AAA", images=SMALL_JPEG)
    await events.wait(3)
    assert events.plates == ["LK01AAA", "LK02AAA", "LK03AAA"]
    assert state(hass, "sensor.barrier_last_plate") == "LK03AAA"
    assert "could not record a sighting in the history (database is locked)" in caplog.text
    assert await history_rows(entry) == 2  # LK002 could not be recorded; the others were
    assert await hass.config_entries.async_unload(entry.entry_id)


# --- Hikvision alertStream ----------------------------------------------------------------------


@pytest.fixture
async def hikvision(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[HikvisionEmulator]:
    """The Hikvision ISAPI emulator with the source's timers shortened."""
    monkeypatch.setattr(hik_source, "READ_TIMEOUT", 1.0)
    monkeypatch.setattr(hik_source, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(hik_source, "BACKOFF_MAX", 0.2)
    monkeypatch.setattr(hik_source, "PICTURE_WAIT", 0.3)
    monkeypatch.setattr(hik_source, "CONNECT_TIMEOUT", 3.0)
    emu = HikvisionEmulator()
    await emu.start()
    yield emu
    await emu.stop()


async def hikvision_camera(hass: HomeAssistant, emu: HikvisionEmulator) -> tuple[Any, PlateEvents]:
    """Hub + one Hikvision camera named Gate in arming mode with catch-up."""
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await async_add_camera(
        hass,
        entry,
        "hikvision",
        {
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
        },
    )
    await wait_for(lambda: emu.connections == 1)
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "on")
    await asyncio.sleep(0.3)  # first connection: the catch-up cursor is set
    return entry, events


async def test_hikvision_camera_killed_mid_part(
    hass: HomeAssistant, hikvision: HikvisionEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The camera crashes halfway through a part, plates captured while it reboots are fetched
    from its plate log after the reconnect: every plate once, the half part never."""
    entry, events = await hikvision_camera(hass, hikvision)
    sent = [uk("HK", n) for n in range(4)]
    for plate in sent:
        await hikvision.push_anpr(plate)
        await hikvision.push_heartbeat()
    await events.wait(4)
    missed = [uk("HM", n) for n in range(3)]
    restart = asyncio.create_task(hikvision.restart(0.8, missed))  # cut(mid_part=True) first
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "off")
    assert state(hass, "sensor.gate_last_plate") == STATE_UNAVAILABLE
    await restart
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "on")
    await events.wait(7)
    after = [uk("HA", n) for n in range(3)]
    for plate in after:
        await hikvision.push_anpr(plate)
        await hikvision.push_heartbeat()
    await events.wait(10)
    await asyncio.sleep(0.5)
    assert events.plates == sent + missed + after
    assert "CUT000" not in events.plates
    assert await history_rows(entry) == 10
    assert "Camera Gate is unavailable (connection lost)" in caplog.text
    assert "Traceback" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_hikvision_half_open_stream(
    hass: HomeAssistant, hikvision: HikvisionEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The camera stops writing without closing the connection (no FIN, no RST): the read
    timeout drops it, the source reconnects, and plates captured meanwhile come from the log."""
    entry, events = await hikvision_camera(hass, hikvision)
    await hikvision.push_anpr("HO01AAA")
    await events.wait(1)
    # Half-open: the emulator forgets the stream without closing its socket.
    zombies = list(hikvision._conns)
    hikvision._conns.clear()
    silent = [uk("HS", n) for n in range(3)]
    for plate in silent:
        await hikvision.push_anpr(plate)  # plate log only: the live stream is dead
    await wait_for(lambda: hikvision.stats.stream_connects >= 2, limit=10)
    await wait_for(lambda: state(hass, "binary_sensor.gate_connectivity") == "on")
    await events.wait(4)
    await hikvision.push_anpr("HO02AAA")
    await events.wait(5)
    await asyncio.sleep(0.5)
    assert events.plates == ["HO01AAA", *silent, "HO02AAA"]
    assert await history_rows(entry) == 5
    assert "Traceback" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)
    for conn in zombies:
        if conn.request.transport is not None:
            conn.request.transport.abort()
        conn.queue.put_nowait(None)


# --- NVR text listener -------------------------------------------------------------------------


async def nvr_camera(hass: HomeAssistant, **data: Any) -> tuple[Any, PlateEvents, int]:
    """Hub + one NVR text listener named Lane on a free loopback port."""
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    port = free_port()
    await async_add_camera(
        hass,
        entry,
        "nvr_text",
        {
            "name": "Lane",
            "host": "127.0.0.1",
            "port": port,
            "start_string": "<LPR>",
            "end_string": "</LPR>",
            "encoding": "US-ASCII",
            "idle_timeout": 300,
            "max_connections": 4,
            "repeat_window": 0,
            **data,
        },
    )
    return entry, events, port


async def test_nvr_text_half_open_sender_frees_its_slot(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A sender that goes silent without FIN holds the only connection slot until the idle
    timeout closes it; then another sender gets in and its reads arrive."""
    entry, events, port = await nvr_camera(hass, idle_timeout=5, max_connections=1)
    zombie = NvrTextSender(port=port)
    await zombie.send("NV01AAA")
    await events.wait(1)
    # The zombie never writes again and never reads (no FIN): half-open from our side.
    late = NvrTextSender(port=port)
    await late.connect()
    assert await late.closed_by_peer(2.0)  # refused while the slot is held
    assert "limit of 1 connections" in caplog.text
    await late.close()
    assert await zombie.closed_by_peer(8.0)  # the idle timeout closed the half-open one
    fresh = NvrTextSender(port=port)
    await fresh.send("NV02AAA", "NV03AAA")
    await events.wait(3)
    assert events.plates == ["NV01AAA", "NV02AAA", "NV03AAA"]
    assert await history_rows(entry) == 3
    await fresh.close()
    await zombie.close()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_nvr_text_slow_loris(hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> None:
    """One sender trickles a read one byte every 50 ms; another sender is served meanwhile;
    a sender trickling bytes without an end string is cut at the read cap, not buffered."""
    entry, events, port = await nvr_camera(hass)
    slow = NvrTextSender(port=port)
    fast = NvrTextSender(port=port)
    frame = slow.frame("SL01AAA")

    async def trickle() -> None:
        for byte in frame:
            await slow.write(bytes([byte]))
            await asyncio.sleep(0.05)

    task = asyncio.create_task(trickle())
    await asyncio.sleep(0.2)
    await fast.send("FA01AAA")
    await events.wait(1)
    assert events.plates == ["FA01AAA"]  # not held up by the slow sender
    assert not task.done()
    await task
    await events.wait(2)
    # Endless bytes without the end string: dropped at the 1024-byte read cap, one warning.
    flood = NvrTextSender(port=port)
    await flood.write(b"<LPR>" + b"A" * 3000)
    await flood.send("AF01AAA")
    await events.wait(3)
    assert events.plates == ["FA01AAA", "SL01AAA", "AF01AAA"]
    assert "without end string" in caplog.text
    assert await history_rows(entry) == 3
    for sender in (slow, fast, flood):
        await sender.close()
    assert await hass.config_entries.async_unload(entry.entry_id)


# --- Webhook (http_push) -------------------------------------------------------------------------


async def test_webhook_slow_loris(
    hass: HomeAssistant, hass_client_no_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A camera sends its POST one byte every 20 ms over a raw socket; a normal POST sent
    meanwhile is answered and delivered at once; the slow one is delivered when complete."""
    entry = await async_setup_hub(hass)
    sub_id = await async_add_camera(hass, entry, "http_push", {"name": "Gate", "repeat_window": 0})
    webhook_id = entry.subentries[sub_id].data["webhook_id"]
    events = PlateEvents(hass)
    client = await hass_client_no_auth()
    port = client.server.port
    body = b'{"plate": "SL02AAA", "direction": "in"}'
    request = (
        f"POST /api/webhook/{webhook_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode() + body
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def trickle() -> bytes:
        for byte in request:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.02)
        return await reader.read()

    task = asyncio.create_task(trickle())
    await asyncio.sleep(0.3)
    resp = await client.post(f"/api/webhook/{webhook_id}", json={"plate": "FA02AAA"})
    assert resp.status == 200
    await events.wait(1)
    assert events.plates == ["FA02AAA"]
    assert not task.done()
    answer = await asyncio.wait_for(task, 30)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200")
    await events.wait(2)
    assert events.plates == ["FA02AAA", "SL02AAA"]
    assert state(hass, "sensor.gate_last_plate") == "SL02AAA"
    assert await history_rows(entry) == 2
    assert "Traceback" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_webhook_camera_killed_mid_body(
    hass: HomeAssistant, hass_client_no_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A camera dies halfway through a multipart POST (connection reset inside a picture part):
    nothing half-parsed is delivered, nothing crashes, and its next POST arrives."""
    from tools.emulators import http_pusher  # noqa: PLC0415

    entry = await async_setup_hub(hass)
    sub_id = await async_add_camera(hass, entry, "http_push", {"name": "Gate", "repeat_window": 0})
    webhook_id = entry.subentries[sub_id].data["webhook_id"]
    events = PlateEvents(hass)
    client = await hass_client_no_auth()
    port = client.server.port
    _method, _query, headers, body = http_pusher.build_request("numberok", "KD01AAA")
    head = (
        f"POST /api/webhook/{webhook_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: {headers['Content-Type']}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    for cut in (len(body) // 3, len(body) - 10):
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head + body[:cut])
        await writer.drain()
        await asyncio.sleep(0.1)
        writer.transport.abort()  # RST: the camera lost power
        await asyncio.sleep(0.1)
    _method, _query, headers, body = http_pusher.build_request("numberok", "KD02AAA")
    resp = await client.post(f"/api/webhook/{webhook_id}", data=body, headers=headers)
    assert resp.status == 200
    await events.wait(1)
    await asyncio.sleep(0.3)
    assert events.plates == ["KD02AAA"]
    assert state(hass, "sensor.gate_last_plate") == "KD02AAA"
    assert await history_rows(entry) == 1
    assert "Traceback" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_webhook_plate_with_lone_surrogate(
    hass: HomeAssistant, hass_client_no_auth: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A camera's JSON carries ``"AB\\ud800CD"`` (an escaped lone surrogate): json.loads keeps
    it, UTF-8 cannot encode it. Such a plate is no plate (validation drops it with a
    warning); a lone surrogate in another field becomes U+FFFD and the read is recorded."""
    entry = await async_setup_hub(hass)
    sub_id = await async_add_camera(hass, entry, "http_push", {"name": "Gate", "repeat_window": 0})
    webhook_id = entry.subentries[sub_id].data["webhook_id"]
    events = PlateEvents(hass)
    client = await hass_client_no_auth()
    resp = await client.post(
        f"/api/webhook/{webhook_id}",
        data=b'{"plate": "AB\\ud800CD", "vehicle_brand": "\\udfffFord"}',
        headers={"Content-Type": "application/json"},
    )
    assert resp.status == 400
    assert "dropped a read: the plate holds characters" in caplog.text
    resp = await client.post(
        f"/api/webhook/{webhook_id}",
        data=b'{"plate": "AB12CD", "vehicle_brand": "\\udfffFord"}',
        headers={"Content-Type": "application/json"},
    )
    assert resp.status == 200
    await events.wait(1)
    assert events.plates == ["AB12CD"]
    assert events.events[0]["vehicle_make"] == "\ufffdFord"
    assert state(hass, "sensor.gate_last_plate") == "AB12CD"
    "".join(str(v) for v in events.events[0].values()).encode("utf-8")  # serialisable
    assert await history_rows(entry) == 1
    assert "could not record a sighting" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)
