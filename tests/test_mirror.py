"""MQTT mirror against a real mosquitto broker and a real paho subscriber (TOOLCHAIN.md).

The broker is started once per session on a free 127.0.0.1 port; Home Assistant's own ``mqtt``
integration connects to it, the hub mirrors sightings through it, and a paho client subscribed
to ``#`` checks what a consumer (another HA, Node-RED, an anpr2mqtt automation) would receive.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
from datetime import UTC, datetime, timedelta
import json
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
from custom_components.anpr.protocols.models import Direction, ImageRole, PlateRead, ReadImage

from . import kinds
from .conftest import FIXTURES
from .helpers import PlateEvents, async_add_camera, async_setup_hub

JPEG = (FIXTURES / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg").read_bytes()
ROOT = "anpr2mqtt/anpr/cameras"  # anpr2mqtt's <topic_root>/<event>/cameras: same topics
MIRROR_ON = {
    "mqtt_enabled": True,
    "mqtt_root": ROOT,
    "mqtt_qos": 1,
    "mqtt_retain": True,
    "mqtt_discovery": True,
}

pytestmark = pytest.mark.skipif(shutil.which("mosquitto") is None, reason="needs mosquitto")


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
    device = devices.async_get_device(identifiers={(DOMAIN, camera_id)})
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
    hass: HomeAssistant, broker: Broker, subscriber: Subscriber
) -> None:
    """Broker outage: no crash, entities keep updating, publishing resumes when it is back."""
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
    mirror = next(h.__self__ for h in runtime.sighting_hooks if hasattr(h, "__self__"))
    camera = next(iter(runtime.cameras.values()))
    sighting = camera.last_sighting
    assert sighting is not None
    before = mirror.failed
    states_before = len(subscriber.find(f"{ROOT}/lane_2/state"))
    for _ in range(300):  # 300 pictures (44 MB) in one go: more than the queue's 32 MB budget
        mirror.async_on_sighting(camera, sighting)
    assert mirror.failed > before  # the oldest pictures were dropped ...
    await until(lambda: not mirror._queue)
    # ... but every state message still arrives, and the newest picture too.
    await subscriber.wait_for(f"{ROOT}/lane_2/state", states_before + 300)
    vehicle = await subscriber.wait_for(f"{ROOT}/vehicles/KN0WN1/state", 301)
    assert json.loads(vehicle[-1].payload)["plate"] == "KN0WN1"
    assert subscriber.find(f"{ROOT}/lane_2/image")[-1].payload == JPEG
    assert await hass.config_entries.async_unload(entry.entry_id)
