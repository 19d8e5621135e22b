"""The ONVIF source through the real hub, against the ONVIF camera emulator on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
import logging
import socket
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.anpr.const import SUBENTRY_CAMERA
from custom_components.anpr.sources import onvif
from tools.emulators.onvif import OnvifCameraEmulator

from .helpers import (
    PlateEvents,
    async_add_camera,
    async_setup_hub,
    image_bytes,
    start_camera_reconfigure,
)

pytestmark = pytest.mark.enable_socket


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short back-off and long-poll so reconnection tests take a second, not minutes."""
    monkeypatch.setattr(onvif, "BACKOFF_MIN", 0.1)
    monkeypatch.setattr(onvif, "BACKOFF_MAX", 0.4)
    monkeypatch.setattr(onvif, "PULL_WAIT", 1.0)
    monkeypatch.setattr(onvif, "CONNECT_TIMEOUT", 3.0)


@pytest.fixture
def dead_port() -> Iterator[int]:
    """A loopback port bound but not listening: connections are refused while it is held."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


@pytest.fixture
async def camera() -> AsyncIterator[OnvifCameraEmulator]:
    emulator = OnvifCameraEmulator(chunk_size=48)
    await emulator.start()
    yield emulator
    await emulator.stop()


async def add(
    hass: HomeAssistant, entry: MockConfigEntry, emu: OnvifCameraEmulator, **fields: Any
) -> str:
    data: dict[str, Any] = {
        "name": "Gate",
        "host": "127.0.0.1",
        "port": emu.http_port,
        "username": "admin",
        "password": "secret",
        "mode": "auto",
        "repeat_window": 0,
    } | fields
    return await async_add_camera(hass, entry, onvif.KIND, data)


async def until(check: Callable[[], bool], within: float = 5.0) -> None:
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110 - polling an HA state in a test
            await asyncio.sleep(0.02)



def connectivity(hass: HomeAssistant) -> str | None:
    state = hass.states.get("binary_sensor.gate_connectivity")
    return state.state if state else None


async def test_rtsp_plates_from_every_topic_reach_the_entities(
    hass: HomeAssistant, camera: OnvifCameraEmulator, hass_client: Any) -> None:
    camera.send_plate("OLD1", fmt="hikvision")  # the camera's state before we connect
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await add(hass, entry, camera)  # no RTSP URL: found through GetProfiles/GetStreamUri
    await camera.wait_playing()
    await until(lambda: connectivity(hass) == "on")

    camera.send_plate("AB12CDE", fmt="milesight", direction="2")
    camera.send_plate("PP7069", fmt="hikvision", direction="forward")
    camera.send_plate("KX21ABC", fmt="onvif")
    camera.send_plate("6DZG261", fmt="scene")
    await events.wait(4)
    await hass.async_block_till_done()
    assert events.plates == ["AB12CDE", "PP7069", "KX21ABC", "6DZG261"]  # OLD1 not replayed
    assert events.events[0]["direction"] == "out"
    assert events.events[1]["direction"] == "in"

    state = hass.states.get("sensor.gate_last_plate")
    assert state is not None and state.state == "6DZG261"
    # Pictures were fetched over HTTP with Digest auth and are on the image entities.
    assert camera.stats.pictures_served == 4
    assert await image_bytes(hass, hass_client, "image.gate_plate_picture") == camera.picture
    assert await image_bytes(hass, hass_client, "image.gate_picture") == camera.picture

    teardowns = camera.stats.teardowns  # the flow's connection check ended with one
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert camera.stats.teardowns == teardowns + 1
    assert camera.playing_sessions == 0


async def test_axis_license_plate_verifier_events(
    hass: HomeAssistant, camera: OnvifCameraEmulator
) -> None:
    """AXIS ALPV ``ALPV.AllPlates`` and the ACAP's NEW/UPDATE/LOST topic: one car's lifecycle,
    its corrected plate included (one edit apart), is one sighting."""
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    sid = await add(hass, entry, camera, repeat_window=10)
    await camera.wait_playing()
    camera.send_plate("AX1234", fmt="axis_alpv", picture=False)
    for plate, state, direction in (
        ("AA7690EQ", "new", "unk"),
        ("AA7690EQ", "update", "in"),
        ("AA7690EQ", "update", "in"),
        ("AA7690EO", "update", "in"),
        ("AA7690EO", "lost", "in"),
    ):
        camera.send_plate(plate, fmt="axis_lpr", car_state=state, direction=direction,
                          car_id="77", picture=False)  # fmt: skip
    await events.wait(2)
    source = entry.runtime_data.cameras[sid].source
    await until(lambda: source.diagnostics()["counters"]["merged"] == 2)
    await until(lambda: source.diagnostics()["counters"]["reads"] == 4)
    await hass.async_block_till_done()
    assert events.plates == ["AX1234", "AA7690EQ"]
    state = hass.states.get("sensor.gate_last_plate")
    assert state.state == "AA7690EQ"
    assert state.attributes["direction"] == "in"
    assert state.attributes["alternatives"] == {"AA7690EO": 1}
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_configured_rtsp_url_gzip_and_upper_case(hass: HomeAssistant) -> None:
    async with OnvifCameraEmulator(gzip=True, encoding="VND.ONVIF.METADATA") as emu:
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await add(hass, entry, emu, mode="rtsp", rtsp_url=emu.rtsp_url)
        await emu.wait_playing()
        emu.send_plate("GZ1P", fmt="hikvision", picture=False)
        await events.wait(1)
        assert events.plates == ["GZ1P"]
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_failed_picture_fetch_still_delivers_the_read(
    hass: HomeAssistant, camera: OnvifCameraEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onvif, "PICTURE_TIMEOUT", 0.3)
    camera.picture_delay = 2.0  # slower than the timeout
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await add(hass, entry, camera)
    await camera.wait_playing()
    camera.send_plate("SLOW1", fmt="milesight")
    camera.send_plate("NOPIC2", fmt="hikvision", picture=False)
    await events.wait(2, timeout=3)
    assert events.plates == ["SLOW1", "NOPIC2"]  # camera order kept
    camera.picture_delay = 0
    camera.pictures.clear()  # 404 for the next one
    camera.send_plate("GONE3", fmt="milesight")
    camera.pictures.clear()
    await events.wait(3)
    assert events.plates[-1] == "GONE3"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_pullpoint_when_there_is_no_metadata_track(hass: HomeAssistant) -> None:
    async with OnvifCameraEmulator(metadata_track=False) as emu:
        emu.send_plate("OLD1", fmt="hikvision")
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await add(hass, entry, emu)  # auto: no metadata profile -> PullPoint
        await emu.wait_subscribed()
        await until(lambda: connectivity(hass) == "on")
        emu.send_plate("PP7069", fmt="hikvision", direction="reverse", likelihood="1000")
        emu.send_plate("AB12CDE", fmt="milesight")
        await events.wait(2)
        assert events.plates == ["PP7069", "AB12CDE"]
        assert events.events[0]["direction"] == "out"
        assert emu.stats.pictures_served == 2
        assert emu.stats.rtsp_connections == 0  # no metadata profile: RTSP not even tried
        unsubscribes = emu.stats.unsubscribes  # the flow's check unsubscribed its own
        assert await hass.config_entries.async_unload(entry.entry_id)
        assert emu.stats.unsubscribes == unsubscribes + 1


async def test_rtsp_service_down_in_the_flow(hass: HomeAssistant) -> None:
    """The camera's RTSP service does not answer while its ONVIF services do: the flow refuses
    "rtsp" (cannot connect) and accepts "auto", whose check falls back to PullPoint events."""
    async with OnvifCameraEmulator() as emu:
        await emu.stop_rtsp()
        entry = await async_setup_hub(hass)
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": onvif.KIND}
        )
        fields = {
            "name": "Gate",
            "host": "127.0.0.1",
            "port": emu.http_port,
            "username": "admin",
            "password": "secret",
        }
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], fields | {"mode": "rtsp"}
        )
        assert result["errors"] == {"base": "cannot_connect"}
        subscriptions = emu.stats.subscriptions
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], fields | {"mode": "auto"}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert emu.stats.subscriptions == subscriptions + 1  # the PullPoint check
        assert emu.stats.rtsp_connections == 0
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_pullpoint_mode_selected_in_the_flow(
    hass: HomeAssistant, camera: OnvifCameraEmulator
) -> None:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await add(hass, entry, camera, mode="pullpoint")
    await camera.wait_subscribed()
    camera.send_plate("PULL1", fmt="onvif")
    await events.wait(1)
    assert events.plates == ["PULL1"]
    assert camera.playing_sessions == 0  # RTSP never used
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_camera_restart_reconnects(
    hass: HomeAssistant, camera: OnvifCameraEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await add(hass, entry, camera)
    await camera.wait_playing()
    await until(lambda: connectivity(hass) == "on")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await camera.restart(downtime=0.5)
        await until(lambda: connectivity(hass) == "off")
        await camera.wait_playing(within=10)
        await until(lambda: connectivity(hass) == "on")
    camera.send_plate("AFTER1", fmt="hikvision")
    await events.wait(1)
    assert events.plates == ["AFTER1"]
    lost = [r for r in caplog.records if "unavailable" in r.getMessage()]
    back = [r for r in caplog.records if "is connected" in r.getMessage()]
    assert len(lost) == 1 and len(back) == 1  # one line on loss, one on recovery
    assert camera.stats.rtsp_connections >= 2
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_session_keepalive_through_the_source(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with OnvifCameraEmulator(session_timeout=1) as emu:
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await add(hass, entry, emu)
        await emu.wait_playing()
        await asyncio.sleep(2.2)
        emu.send_plate("KEEP1", fmt="hikvision", picture=False)
        await events.wait(1)
        assert emu.stats.sessions_expired == 0
        assert emu.stats.rtsp_connections == 2  # the flow's check, then the running source
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_bad_document_is_logged_and_skipped(
    hass: HomeAssistant, camera: OnvifCameraEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await add(hass, entry, camera)
    await camera.wait_playing()
    camera.send_document(b"<?xml version='1.0'?><tt:MetadataStream><broken")
    camera.send_plate("NEXT1", fmt="hikvision", picture=False)
    await events.wait(1)
    assert events.plates == ["NEXT1"]
    warnings = [r for r in caplog.records if "skipped a metadata document" in r.getMessage()]
    assert len(warnings) == 1
    assert "secret" not in caplog.text
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_wrong_password_in_the_flow(hass: HomeAssistant, camera: OnvifCameraEmulator) -> None:
    entry = await async_setup_hub(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": onvif.KIND}
    )
    base = {"name": "Gate", "host": "127.0.0.1", "port": camera.http_port, "username": "admin"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], base | {"password": "wrong", "mode": "auto"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"password": "invalid_auth"}
    # RTSP-only with a camera that has no metadata track: a clear error.
    camera.metadata_track = False
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], base | {"password": "secret", "mode": "rtsp"}
    )
    assert result["errors"] == {"base": "no_metadata_track"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], base | {"password": "secret", "mode": "rtsp", "rtsp_url": "http://x"}
    )
    assert result["errors"] == {"rtsp_url": "invalid_rtsp_url"}
    camera.metadata_track = True
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], base | {"password": "secret", "mode": "auto", "rtsp_url": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry = next(iter(entry.subentries.values()))
    assert subentry.unique_id == "emulated_EMU0001"
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unreachable_camera_in_the_flow(hass: HomeAssistant, dead_port: int) -> None:
    port = dead_port
    entry = await async_setup_hub(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": onvif.KIND}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Gate", "host": "127.0.0.1", "port": port, "username": "a", "password": "b"},
    )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_password_changed_on_the_camera_starts_reauth(
    hass: HomeAssistant, camera: OnvifCameraEmulator
) -> None:
    entry = await async_setup_hub(hass)
    await add(hass, entry, camera)
    await camera.wait_playing()
    camera.password = camera.rtsp_auth.password = camera.http_auth.password = "changed"
    await camera.restart()
    await until(lambda: bool(hass.config_entries.flow.async_progress_by_handler("anpr")))
    flows = hass.config_entries.flow.async_progress_by_handler("anpr")
    assert flows[0]["context"]["source"] == "reauth"
    await until(lambda: connectivity(hass) == "off")
    connections = camera.stats.rtsp_connections
    await asyncio.sleep(0.5)
    assert camera.stats.rtsp_connections == connections  # no hammering with a bad password
    # The user enters the new password: the camera is back, plates flow again.
    events = PlateEvents(hass)
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {"username": "admin", "password": "changed"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await camera.wait_playing(within=10)
    await until(lambda: connectivity(hass) == "on")
    camera.send_plate("REAUTH1", fmt="hikvision", picture=False)
    await events.wait(1)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_diagnostics_hold_no_secrets(
    hass: HomeAssistant, camera: OnvifCameraEmulator
) -> None:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    subentry_id = await add(hass, entry, camera)
    await camera.wait_playing()
    camera.send_plate("DIAG1", fmt="hikvision", picture=False)
    await events.wait(1)
    source = entry.runtime_data.cameras[subentry_id].source
    assert isinstance(source, onvif.OnvifSource)
    diag = source.diagnostics()
    assert diag["transport"] == "rtsp"
    assert diag["counters"]["reads"] == 1
    assert diag["rtp"]["documents"] >= 1
    assert "secret" not in repr(diag) and "DIAG1" not in repr(diag)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unload_delivers_reads_still_waiting_for_their_picture(
    hass: HomeAssistant, camera: OnvifCameraEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onvif, "PICTURE_TIMEOUT", 30.0)
    camera.picture_delay = 2.0  # still fetching when the hub unloads
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    subentry_id = await add(hass, entry, camera)
    await camera.wait_playing()
    camera.send_plate("WAIT1", fmt="milesight")
    coordinator = entry.runtime_data.cameras[subentry_id]
    source = coordinator.source
    assert isinstance(source, onvif.OnvifSource)
    await until(lambda: source.diagnostics()["pending_reads"] == 1)
    assert events.plates == []
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # The read was handed to the pipeline on unload, without its picture: never lost.
    # (The hub forgets the camera before stopping it, so no bus event fires for it.)
    assert source.counters["reads"] == 1
    assert coordinator.counters["reads"] == 1


async def test_topic_filter_from_the_flow(hass: HomeAssistant, camera: OnvifCameraEmulator) -> None:
    assert onvif.parse_topic_filter(" a ; b\nc,, ") == ["a", "b", "c"]
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await add(hass, entry, camera, topic_filter="RuleEngine/LicensePlateDetector/LicensePlate")
    await camera.wait_playing()
    camera.send_plate("HIK1", fmt="hikvision", picture=False)
    camera.send_plate("MILE2", fmt="milesight", picture=False)
    await events.wait(1)
    await asyncio.sleep(0.2)
    assert events.plates == ["MILE2"]
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_picture_credentials_refused_still_delivers(
    hass: HomeAssistant, camera: OnvifCameraEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    await add(hass, entry, camera)
    await camera.wait_playing()
    camera.http_auth.password = "only-for-pictures"
    camera.send_plate("NOAUTH1", fmt="milesight")
    camera.send_plate("NOAUTH2", fmt="milesight")
    await events.wait(2)
    assert events.plates == ["NOAUTH1", "NOAUTH2"]
    warnings = [r for r in caplog.records if "refused the credentials for its plate" in r.message]
    assert len(warnings) == 1  # said once, not per read
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_profile_without_a_real_metadata_track_falls_back_to_pullpoint(
    hass: HomeAssistant,
) -> None:
    async with OnvifCameraEmulator(metadata_track=False, metadata_profile=True) as emu:
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await add(hass, entry, emu)
        await emu.wait_subscribed()
        emu.send_plate("FALL1", fmt="hikvision", picture=False)
        await events.wait(1)
        assert events.plates == ["FALL1"]
        assert emu.stats.rtsp_connections >= 2  # tried RTSP (flow check, then source)
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_rtsp_url_only_camera_without_onvif_service(
    hass: HomeAssistant, dead_port: int
) -> None:
    async with OnvifCameraEmulator() as emu:
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        subentry_id = await add(
            hass, entry, emu, port=dead_port, mode="rtsp", rtsp_url=emu.rtsp_url
        )
        assert entry.subentries[subentry_id].unique_id is None  # no ONVIF device info
        await emu.wait_playing()
        emu.send_plate("RTSP1", fmt="milesight", picture=False)
        await events.wait(1)
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_camera_without_metadata_or_events(hass: HomeAssistant) -> None:
    async with OnvifCameraEmulator(metadata_track=False, events=False) as emu:
        entry = await async_setup_hub(hass)
        result = await hass.config_entries.subentries.async_init(
            (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"next_step_id": onvif.KIND}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {
                "name": "Gate",
                "host": "127.0.0.1",
                "port": emu.http_port,
                "username": "admin",
                "password": "secret",
            },
        )
        assert result["errors"] == {"base": "no_plate_events"}
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"],
            {"name": "Gate", "host": " ", "port": emu.http_port, "username": "a", "password": "b"},
        )
        assert result["errors"] == {"host": "cannot_connect"}


async def test_pullpoint_camera_restart_resubscribes(hass: HomeAssistant) -> None:
    async with OnvifCameraEmulator(metadata_track=False) as emu:
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await add(hass, entry, emu, mode="pullpoint")
        await emu.wait_subscribed()
        await until(lambda: connectivity(hass) == "on")
        subscriptions = emu.stats.subscriptions
        await emu.restart()  # forgets every subscription: pulls get ResourceUnknown faults
        await until(lambda: emu.stats.subscriptions > subscriptions, within=10)
        await emu.wait_subscribed()
        await until(lambda: connectivity(hass) == "on")
        emu.send_plate("BACK1", fmt="hikvision", picture=False)
        await events.wait(1)
        assert events.plates == ["BACK1"]
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_rtsp_mode_when_the_metadata_track_disappears(
    hass: HomeAssistant, camera: OnvifCameraEmulator
) -> None:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    subentry_id = await add(hass, entry, camera, mode="rtsp")
    await camera.wait_playing()
    camera.metadata_track = False  # reconfigured on the camera: no metadata any more
    await camera.restart()
    await until(lambda: connectivity(hass) == "off")
    source = entry.runtime_data.cameras[subentry_id].source
    assert isinstance(source, onvif.OnvifSource)
    await until(lambda: source.last_error is not None and "metadata" in source.last_error)
    assert source.configuration_url == f"http://127.0.0.1:{camera.http_port}"
    assert camera.stats.subscriptions == 0  # RTSP mode never falls back to PullPoint
    camera.metadata_track = True
    await camera.wait_playing(within=10)
    camera.send_plate("AGAIN1", fmt="hikvision", picture=False)
    await events.wait(1)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_rtsp_password_differs_from_onvif(
    hass: HomeAssistant, camera: OnvifCameraEmulator
) -> None:
    camera.rtsp_auth.password = "rtsp-only"
    entry = await async_setup_hub(hass)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": onvif.KIND}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Gate",
            "host": "127.0.0.1",
            "port": camera.http_port,
            "username": "admin",
            "password": "secret",
        },
    )
    assert result["errors"] == {"password": "invalid_auth"}


async def test_picture_uri_with_the_cameras_own_address(
    hass: HomeAssistant, dead_port: int, hass_client: Any) -> None:
    """Behind NAT/port forwarding the camera writes an address we cannot reach."""
    async with OnvifCameraEmulator(advertised_host=f"127.0.0.1:{dead_port}") as emu:
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await add(hass, entry, emu)
        await emu.wait_playing()
        emu.send_plate("NAT1", fmt="hikvision")  # PictureUri http://<dead>/doc/ui/images/...
        await events.wait(1)
        assert emu.stats.pictures_served == 1
        assert await image_bytes(hass, hass_client, "image.gate_picture") == emu.picture
        assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize("mode", ["rtsp", "pullpoint"])
async def test_plate_read_while_disconnected_is_caught_up(hass: HomeAssistant, mode: str) -> None:
    async with OnvifCameraEmulator() as emu:
        emu.send_plate("BEFORE0", fmt="hikvision", picture=False)  # not replayed at first
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await add(hass, entry, emu, mode=mode)
        if mode == "rtsp":
            await emu.wait_playing()
        else:
            await emu.wait_subscribed()
        emu.send_plate("SEEN1", fmt="hikvision", picture=False)
        await events.wait(1)
        await emu.restart(downtime=0)
        emu.send_plate("MISSED2", fmt="hikvision", picture=False)  # nobody is connected
        if mode == "rtsp":
            await emu.wait_playing(within=10)
        else:
            await emu.wait_subscribed(within=10)
        await events.wait(2)
        emu.send_plate("LIVE3", fmt="hikvision", picture=False)
        await events.wait(3)
        assert events.plates == ["SEEN1", "MISSED2", "LIVE3"]
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_metadata_profile_without_events_uses_pullpoint(hass: HomeAssistant) -> None:
    """A MetadataConfiguration with no Events and no Analytics only carries PTZ status."""
    async with OnvifCameraEmulator(metadata_events=False, metadata_analytics=False) as emu:
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        await add(hass, entry, emu)
        await emu.wait_subscribed()
        emu.send_plate("EVT1", fmt="hikvision", picture=False)
        await events.wait(1)
        assert events.plates == ["EVT1"]
        assert emu.stats.rtsp_connections == 0
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_to_pullpoint(hass: HomeAssistant, camera: OnvifCameraEmulator) -> None:
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    sid = await add(hass, entry, camera, mode="rtsp", rtsp_url=camera.rtsp_url)
    await camera.wait_playing()
    result = await start_camera_reconfigure(hass, entry, sid)
    assert result["step_id"] == "reconfigure_onvif"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "host": "127.0.0.1",
            "port": camera.http_port,
            "username": "admin",
            "password": "secret",
            "mode": "pullpoint",
        },
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.subentries[sid].data["rtsp_url"] == ""  # a cleared optional field is cleared
    await camera.wait_subscribed()
    await until(lambda: camera.playing_sessions == 0)
    camera.send_plate("RECONF1", fmt="hikvision", picture=False)
    await events.wait(1)
    assert events.plates == ["RECONF1"]
    assert await hass.config_entries.async_unload(entry.entry_id)
