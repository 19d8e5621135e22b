"""``nvr_text`` through the real hub: the listener fed by the NVR-text sender emulator."""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.anpr.const import SUBENTRY_CAMERA
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.sources import nvr_text as nvr_source
from tools.emulators.nvr_text import NvrTextSender

from .helpers import PlateEvents, async_add_camera, async_setup_hub, start_camera_reconfigure

pytestmark = pytest.mark.enable_socket


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _data(port: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Lane",
        "host": "127.0.0.1",
        "port": port,
        "start_string": "<LPR>",
        "end_string": "</LPR>",
        "encoding": "US-ASCII",
        "idle_timeout": 300,
        "max_connections": 4,
        "repeat_window": 0,
        **extra,
    }


async def test_flow_checks_port_and_encoding(hass: HomeAssistant) -> None:
    entry = await async_setup_hub(hass)

    async def submit(data: dict[str, Any]) -> dict[str, Any]:
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": "nvr_text"}
        )
        return dict(await hass.config_entries.subentries.async_configure(result["flow_id"], data))

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = await submit(_data(taken))
        assert result["errors"] == {"port": "port_in_use"}
    result = await submit(_data(_free_port(), encoding="klingon"))
    assert result["errors"] == {"encoding": "invalid_encoding"}
    port = _free_port()
    result = await submit(_data(port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # Reconfiguring the same camera keeps its own port (held by its running listener).
    (sub_id,) = entry.subentries
    result = await start_camera_reconfigure(hass, entry, sub_id)
    data = _data(port, end_string="\\r\\n", start_string="")
    data.pop("name")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], data)
    assert result["type"] is FlowResultType.ABORT, result.get("errors")
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    # ... and may move it to another port: the listener follows.
    new_port = _free_port()
    result = await start_camera_reconfigure(hass, entry, sub_id)
    data = _data(new_port)
    data.pop("name")
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], data)
    assert result["type"] is FlowResultType.ABORT, result.get("errors")
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    events = PlateEvents(hass)
    sender = NvrTextSender(port=new_port)
    await sender.send("MOVED01")
    await events.wait(1)
    await sender.close()
    port = new_port
    # A second camera on the same port is refused.
    result = await submit(_data(port, name="Other"))
    assert result["errors"] == {"port": "port_in_use"}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reads_splits_and_noise(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "nvr_text", _data(port))
    events = PlateEvents(hass)
    sender = NvrTextSender(port=port)
    try:
        await sender.send("AB12CDE")
        await sender.send("KM19XYZ", "ZZ99ZZZ", noise=b"\r\n")  # two reads in one packet
        await sender.send("SPLIT01", split_at=7)  # "<LPR>SP" | "LIT01</LPR>"
        await sender.write(b"<LPR>" + b"X" * 2000 + b"</LPR>")  # over the 1 KB read cap
        await sender.write(b"<LPR>\xff\xfe</LPR>")  # not US-ASCII
        await sender.send("AFTER01")
        await events.wait(5)
        # A sender that writes and disconnects at once: the read is not lost.
        quick = NvrTextSender(port=port)
        await quick.send("QUICK01")
        await quick.close()
        await events.wait(6)
    finally:
        await sender.close()
    assert events.plates == ["AB12CDE", "KM19XYZ", "ZZ99ZZZ", "SPLIT01", "AFTER01", "QUICK01"]
    assert events.events[0]["source"] == "nvr_text"
    assert "read over 1024 bytes" in caplog.text
    assert "read not valid ascii" in caplog.text
    await hass.async_block_till_done()
    assert hass.states.get("sensor.lane_last_plate").state == "QUICK01"
    # text only: no picture entities that would stay unknown
    assert not hass.states.async_entity_ids("image")
    assert await hass.config_entries.async_unload(entry.entry_id)
    # The port is released on unload.
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))


async def test_custom_markers_and_utf8(hass: HomeAssistant) -> None:
    port = _free_port()
    entry = await async_setup_hub(hass)
    await async_add_camera(
        hass,
        entry,
        "nvr_text",
        _data(port, start_string="PLATE=", end_string="\\r\\n", encoding="UTF-8"),
    )
    events = PlateEvents(hass)
    sender = NvrTextSender(port=port, start="PLATE=", end="\r\n", encoding="utf-8")
    try:
        await sender.send("부산 02가 1234", "MÜ1234")
        await events.wait(2)
    finally:
        await sender.close()
    assert [e["read_plate"] for e in events.events] == ["부산 02가 1234", "MÜ1234"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_idle_timeout_and_connection_limit(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="custom_components.anpr")
    port = _free_port()
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "nvr_text", _data(port, idle_timeout=1, max_connections=1))
    events = PlateEvents(hass)
    first = NvrTextSender(port=port)
    second = NvrTextSender(port=port)
    try:
        await first.send("FIRST01")
        await events.wait(1)
        await second.connect()
        assert await second.closed_by_peer(wait=5)  # over the limit: closed at once
        assert "limit of 1 connections" in caplog.text
        await first.send("FIRST02")
        await events.wait(2)
        assert await first.closed_by_peer(wait=5)  # idle for 1 s: closed
        assert "closed idle connection" in caplog.text
        # A new connection after the idle one closed works.
        third = NvrTextSender(port=port)
        await third.send("THIRD01")
        await events.wait(3)
        await third.close()
    finally:
        await first.close()
        await second.close()
    assert events.plates == ["FIRST01", "FIRST02", "THIRD01"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_port_taken_at_start_is_retried(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(nvr_source, "REBIND_DELAY", 0.1)
    port = _free_port()
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "nvr_text", _data(port))
    await hass.config_entries.async_unload(entry.entry_id)
    busy = socket.socket()
    busy.bind(("127.0.0.1", port))
    busy.listen()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert "cannot listen on 127.0.0.1" in caplog.text
    busy.close()
    events = PlateEvents(hass)
    sender = NvrTextSender(port=port)
    try:
        async with asyncio.timeout(5):
            while True:
                try:
                    await sender.send("LATE001")
                    break
                except OSError:
                    await sender.close()
                    await asyncio.sleep(0.05)
        await events.wait(1)
    finally:
        await sender.close()
    assert events.plates == ["LATE001"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_flow_refuses_bad_markers_and_foreign_host(hass: HomeAssistant) -> None:
    """No end string, a start string the encoding cannot write, an address that is not on
    this machine: each gets its own form error; a webhook camera on the same hub is no
    listener and does not get in the way."""
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "http_push", {"name": "Gate", "repeat_window": 0})

    async def submit(data: dict[str, Any]) -> dict[str, Any]:
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": "nvr_text"}
        )
        return dict(await hass.config_entries.subentries.async_configure(result["flow_id"], data))

    result = await submit(_data(_free_port(), end_string=""))
    assert result["errors"] == {"end_string": "end_string_required"}
    result = await submit(_data(_free_port(), start_string="«"))
    assert result["errors"] == {"encoding": "invalid_encoding"}
    result = await submit(_data(_free_port(), host="192.0.2.1"))  # TEST-NET-1: not ours
    assert result["errors"] == {"host": "invalid_host"}
    result = await submit(_data(_free_port()))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(entry.subentries) == 2
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_port_held_by_another_program_until_unload(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The port stays taken: one error line (no flood from the retries), diagnostics say
    "not listening", and unloading while still waiting for the port is clean."""
    monkeypatch.setattr(nvr_source, "REBIND_DELAY", 0.05)
    port = _free_port()
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "nvr_text", _data(port))
    await hass.config_entries.async_unload(entry.entry_id)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await asyncio.sleep(0.3)  # several rebind attempts, all refused
        assert caplog.text.count("cannot listen on 127.0.0.1") == 1
        diagnostics = await async_get_config_entry_diagnostics(hass, entry)
        (cam,) = diagnostics["cameras"].values()
        assert cam["source"]["listening"] is False
        assert cam["source"]["port"] == port
        assert await hass.config_entries.async_unload(entry.entry_id)
    assert "now listening" not in caplog.text


async def test_sender_reset_frees_its_slot(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """A sender whose connection is reset (RST, e.g. its process killed) loses nothing it had
    sent, its slot is freed and the next sender's reads arrive."""
    caplog.set_level(logging.DEBUG, logger="custom_components.anpr")
    port = _free_port()
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, "nvr_text", _data(port, max_connections=1))
    events = PlateEvents(hass)
    reset = socket.create_connection(("127.0.0.1", port))
    try:
        reset.sendall(b"<LPR>RST0001</LPR>")
        await events.wait(1)
        reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        reset.close()  # linger 0: RST instead of FIN
    sender = NvrTextSender(port=port)
    try:
        for _ in range(250):  # the listener noticed the reset and freed the only slot
            if "connection error" in caplog.text:
                break
            await asyncio.sleep(0.02)
        await sender.send("NEXT001")
        await events.wait(2)
    finally:
        await sender.close()
    assert events.plates == ["RST0001", "NEXT001"]
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (cam,) = diagnostics["cameras"].values()
    assert cam["source"]["counters"]["connections"] == 2
    assert cam["source"]["counters"]["refused"] == 0
    assert await hass.config_entries.async_unload(entry.entry_id)
