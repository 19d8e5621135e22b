"""``milesight_tcp`` through the real hub against the Milesight TCP camera emulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import logging

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest

from custom_components.anpr.const import SUBENTRY_CAMERA
from custom_components.anpr.sources.milesight_tcp import MilesightTcpSource
from tools.emulators.milesight_tcp import MilesightCamera

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
