"""``frigate`` kind through the real hub: real mosquitto, Home Assistant's real MQTT
integration, Frigate-format messages, and a loopback emulator of Frigate's HTTP API."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
import json
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.components import mqtt
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.anpr.const import DOMAIN, SUBENTRY_CAMERA
from custom_components.anpr.diagnostics import async_get_config_entry_diagnostics
from custom_components.anpr.sources import frigate as frigate_source
from tools.emulators import frigate as emu

from .helpers import (
    PlateEvents,
    async_setup_hub,
    device_by_identifier,
    image_bytes,
    start_camera_reconfigure,
)
from .test_mirror import Broker, _free_port, _setup_mqtt, until

pytestmark = [pytest.mark.enable_socket, pytest.mark.usefixtures("mock_hass_config")]


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Generator[Broker]:
    """A real mosquitto for this module (test_mirror's Broker: stop/start for outages)."""
    conf = tmp_path_factory.mktemp("mosquitto-frigate") / "mosquitto.conf"
    conf.write_text(
        f"listener {_free_port()} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "log_dest stderr\n"
    )
    port = int(conf.read_text().split()[1])
    server = Broker(conf, port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def api() -> Any:
    server = emu.FrigateApi(["driveway", "gate"])
    await server.start()
    yield server
    await server.stop()


async def publish(hass: HomeAssistant, messages: list[emu.Message]) -> None:
    for topic, payload, retain in messages:
        await mqtt.async_publish(hass, topic, payload, 0, retain)


async def open_form(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "frigate"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "frigate"
    return dict(result)


def camera_options(result: dict[str, Any]) -> list[str]:
    for key, value in result["data_schema"].schema.items():
        if str(key) == "frigate_camera":
            return list(value.config["options"])
    raise AssertionError("no frigate_camera field")


async def add_frigate(
    hass: HomeAssistant, entry: MockConfigEntry, **data: Any
) -> tuple[str, frigate_source.FrigateSource]:
    # A running Frigate keeps "online" retained: once it arrives, the subscriptions are live.
    await publish(hass, [("frigate/available", b"online", True)])
    result = await open_form(hass, entry)
    form = {"name": "Drive", "frigate_camera": "driveway", "repeat_window": 0} | data
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done()
    sid = next(s for s, sub in entry.subentries.items() if sub.title == form["name"])
    source = entry.runtime_data.cameras[sid].source
    assert isinstance(source, frigate_source.FrigateSource)
    await until(lambda: source.counters["availability_messages"] >= 1)
    return sid, source


async def test_flow_offers_cameras_frigate_announced(
    hass: HomeAssistant, broker: Broker, api: emu.FrigateApi
) -> None:
    """The form lists the cameras from Frigate's retained states; the URL is checked."""
    await _setup_mqtt(hass, broker)
    await publish(hass, emu.retained_states(["driveway", "gate"]))
    entry = await async_setup_hub(hass)
    result = await open_form(hass, entry)
    assert camera_options(result) == ["driveway", "gate"]
    assert result["description_placeholders"] == {"cameras": "driveway, gate"}
    flow_id = result["flow_id"]
    base = {"name": "Drive", "frigate_camera": "driveway", "topic_prefix": "frigate"}
    cases: list[tuple[dict[str, Any], dict[str, str]]] = [
        ({"frigate_camera": "drive/way"}, {"frigate_camera": "invalid_frigate_camera"}),
        ({"topic_prefix": "frig#"}, {"topic_prefix": "invalid_topic"}),
        ({"frigate_url": "ftp://frigate"}, {"frigate_url": "invalid_url"}),
        ({"frigate_url": "http://127.0.0.1:1"}, {"frigate_url": "cannot_connect"}),
        ({"frigate_url": api.url + "/nothing"}, {"frigate_url": "not_frigate"}),
        ({"frigate_url": api.url, "frigate_camera": "back"},
         {"frigate_camera": "unknown_frigate_camera"}),
    ]  # fmt: skip
    for change, errors in cases:
        result = await hass.config_entries.subentries.async_configure(flow_id, base | change)
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors, change
    assert result["description_placeholders"]["cameras"] == "driveway, gate"
    result = await hass.config_entries.subentries.async_configure(
        flow_id, base | {"frigate_url": api.url + "/", "settle": 0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    (sid,) = entry.subentries
    sub = entry.subentries[sid]
    assert sub.unique_id == "frigate_frigate_driveway"
    assert sub.data["frigate_url"] == api.url
    device = device_by_identifier(hass, sid)
    assert device is not None
    assert (device.manufacturer, device.model) == ("Frigate", "Frigate camera")
    assert device.configuration_url == api.url
    # The same Frigate camera cannot be added twice.
    result = await open_form(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], base | {"name": "Again"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_best_read_per_object_with_snapshot(
    hass: HomeAssistant, broker: Broker, api: emu.FrigateApi, hass_client: Any
) -> None:
    """One car: first read, better LPR read, end → one event with the best plate, Frigate's
    event id and Frigate's snapshot; held reads wait for the settle time."""
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    _sid, source = await add_frigate(hass, entry, frigate_url=api.url, settle=2)
    ident, messages = emu.vehicle_messages("driveway", "FR16ATE", first="FR16AT8")
    snapshot = api.add_snapshot(ident)
    await publish(hass, messages)
    await events.wait(1)
    (event,) = events.events
    assert event["plate"] == "FR16ATE"
    assert event["confidence"] == pytest.approx(0.93)
    assert event["vendor_id"] == ident
    assert event["source"] == "frigate"
    assert event["images"] == ["full"]
    assert api.requests[-1] == f"/api/events/{ident}/snapshot.jpg"
    await hass.async_block_till_done()
    assert hass.states.get("sensor.drive_last_plate").state == "FR16ATE"
    assert await image_bytes(hass, hass_client, "image.drive_picture") == snapshot
    assert hass.states.get("image.drive_plate_picture") is None  # Frigate sends no crop

    # Without an end message the best read is delivered once the settle time is over.
    ident2, messages2 = emu.vehicle_messages("driveway", "KM19XYZ", first="KM19XY2", end=False)
    before = source.counters["plate_updates"]
    await publish(hass, messages2)
    await until(lambda: source.counters["plate_updates"] == before + 3)
    assert len(events.events) == 1
    assert source.diagnostics()["held_reads"] == 1
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=3))
    await events.wait(2)
    assert events.events[1]["plate"] == "KM19XYZ"
    assert events.events[1]["vendor_id"] == ident2
    # The end message after delivery brings nothing new.
    await publish(hass, [("frigate/events", emu.events_message(
        "end", emu.tracked_object(ident2, "driveway", "KM19XYZ", 0.93),
        emu.tracked_object(ident2, "driveway", "KM19XYZ", 0.93)), False)])  # fmt: skip
    await until(lambda: source.counters["plate_updates"] == before + 4)
    await hass.async_block_till_done()
    assert len(events.events) == 2
    assert source.counters["pictures"] == 1
    assert source.counters["picture_failures"] == 1  # ident2 had no snapshot on the API
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_settle_zero_delivers_at_once_and_corrections(
    hass: HomeAssistant, broker: Broker
) -> None:
    """settle 0: the first read is an event at once; Frigate's better, different plate is
    delivered as a correction; other cameras' objects are not this camera's."""
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    _sid, source = await add_frigate(hass, entry, settle=0)
    ident, messages = emu.vehicle_messages("driveway", "FR16ATE", first="FR16AT8", name="Van")
    _other, other_messages = emu.vehicle_messages("gate", "GA7E111")
    await publish(hass, other_messages + messages)
    await events.wait(2)
    await until(lambda: source.counters["plate_updates"] == 4)
    await hass.async_block_till_done()
    assert events.plates == ["FR16AT8", "FR16ATE"]
    assert {e["vendor_id"] for e in events.events} == {ident}
    assert source.counters["other_cameras"] == 5
    assert "gate" in frigate_source.seen_cameras(hass)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_hostile_messages_are_skipped(
    hass: HomeAssistant, broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    _sid, source = await add_frigate(hass, entry, settle=0)
    bad = [
        b"{not json",
        b"[1]",
        json.dumps({"type": "update", "after": {"id": 5, "camera": "driveway"}}).encode(),
        json.dumps(
            {"type": "update", "after": {"id": "a", "camera": "driveway",
                                         "recognized_license_plate": "X" * 5000}}
        ).encode(),
        b"{" + b" " * 300_000 + b"}",
    ]
    await publish(hass, [("frigate/events", payload, False) for payload in bad])
    await publish(hass, [("frigate/tracked_object_update", b'{"type": "lpr", "id": []}', False)])
    description = json.dumps({"type": "description", "id": "a"}).encode()
    await publish(hass, [("frigate/tracked_object_update", description, False)])
    _ident, messages = emu.vehicle_messages("driveway", "GOOD123")
    await publish(hass, messages)
    await events.wait(1)
    assert events.plates == ["GOOD123"]
    await until(lambda: source.counters["bad_messages"] == 6)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
    assert any("Frigate camera Drive: skipped a message: invalid JSON" in m for m in ours)
    assert not any("X" * 100 in m for m in ours)  # a huge field is named, not logged
    diag = json.dumps(await async_get_config_entry_diagnostics(hass, entry))
    assert "GOOD123" not in diag and _ident not in diag
    # A broker full of made-up camera names cannot grow the flow's list without bound.
    known = len(frigate_source.seen_cameras(hass))
    with patch.object(frigate_source, "MAX_SEEN", known + 1):
        flood = [emu.vehicle_messages(f"cam{i}", "ZZ1")[1][0] for i in range(5)]
        before = source.counters["other_cameras"]
        await publish(hass, flood)
        await until(lambda: source.counters["other_cameras"] == before + 5)
    assert len(frigate_source.seen_cameras(hass)) == known + 1
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_availability_and_broker_outage(
    hass: HomeAssistant, broker: Broker, caplog: pytest.LogCaptureFixture
) -> None:
    """Frigate offline / the broker down make the camera unavailable; after the broker is
    back, HA's MQTT re-subscribes and reads arrive again."""
    caplog.set_level(logging.INFO)
    with patch("homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 0.5):
        await _setup_mqtt(hass, broker)
        entry = await async_setup_hub(hass)
        events = PlateEvents(hass)
        _sid, source = await add_frigate(hass, entry, settle=0)

        def connectivity() -> str:
            state = hass.states.get("binary_sensor.drive_connectivity")
            return state.state if state else "missing"

        await until(lambda: connectivity() == "on")
        await publish(hass, [("frigate/available", b"offline", True)])
        await until(lambda: connectivity() == "off")
        await publish(hass, [("frigate/available", b"online", True)])
        await until(lambda: connectivity() == "on")
        await hass.async_add_executor_job(broker.stop)
        await until(lambda: connectivity() == "off")
        await hass.async_add_executor_job(broker.start)
        await until(lambda: connectivity() == "on", 30)
        # The restarted broker lost its retained messages: Frigate would publish "online"
        # again; its arrival shows the subscriptions were renewed.
        seen = source.counters["availability_messages"]
        await publish(hass, [("frigate/available", b"online", True)])
        await until(lambda: source.counters["availability_messages"] > seen, 30)
        _ident, messages = emu.vehicle_messages("driveway", "BACK123")
        await publish(hass, messages)
        await events.wait(1)
        assert events.plates == ["BACK123"]
        assert source.diagnostics()["frigate_online"] is True
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_snapshot_failures_still_deliver(
    hass: HomeAssistant, broker: Broker, api: emu.FrigateApi
) -> None:
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    _sid, source = await add_frigate(hass, entry, frigate_url=api.url, settle=0)
    ident, messages = emu.vehicle_messages("driveway", "ERR5000")
    api.add_snapshot(ident)
    api.snapshot_status = 500
    await publish(hass, messages)
    await events.wait(1)
    ident2, messages2 = emu.vehicle_messages("driveway", "NOTJPG1")
    api.add_snapshot(ident2, b"<html>not a picture</html>")
    api.snapshot_status = 200
    await publish(hass, messages2)
    await events.wait(2)
    with patch.object(frigate_source, "PICTURE_TIMEOUT", 0.05):
        api.snapshot_delay = 1.0
        ident3, messages3 = emu.vehicle_messages("driveway", "SLOW123")
        api.add_snapshot(ident3)
        await publish(hass, messages3)
        await events.wait(3)
    assert events.plates == ["ERR5000", "NOTJPG1", "SLOW123"]
    assert all(e["images"] == [] for e in events.events)
    assert source.counters["picture_failures"] == 3
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_unload_delivers_held_reads(hass: HomeAssistant, broker: Broker) -> None:
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(hass)
    events = PlateEvents(hass)
    _sid, source = await add_frigate(hass, entry, settle=30)
    _ident, messages = emu.vehicle_messages("driveway", "HELD123", end=False)
    await publish(hass, messages)
    await until(lambda: source.counters["plate_updates"] == 3)
    assert events.events == []
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert events.plates == ["HELD123"]


async def test_reconfigure_and_diagnostics(
    hass: HomeAssistant, broker: Broker, api: emu.FrigateApi
) -> None:
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(hass)
    secret_url = f"http://viewer:s3cret@127.0.0.1:{api.port}"
    sid, _source = await add_frigate(hass, entry, frigate_url=secret_url)
    diag = await async_get_config_entry_diagnostics(hass, entry)
    text = json.dumps(diag)
    assert "s3cret" not in text and "viewer" not in text
    assert diag["cameras"][sid]["source"]["frigate_url_set"] is True
    device = device_by_identifier(hass, sid)
    assert device is not None and device.configuration_url == api.url
    result = await start_camera_reconfigure(hass, entry, sid)
    assert result["step_id"] == "reconfigure_frigate"
    assert "driveway" in camera_options(dict(result))
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"frigate_camera": "gate", "topic_prefix": "cams/frigate", "frigate_url": "",
         "settle": 1, "repeat_window": 5, "min_confidence": 0, "direction_mode": "as_reported"},
    )  # fmt: skip
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    sub = entry.subentries[sid]
    assert sub.unique_id == "frigate_cams/frigate_gate"
    assert sub.data["frigate_url"] == ""
    source = entry.runtime_data.cameras[sid].source
    assert isinstance(source, frigate_source.FrigateSource)
    assert (source.prefix, source.camera, source.url) == ("cams/frigate", "gate", None)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_mqtt_missing(hass: HomeAssistant) -> None:
    """Without the MQTT integration: the flow refuses, an existing camera raises a repair."""
    entry = await async_setup_hub(hass)
    result = await open_form(hass, entry)
    assert camera_options(result) == []
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Drive", "frigate_camera": "driveway"}
    )
    assert result["errors"] == {"base": "mqtt_not_set_up"}
    assert await hass.config_entries.async_unload(entry.entry_id)

    stored = MockConfigEntry(
        domain=DOMAIN, title="ANPR", data={},
        subentries_data=[
            {"data": {"kind": "frigate", "frigate_camera": "driveway", "name": "Drive"},
             "subentry_type": "camera", "title": "Drive", "unique_id": None}
        ],
    )  # fmt: skip
    await hass.config_entries.async_remove(entry.entry_id)
    stored.add_to_hass(hass)
    assert await hass.config_entries.async_setup(stored.entry_id)
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, frigate_source.ISSUE_MQTT_MISSING)
    assert issue is not None
    assert issue.translation_placeholders == {"camera": "Drive"}
    assert hass.states.get("binary_sensor.drive_connectivity").state == "off"
    assert await hass.config_entries.async_unload(stored.entry_id)
