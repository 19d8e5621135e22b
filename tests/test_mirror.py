"""MQTT mirror against a real mosquitto broker and a real paho subscriber (scripts/setup).

The broker is started once per session on a free 127.0.0.1 port; Home Assistant's own ``mqtt``
integration connects to it, the hub mirrors sightings through it, and a paho client subscribed
to ``#`` checks what a consumer (another HA, Node-RED, an anpr2mqtt automation) would receive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta
import json
import logging
from pathlib import Path
import shutil
import subprocess
import sys
import threading
import time
from typing import Any
from unittest.mock import patch

from homeassistant.components import mqtt
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.anpr.const import DOMAIN
from custom_components.anpr.mirror import MqttMirror
from custom_components.anpr.protocols.models import Direction, ImageRole, PlateRead, ReadImage

from . import kinds
from .conftest import FIXTURES
from .helpers import PlateEvents, async_add_camera, async_setup_hub, device_by_identifier

JPEG = (FIXTURES / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg").read_bytes()
ROOT = "anpr2mqtt/anpr/cameras"  # anpr2mqtt's <topic_root>/<event>/cameras: same topics
MIRROR_ON = {
    "mqtt_enabled": True,
    "mqtt_root": ROOT,
    "mqtt_qos": 1,
    "mqtt_retain": True,
    "mqtt_discovery": True,
}

# No skip when mosquitto is missing: scripts/setup installs it, and a missing broker must fail
# loudly (in CI above all) rather than hide an install step.
assert shutil.which("mosquitto"), "mosquitto is not installed: run scripts/setup"


async def until(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    """Poll ``predicate`` (state kept by another thread or by HA) until true or fail."""
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def _free_port() -> int:
    """Ask the OS for a free loopback port (in a child: sockets are guarded in this process)."""
    code = "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"
    return int(subprocess.check_output([sys.executable, "-c", code], text=True))


class Broker:
    """A real mosquitto on 127.0.0.1:<port>; ``stop``/``start`` simulate a broker outage."""

    def __init__(self, conf: Path, port: int) -> None:
        self.conf = conf
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.conf.with_suffix(".log")
        with log.open("w") as out:  # mosquitto's stderr goes to a file: no reader thread
            self.proc = subprocess.Popen(
                ["mosquitto", "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=out
            )
        deadline = time.monotonic() + 10
        while "listen socket on port" not in log.read_text():
            assert self.proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "mosquitto did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Generator[Broker]:
    """Start mosquitto for the session; stop it at the end."""
    port = _free_port()
    conf = tmp_path_factory.mktemp("mosquitto") / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\n"
    )
    conf.chmod(0o644)
    conf.parent.chmod(0o755)
    server = Broker(conf, port)
    server.start()
    yield server
    server.stop()


class Subscriber:
    """A paho client subscribed to ``#`` that records (topic, payload, qos, retain)."""

    def __init__(self, port: int) -> None:
        self.messages: list[paho.MQTTMessage] = []
        self._lock = threading.Lock()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"sub-{time.time_ns()}")
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(0.1, 0.5)
        self.subscribed = threading.Event()
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_connect(self, client: paho.Client, *args: Any) -> None:
        client.subscribe("#", qos=2)

    def _on_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        with self._lock:
            self.messages.append(msg)

    def topics(self) -> list[str]:
        with self._lock:
            return [m.topic for m in self.messages]

    def find(self, topic: str) -> list[paho.MQTTMessage]:
        with self._lock:
            return [m for m in self.messages if m.topic == topic]

    async def wait_for(
        self,
        topic: str,
        count: int = 1,
        seconds: float = 15.0,
        where: Callable[[Any], bool] | None = None,
    ) -> list[paho.MQTTMessage]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [m for m in self.find(topic) if where is None or where(m)]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"no {count} message(s) on {topic}; got {sorted(set(self.topics()))}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
async def subscriber(hass: HomeAssistant, broker: Broker, socket_enabled: None) -> Any:
    """A live subscriber on ``#``; its network thread is stopped at teardown."""
    sub = Subscriber(broker.port)
    await hass.async_add_executor_job(sub.subscribed.wait, 5)
    yield sub
    await hass.async_add_executor_job(sub.close)


async def _setup_mqtt(hass: HomeAssistant, broker: Broker) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=mqtt.DOMAIN,
        data={"broker": "127.0.0.1", "port": broker.port},
        version=1,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await until(lambda: mqtt.is_connected(hass))
    return entry


def _read(plate: str, **kwargs: Any) -> PlateRead:
    return PlateRead(
        plate=plate,
        direction=Direction.IN,
        confidence=0.91,
        images=[ReadImage(JPEG, role=ImageRole.FULL, name="20250602103045407_B4DM3N.jpg")],
        **kwargs,
    )


@pytest.mark.enable_socket
@pytest.mark.usefixtures("mock_hass_config")
async def test_mirror_payloads_images_vehicles_discovery(
    hass: HomeAssistant, broker: Broker, subscriber: Subscriber
) -> None:
    """State JSON (anpr2mqtt names), original picture bytes, vehicle state, discovery."""
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(hass, MIRROR_ON)
    camera_id = await async_add_camera(
        hass, entry, kinds.KIND, {"name": "Front Gate", "stream": True}
    )
    await hass.services.async_call(
        DOMAIN,
        "add_plate",
        {"plate": "AB12CDE", "group": "allowed", "description": "Alice"},
        blocking=True,
    )
    # Discovery for the camera is published as soon as the camera exists.
    node = f"anpr_{camera_id}"
    disc = await subscriber.wait_for(f"homeassistant/sensor/{node}/last_plate/config")
    config = json.loads(disc[-1].payload)
    assert config["unique_id"] == f"{node}_last_plate"
    assert config["state_topic"] == f"{ROOT}/front_gate/state"
    assert config["device"]["identifiers"] == [node]
    await subscriber.wait_for(f"homeassistant/image/{node}/picture/config")
    await subscriber.wait_for(f"homeassistant/event/{node}/plate/config")

    # The camera's area (set by the user in HA) is published as anpr2mqtt's ``area``.
    area = ar.async_get(hass).async_create("Front drive")
    devices = dr.async_get(hass)
    device = device_by_identifier(hass, camera_id)
    assert device is not None
    devices.async_update_device(device.id, area_id=area.id)

    events = PlateEvents(hass)
    kinds.RUNNING["Front Gate"].push(_read("B4 DM3N"))
    kinds.RUNNING["Front Gate"].push(_read("ab12cde"))
    await events.wait(2)

    image = await subscriber.wait_for(f"{ROOT}/front_gate/image", 2)
    assert image[0].payload == JPEG  # the original bytes, not re-encoded
    assert image[0].qos == 1
    states = await subscriber.wait_for(f"{ROOT}/front_gate/state", 2)
    first = json.loads(states[0].payload)
    assert first["target"] == first["plate"] == "B4DM3N"
    assert first["target_type"] == "plate"
    assert first["orig_target"] == "B4 DM3N"
    assert first["event"] == "anpr"
    assert first["camera"] == "Front Gate"
    assert first["event_type"] == "unknown"
    assert first["known"] is False
    assert first["direction"] == "in"
    assert first["confidence"] == 0.91
    assert first["image_size"] == len(JPEG)
    assert first["ext"] == "jpg"
    assert first["history"]["previous_sightings"] == 0
    assert first["event_image_url"].endswith("/api/image_proxy/image.front_gate_picture")
    assert first["area"] == "Front drive"
    assert first["file_path"] == "20250602103045407_B4DM3N.jpg"
    second = json.loads(states[1].payload)
    assert second["plate"] == "AB12CDE"
    assert second["known"] is True
    assert second["description"] == "Alice"

    # Per-vehicle state only for the listed plate, with its own discovery.
    vehicle = await subscriber.wait_for(f"{ROOT}/vehicles/AB12CDE/state")
    assert json.loads(vehicle[0].payload)["last_seen"] == second["time"]
    assert subscriber.find(f"{ROOT}/vehicles/B4DM3N/state") == []
    vdisc = await subscriber.wait_for("homeassistant/sensor/anpr_vehicle_ab12cde/last_seen/config")
    assert json.loads(vdisc[0].payload)["unique_id"] == "anpr_vehicle_ab12cde"

    # The discovery payloads are valid for Home Assistant: this very HA's MQTT integration
    # discovered them (a second HA would do the same) and shows the mirrored plate.
    registry = er.async_get(hass)
    await until(
        lambda: (
            registry.async_get_entity_id("sensor", mqtt.DOMAIN, f"{node}_last_plate") is not None
            and registry.async_get_entity_id("image", mqtt.DOMAIN, f"{node}_picture") is not None
        )
    )
    mirrored = registry.async_get_entity_id("sensor", mqtt.DOMAIN, f"{node}_last_plate")
    await until(lambda: getattr(hass.states.get(mirrored), "state", None) == "AB12CDE")

    # Retained: a consumer connecting later gets the last state and picture at once.
    late = Subscriber(broker.port)
    try:
        retained = await late.wait_for(f"{ROOT}/front_gate/state")
        assert retained[0].retain
        assert json.loads(retained[0].payload)["plate"] == "AB12CDE"
        assert (await late.wait_for(f"{ROOT}/front_gate/image"))[0].payload == JPEG
    finally:
        await hass.async_add_executor_job(late.close)

    # Another Home Assistant coming online (birth message) gets the discovery configs again.
    # (Wait for this HA's own birth message first: it re-sends too, and it shows that the
    # mirror's subscription is active.)
    await subscriber.wait_for("homeassistant/status")
    await asyncio.sleep(0.5)  # HA receives its own birth too; let that re-send go out first
    await until(lambda: not _mirror(entry)._queue)
    count = len(subscriber.find(f"homeassistant/image/{node}/picture/config"))
    vcount = len(subscriber.find("homeassistant/sensor/anpr_vehicle_ab12cde/last_seen/config"))
    subscriber.client.publish("homeassistant/status", "online")
    await subscriber.wait_for(f"homeassistant/image/{node}/picture/config", count + 1)
    await subscriber.wait_for(
        "homeassistant/sensor/anpr_vehicle_ab12cde/last_seen/config", vcount + 1
    )

    # Unique ids are stable: after a reload the same discovery ids come back.
    count = len(subscriber.find(f"homeassistant/sensor/{node}/last_plate/config"))
    assert await hass.config_entries.async_reload(entry.entry_id)
    again = await subscriber.wait_for(f"homeassistant/sensor/{node}/last_plate/config", count + 1)
    assert json.loads(again[-1].payload)["unique_id"] == f"{node}_last_plate"

    # Deleting the camera empties its retained discovery, state and picture on the broker:
    # the mirrored entities disappear and no plate of the deleted camera stays retained.
    assert hass.config_entries.async_remove_subentry(entry, camera_id)
    await hass.async_block_till_done()
    for topic in (
        f"homeassistant/sensor/{node}/last_plate/config",
        f"homeassistant/event/{node}/plate/config",
        f"homeassistant/image/{node}/picture/config",
        f"{ROOT}/front_gate/state",
        f"{ROOT}/front_gate/image",
    ):
        await subscriber.wait_for(topic, where=lambda m: m.payload == b"")
    await until(
        lambda: registry.async_get_entity_id("sensor", mqtt.DOMAIN, f"{node}_last_plate") is None
    )
    late = Subscriber(broker.port)
    try:
        await asyncio.sleep(0.5)
        assert not [t for t in late.topics() if "front_gate" in t or node in t]
    finally:
        await hass.async_add_executor_job(late.close)
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.enable_socket
@pytest.mark.usefixtures("mock_hass_config")
async def test_broker_down_and_back(
    hass: HomeAssistant,
    broker: Broker,
    subscriber: Subscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Broker outage: no crash, entities keep updating, publishing resumes when it is back."""
    caplog.set_level(logging.INFO, "homeassistant.components.mqtt")
    # HA retries the broker every 10 s; shorten the wait so the test stays quick.
    with patch("homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 0.5):
        await _setup_mqtt(hass, broker)
        entry = await async_setup_hub(hass, MIRROR_ON | {"mqtt_discovery": False, "mqtt_qos": 0})
        await async_add_camera(hass, entry, kinds.KIND, {"name": "Drive", "stream": True})
        events = PlateEvents(hass)
        source = kinds.RUNNING["Drive"]
        source.push(_read("AA11AAA"))
        await subscriber.wait_for(f"{ROOT}/drive/state")

        await hass.async_add_executor_job(broker.stop)
        await until(lambda: not mqtt.is_connected(hass))
        source.push(_read("BB22BBB"))  # while the broker is down
        await events.wait(2)
        await hass.async_block_till_done()
        assert hass.states.get("sensor.drive_last_plate").state == "BB22BBB"

        born = caplog.text.count("birth message sent")
        await hass.async_add_executor_job(broker.start)
        # The sighting missed during the outage is published when the broker returns ...
        missed = await subscriber.wait_for(
            f"{ROOT}/drive/state", where=lambda m: json.loads(m.payload)["plate"] == "BB22BBB"
        )
        assert missed[0].payload
        # ... and new sightings flow again.
        source.push(_read("CC33CCC"))
        await subscriber.wait_for(
            f"{ROOT}/drive/state", where=lambda m: json.loads(m.payload)["plate"] == "CC33CCC"
        )
        # HA's MQTT finishes its reconnect (birth message) before the test tears it down.
        await until(lambda: caplog.text.count("birth message sent") > born)
        assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.enable_socket
@pytest.mark.usefixtures("mock_hass_config")
async def test_mirror_off_publishes_nothing(
    hass: HomeAssistant, broker: Broker, subscriber: Subscriber
) -> None:
    """Default options: MQTT is set up but the hub publishes nothing at all."""
    await _setup_mqtt(hass, broker)
    await asyncio.sleep(0.3)
    before = len(subscriber.topics())
    entry = await async_setup_hub(hass)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Quiet", "stream": True})
    events = PlateEvents(hass)
    kinds.RUNNING["Quiet"].push(_read("QQ11QQQ"))
    await events.wait(1)
    await asyncio.sleep(1.0)
    assert hass.states.get("sensor.quiet_last_plate").state == "QQ11QQQ"
    assert subscriber.topics()[before:] == []
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_mqtt_not_set_up_repair_issue(hass: HomeAssistant) -> None:
    """Mirror on without the MQTT integration: a repair issue, and the hub still works."""
    entry = await async_setup_hub(hass, MIRROR_ON)
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Lane", "stream": True})
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "mqtt_not_set_up")
    assert issue is not None
    assert issue.translation_key == "mqtt_not_set_up"
    events = PlateEvents(hass)
    kinds.RUNNING["Lane"].push(_read("LL11LLL"))
    await events.wait(1)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.lane_last_plate").state == "LL11LLL"

    # Turning the mirror off clears the issue.
    hass.config_entries.async_update_entry(entry, options=MIRROR_ON | {"mqtt_enabled": False})
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, "mqtt_not_set_up") is None
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.enable_socket
@pytest.mark.usefixtures("mock_hass_config")
async def test_burst_and_reads_without_picture(
    hass: HomeAssistant, broker: Broker, subscriber: Subscriber
) -> None:
    """A read without picture publishes state only; a burst over the queue's picture budget
    drops the oldest pictures (counted) but no state message, and never blocks the hub."""
    await _setup_mqtt(hass, broker)
    # Discovery under another prefix: for a second Home Assistant whose MQTT discovery prefix
    # is "otherha"; this instance (prefix "homeassistant") does not pick the configs up.
    entry = await async_setup_hub(
        hass, MIRROR_ON | {"mqtt_qos": 0, "mqtt_discovery_prefix": "otherha"}
    )
    camera_id = await async_add_camera(hass, entry, kinds.KIND, {"name": "Lane 2", "stream": True})
    config = await subscriber.wait_for(f"otherha/sensor/anpr_{camera_id}/last_plate/config")
    assert json.loads(config[0].payload)["state_topic"] == f"{ROOT}/lane_2/state"
    assert not [t for t in subscriber.topics() if t.startswith("homeassistant/sensor/anpr_")]
    await hass.services.async_call(DOMAIN, "add_plate", {"plate": "KN0WN1"}, blocking=True)
    events = PlateEvents(hass)
    kinds.RUNNING["Lane 2"].push(PlateRead(plate="TXT0NLY", confidence=0.5))
    await events.wait(1)
    state = await subscriber.wait_for(f"{ROOT}/lane_2/state")
    payload = json.loads(state[0].payload)
    assert payload["plate"] == "TXT0NLY"
    assert payload["image_size"] == 0
    assert payload["ext"] is None
    assert subscriber.find(f"{ROOT}/lane_2/image") == []

    kinds.RUNNING["Lane 2"].push(_read("KN0WN1", time=datetime.now(UTC) + timedelta(seconds=30)))
    await events.wait(2)
    await subscriber.wait_for(f"{ROOT}/vehicles/KN0WN1/state")
    await subscriber.wait_for("otherha/sensor/anpr_vehicle_kn0wn1/last_seen/config")
    registry = er.async_get(hass)
    assert (
        registry.async_get_entity_id("sensor", mqtt.DOMAIN, f"anpr_{camera_id}_last_plate") is None
    )

    runtime = entry.runtime_data
    mirror = runtime.mirror
    assert mirror is not None
    camera = next(iter(runtime.cameras.values()))
    sighting = camera.last
    assert sighting is not None
    before = mirror.failed
    states_before = len(subscriber.find(f"{ROOT}/lane_2/state"))
    for _ in range(300):  # 300 pictures (44 MB) in one go: more than the queue's 32 MB budget
        mirror.async_on_sighting(sighting)
    assert mirror.failed > before  # the oldest pictures were dropped ...
    await until(lambda: not mirror._queue)
    # ... but every state message still arrives, and the newest picture too.
    await subscriber.wait_for(f"{ROOT}/lane_2/state", states_before + 300)
    vehicle = await subscriber.wait_for(f"{ROOT}/vehicles/KN0WN1/state", 301)
    assert json.loads(vehicle[-1].payload)["plate"] == "KN0WN1"
    assert subscriber.find(f"{ROOT}/lane_2/image")[-1].payload == JPEG
    assert await hass.config_entries.async_unload(entry.entry_id)


def _mirror(entry: MockConfigEntry) -> MqttMirror:
    """The hub's running mirror."""
    assert entry.runtime_data.mirror is not None
    return entry.runtime_data.mirror


async def test_mqtt_cannot_be_imported_repair_issue(hass: HomeAssistant) -> None:
    """MQTT's code cannot be imported (e.g. paho-mqtt not installed): the same repair issue,
    no crash, and the hub still shows plates."""
    with patch.dict(sys.modules, {"homeassistant.components.mqtt": None}):
        entry = await async_setup_hub(hass, MIRROR_ON)
        await async_add_camera(hass, entry, kinds.KIND, {"name": "Lane", "stream": True})
        await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "mqtt_not_set_up")
    assert issue is not None
    assert issue.translation_placeholders == {"root": ROOT}
    events = PlateEvents(hass)
    kinds.RUNNING["Lane"].push(_read("LL22LLL"))
    await events.wait(1)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.lane_last_plate").state == "LL22LLL"
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.enable_socket
@pytest.mark.usefixtures("mock_hass_config")
async def test_mirror_started_while_broker_down(
    hass: HomeAssistant,
    broker: Broker,
    subscriber: Subscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Hub starts while the broker is away: discovery is published once it is reachable; a
    later outage keeps the listed vehicle's state and re-sends its discovery on return."""

    def births() -> int:
        return caplog.text.count("birth message sent")

    caplog.set_level(logging.INFO, "homeassistant.components.mqtt")
    with patch("homeassistant.components.mqtt.client.RECONNECT_INTERVAL_SECONDS", 0.5):
        await _setup_mqtt(hass, broker)
        await hass.async_add_executor_job(broker.stop)
        try:
            await until(lambda: not mqtt.is_connected(hass))
            entry = await async_setup_hub(hass, MIRROR_ON)
            camera_id = await async_add_camera(
                hass, entry, kinds.KIND, {"name": "Yard", "stream": True}
            )
            mirror = _mirror(entry)
            await asyncio.wait_for(mirror.ready.wait(), 10)
            await hass.async_block_till_done()
            assert mirror.failed == 0  # nothing tried while the broker was away
        finally:
            born = births()
            await hass.async_add_executor_job(broker.start)
            # HA's MQTT resubscribes and sends its birth message after each reconnect: let it
            # finish before the next outage or the end of the test.
            await until(lambda: births() > born)
        # Broker back: the camera's discovery arrives without any sighting.
        node = f"anpr_{camera_id}"
        config = await subscriber.wait_for(f"homeassistant/sensor/{node}/last_plate/config")
        assert json.loads(config[-1].payload)["state_topic"] == f"{ROOT}/yard/state"

        await hass.services.async_call(
            DOMAIN, "add_plate", {"plate": "AB12CDE", "description": "Bob"}, blocking=True
        )
        vdisc = "homeassistant/sensor/anpr_vehicle_ab12cde/last_seen/config"
        await hass.async_add_executor_job(broker.stop)
        try:
            await until(lambda: not mqtt.is_connected(hass))
            events = PlateEvents(hass)
            kinds.RUNNING["Yard"].push(_read("AB12CDE"))
            await events.wait(1)
            await until(lambda: not mirror._queue)
            assert mirror.failed >= 4  # picture, state, vehicle discovery, vehicle state
            assert hass.states.get("sensor.yard_last_plate").state == "AB12CDE"
        finally:
            born = births()
            await hass.async_add_executor_job(broker.start)
            # HA's MQTT resubscribes and sends its birth message after each reconnect: let it
            # finish before the next outage or the end of the test.
            await until(lambda: births() > born)
        # Back again: the kept state, picture and vehicle state arrive, and the vehicle's
        # discovery is re-sent (once: the failed copy was not kept besides the re-send).
        state = await subscriber.wait_for(
            f"{ROOT}/yard/state", where=lambda m: m.payload and json.loads(m.payload)["plate"]
        )
        assert json.loads(state[-1].payload)["plate"] == "AB12CDE"
        assert (await subscriber.wait_for(f"{ROOT}/yard/image"))[-1].payload == JPEG
        vehicle = await subscriber.wait_for(f"{ROOT}/vehicles/AB12CDE/state")
        assert json.loads(vehicle[-1].payload)["description"] == "Bob"
        await subscriber.wait_for(vdisc)
        await until(lambda: not mirror._queue)
        await asyncio.sleep(0.5)
        assert len([m for m in subscriber.find(vdisc) if not m.retain]) <= 1
        assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.enable_socket
@pytest.mark.usefixtures("mock_hass_config")
async def test_two_cameras_status_offline_queue_cap_relative_url(
    hass: HomeAssistant, broker: Broker, subscriber: Subscriber
) -> None:
    """Deleting one camera leaves the other's retained state; another HA going offline does
    not re-send discovery; without a configured HA URL the picture URL is relative; a burst
    over the queue's message cap drops the oldest messages but the newest plate arrives."""
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(hass, MIRROR_ON)
    north = await async_add_camera(hass, entry, kinds.KIND, {"name": "North", "stream": True})
    await async_add_camera(hass, entry, kinds.KIND, {"name": "South", "stream": True})
    events = PlateEvents(hass)
    # HA without any URL of its own (no internal/external URL, HTTP API not known).
    api, hass.config.api = hass.config.api, None
    try:
        kinds.RUNNING["North"].push(_read("NN11NNN"))
        kinds.RUNNING["South"].push(_read("SS11SSS"))
        await events.wait(2)
    finally:
        hass.config.api = api
    south = await subscriber.wait_for(f"{ROOT}/south/state")
    await subscriber.wait_for(f"{ROOT}/north/state")
    # No URL known: a relative image proxy URL (for a client that knows the HA address).
    assert json.loads(south[0].payload)["event_image_url"] == (
        "/api/image_proxy/image.south_picture"
    )

    # Another HA's will message ("offline") does not re-send discovery; "online" does, once.
    # (This HA's own birth message shows its subscriptions, the mirror's too, are active.)
    await subscriber.wait_for("homeassistant/status")
    topic = f"homeassistant/sensor/anpr_{north}/last_plate/config"
    await asyncio.sleep(0.5)  # HA receives its own birth too; let that re-send go out first
    await until(lambda: not _mirror(entry)._queue)
    count = len(subscriber.find(topic))
    subscriber.client.publish("homeassistant/status", "offline")
    await asyncio.sleep(0.5)
    assert len(subscriber.find(topic)) == count
    subscriber.client.publish("homeassistant/status", "online")
    await subscriber.wait_for(topic, count + 1)
    assert len(subscriber.find(topic)) == count + 1

    # Deleting North empties its retained topics; South's plate stays retained.
    assert hass.config_entries.async_remove_subentry(entry, north)
    await hass.async_block_till_done()
    await subscriber.wait_for(f"{ROOT}/north/state", where=lambda m: m.payload == b"")
    late = Subscriber(broker.port)
    try:
        kept = await late.wait_for(f"{ROOT}/south/state")
        assert json.loads(kept[0].payload)["plate"] == "SS11SSS"
        assert late.find(f"{ROOT}/north/state") == []
    finally:
        await hass.async_add_executor_job(late.close)

    # A burst over the message cap (lowered for the test): oldest dropped and counted,
    # the newest plate is what the broker holds.
    mirror = _mirror(entry)
    camera = next(c for c in entry.runtime_data.cameras.values() if c.name == "South")
    kinds.RUNNING["South"].push(PlateRead(plate="TX1", confidence=0.5))
    await events.wait(3)
    first = camera.last
    kinds.RUNNING["South"].push(
        PlateRead(plate="TX2", confidence=0.5, time=datetime.now(UTC) + timedelta(seconds=30))
    )
    await events.wait(4)
    last = camera.last
    assert first is not None and last is not None and last.sighting.plate == "TX2"
    await until(lambda: not mirror._queue)
    before = mirror.failed
    with patch("custom_components.anpr.mirror.MAX_QUEUE_MESSAGES", 20):
        for _ in range(60):
            mirror.async_on_sighting(first)
        mirror.async_on_sighting(last)
        assert len(mirror._queue) <= 20
    assert mirror.failed - before >= 40
    await until(lambda: not mirror._queue)

    def newest_state_is_tx2() -> bool:
        # Publishing is done when the queue is empty; delivery to the subscriber follows.
        states = subscriber.find(f"{ROOT}/south/state")
        return bool(states) and json.loads(states[-1].payload)["plate"] == "TX2"

    await until(newest_state_is_tx2)
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.enable_socket
@pytest.mark.usefixtures("mock_hass_config")
async def test_unpublishable_root_logged_once(
    hass: HomeAssistant,
    broker: Broker,
    subscriber: Subscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A root with an MQTT wildcard cannot be published to: one clear warning, no crash,
    and the hub keeps showing plates."""
    await _setup_mqtt(hass, broker)
    entry = await async_setup_hub(
        hass, MIRROR_ON | {"mqtt_root": "anpr/+", "mqtt_discovery": False}
    )
    await async_add_camera(hass, entry, kinds.KIND, {"name": "Wild", "stream": True})
    mirror = _mirror(entry)
    events = PlateEvents(hass)
    kinds.RUNNING["Wild"].push(_read("WW11WWW"))
    await events.wait(1)
    await until(lambda: mirror.failed >= 2 and not mirror._queue)
    kinds.RUNNING["Wild"].push(_read("WW22WWW", time=datetime.now(UTC) + timedelta(seconds=30)))
    await events.wait(2)
    await until(lambda: mirror.failed >= 4 and not mirror._queue)
    await hass.async_block_till_done()
    assert hass.states.get("sensor.wild_last_plate").state == "WW22WWW"
    warnings = [r for r in caplog.records if "could not publish" in r.getMessage()]
    assert len(warnings) == 1
    assert "anpr/+/wild" in warnings[0].getMessage()
    assert mirror.published == 0
    assert not [t for t in subscriber.topics() if t.startswith("anpr/")]
    assert await hass.config_entries.async_unload(entry.entry_id)
