"""Optional MQTT mirror of every sighting, through Home Assistant's own ``mqtt`` integration.

Off by default (hub option ``mqtt_enabled``). No second MQTT client: every message goes through
``homeassistant.components.mqtt.async_publish`` on the broker the user set up in the MQTT
integration. Topic and payload names follow anpr2mqtt's (github.com/rhizomatics/anpr2mqtt, README)
so its users can migrate:

- ``<root>/<camera>/state``: the sighting as JSON (retained when ``mqtt_retain``); the fields of
  :meth:`Sighting.as_dict` plus anpr2mqtt's ``target``, ``target_type``, ``plate``,
  ``orig_target``, ``event``, ``event_time``, ``reg_info``, ``history``, ``event_image_url``,
  ``image_event``, ``ext``, ``image_size``, ``file_path``, ``area``. With ``<root>`` set to
  ``anpr2mqtt/anpr/cameras`` the topics are exactly anpr2mqtt's
  ``<topic_root>/<event>/cameras/<camera>/state``.
- ``<root>/<camera>/image``: the original picture bytes as the camera sent them (never
  re-encoded).
- ``<root>/vehicles/<PLATE>/state``: per listed vehicle (plate in an allowed or alert list):
  ``last_seen`` (ISO 8601), camera, direction, list and counts.
- Optional MQTT discovery under ``homeassistant/`` for *other* Home Assistant instances, with
  unique ids derived from the camera subentry id (``anpr_<subentry id>_last_plate``) or the
  normalised plate (``anpr_vehicle_<plate>``), never Python ``hash()``.

``<camera>`` is the camera name slugified (``"Front Gate"`` → ``front_gate``). Ignored plates
are not published (as in anpr2mqtt). When MQTT is not set up, a repair issue says so and the
rest of the integration keeps working; when the broker goes away the latest sighting of each
camera is kept and published when the connection returns.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
import json
from types import ModuleType
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.importlib import async_import_module
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.loader import async_get_integration
from homeassistant.util import slugify

from .const import (
    CONF_MQTT_DISCOVERY,
    CONF_MQTT_DISCOVERY_PREFIX,
    CONF_MQTT_ENABLED,
    CONF_MQTT_QOS,
    CONF_MQTT_RETAIN,
    CONF_MQTT_ROOT,
    DEFAULT_MQTT_DISCOVERY_PREFIX as DISCOVERY_PREFIX,
    DEFAULT_MQTT_ROOT,
    DOMAIN,
    EVENT_TYPES,
    LOGGER,
)
from .coordinator import CameraCoordinator, signal_camera_added
from .core.sighting import Sighting, SightingUpdate
from .protocols.models import ImageRole, ReadImage

ISSUE_MQTT_NOT_SET_UP: Final = "mqtt_not_set_up"
ANPR2MQTT_EVENT: Final = "anpr"
MAX_QUEUE_BYTES: Final = 32 * 1024 * 1024  # pictures waiting to be published
MAX_QUEUE_MESSAGES: Final = 20_000  # JSON messages waiting (about 2 kB each)
MAX_VEHICLE_DISCOVERY: Final = 2000

#: (component, key) of the entities each camera gets through discovery.
CAMERA_ENTITIES: Final = (("sensor", "last_plate"), ("event", "plate"), ("image", "picture"))

_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


@dataclass(frozen=True, slots=True)
class Message:
    """One MQTT message to publish: topic, payload (str or bytes), retained or not."""

    topic: str
    payload: str | bytes
    retain: bool


def camera_topic(root: str, camera_name: str) -> str:
    """Return ``<root>/<slugified name>``: ``("anpr", "Front Gate")`` → ``anpr/front_gate``."""
    return f"{root.rstrip('/')}/{slugify(camera_name) or 'camera'}"


def vehicle_topic(root: str, plate: str) -> str:
    """Return ``<root>/vehicles/<PLATE>/state`` for a normalised plate (upper case kept)."""
    safe = "".join(ch for ch in plate if ch not in "+#/") or "unknown"
    return f"{root.rstrip('/')}/vehicles/{safe}/state"


def build_state_payload(
    update: SightingUpdate,
    image: ReadImage | None,
    *,
    image_url: str | None = None,
    area: str | None = None,
) -> dict[str, Any]:
    """Return the ``<root>/<camera>/state`` JSON object for a sighting.

    The sighting's payload (:meth:`Sighting.as_dict`, our names; copied, not changed) plus
    anpr2mqtt's field names, so automations written against its state topic keep working:
    ``target``/``plate`` (the normalised plate), ``target_type`` (``"plate"``),
    ``orig_target`` (the plate as read), ``event`` (``"anpr"``), ``event_time`` (ISO 8601 with
    offset), ``reg_info`` (DVLA answer or None), ``history`` (``previous_sightings``,
    ``last_seen``), ``image_event``/``ext``/``image_size`` (bytes) of the picture published on
    the image topic, ``event_image_url`` and ``area``. No image bytes.
    """
    sighting = update.sighting
    read = sighting.read
    payload = dict(update.payload)
    payload.update(
        {
            "target": sighting.plate,
            "target_type": "plate",
            "orig_target": read.plate,
            "event": ANPR2MQTT_EVENT,
            "event_time": payload["time"],
            "reg_info": sighting.reginfo,
            "history": {
                "previous_sightings": sighting.previous_sightings,
                "last_seen": payload["last_sighting"],
                "first_seen": payload["first_seen"],
            },
            "area": area,
            "event_image_url": image_url,
            "image_event": image.role.value if image else None,
            "ext": _EXT.get(image.content_type, "bin") if image else None,
            "image_size": len(image.data) if image else 0,
            "file_path": read.extra.get("file_path") or (image.name if image else None),
        }
    )
    return payload


def build_vehicle_payload(sighting: Sighting) -> dict[str, Any]:
    """Return the ``<root>/vehicles/<PLATE>/state`` JSON for a listed plate's sighting.

    ``last_seen`` is the sighting time (ISO 8601); ``previous_sightings`` counts the sightings
    before this one. Same role as anpr2mqtt's target sensors (``value_json.last_seen``).
    """
    return {
        "plate": sighting.plate,
        "target": sighting.plate,
        "target_type": "plate",
        "last_seen": sighting.time.isoformat(),
        "camera": sighting.camera,
        "camera_id": sighting.camera_id,
        "direction": sighting.direction.value,
        "description": sighting.description,
        "list": sighting.list_name,
        "category": sighting.list_category,
        "priority": sighting.priority,
        "previous_sightings": sighting.previous_sightings,
        "first_seen": sighting.first_seen.isoformat() if sighting.first_seen else None,
        "known": sighting.event_type == "known",
        "dangerous": sighting.event_type == "alert",
    }


def _origin(version: str | None) -> dict[str, Any]:
    return {"name": "anpr", "sw": version or "", "url": "https://github.com/anpr-dev/anpr"}


def camera_discovery(
    root: str,
    camera: CameraCoordinator,
    version: str | None = None,
    prefix: str = DISCOVERY_PREFIX,
) -> list[Message]:
    """Discovery configs (retained JSON) for one camera: last-plate sensor, event, image.

    Topics ``<prefix>/<component>/anpr_<subentry id>/<key>/config``; unique ids
    ``anpr_<subentry id>_<key>`` (stable across restarts and renames).
    """
    name = camera.name
    base = camera_topic(root, name)
    node = f"anpr_{camera.camera_id}"
    device = {
        "identifiers": [node],
        "name": name,
        "manufacturer": camera.device.get("manufacturer") or camera.spec.manufacturer,
        "model": camera.device.get("model") or camera.spec.model,
    }
    common = {"device": device, "origin": _origin(version)}
    configs: dict[tuple[str, str], dict[str, Any]] = {
        ("sensor", "last_plate"): {
            "name": "Last plate",
            "state_topic": f"{base}/state",
            "value_template": "{{ value_json.plate }}",
            "json_attributes_topic": f"{base}/state",
            "icon": "mdi:car-back",
        },
        ("event", "plate"): {
            "name": "Plate",
            "state_topic": f"{base}/state",
            "event_types": list(EVENT_TYPES),
            "icon": "mdi:car-search",
        },
        ("image", "picture"): {
            "name": "Picture",
            "image_topic": f"{base}/image",
            "content_type": "image/jpeg",
        },
    }
    return [
        Message(
            f"{prefix}/{component}/{node}/{key}/config",
            json.dumps(config | common | {"unique_id": f"{node}_{key}"}),
            True,
        )
        for (component, key), config in configs.items()
    ]


def camera_cleanup(
    root: str, camera_id: str, name: str, *, discovery: bool = True, prefix: str = DISCOVERY_PREFIX
) -> list[Message]:
    """Empty retained messages that remove a deleted camera from the broker.

    Clears ``<root>/<camera>/state`` and ``/image`` (no plate or picture of a deleted camera
    stays retained) and, with ``discovery``, its three discovery configs (other Home Assistant
    instances then remove the entities).
    """
    base = camera_topic(root, name)
    node = f"anpr_{camera_id}"
    messages = [
        Message(f"{prefix}/{component}/{node}/{key}/config", b"", True)
        for component, key in (CAMERA_ENTITIES if discovery else ())
    ]
    # after the configs, so no remaining subscriber gets an empty state
    return [*messages, Message(f"{base}/image", b"", True), Message(f"{base}/state", b"", True)]


def vehicle_discovery(
    root: str,
    plate: str,
    description: str | None,
    version: str | None = None,
    prefix: str = DISCOVERY_PREFIX,
) -> Message:
    """Discovery config for a listed vehicle's "last seen" timestamp sensor.

    Unique id ``anpr_vehicle_<plate lower>``: the normalised plate is the vehicle's identity.
    """
    node = f"anpr_vehicle_{slugify(plate) or 'unknown'}"
    config = {
        "name": "Last seen",
        "unique_id": node,
        "state_topic": vehicle_topic(root, plate),
        "value_template": "{{ value_json.last_seen }}",
        "json_attributes_topic": vehicle_topic(root, plate),
        "device_class": "timestamp",
        "icon": "mdi:car-clock",
        "device": {"identifiers": [node], "name": description or plate, "model": plate},
        "origin": _origin(version),
    }
    return Message(f"{prefix}/sensor/{node}/last_seen/config", json.dumps(config), True)


class MqttMirror:
    """Publishes sightings to MQTT through HA's ``mqtt`` integration (one ordered queue).

    Lifecycle: :meth:`async_start` (in a background task of the hub entry) waits for the MQTT
    integration; :meth:`async_on_sighting` (one of the hub's sighting hooks) queues the
    messages; :meth:`async_stop` on unload. Never raises into the hub.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        cameras: Mapping[str, CameraCoordinator],
    ) -> None:
        """Read root, QoS, retain and discovery from the hub options; ``cameras`` by id."""
        self.hass = hass
        self.entry = entry
        self.cameras = cameras
        options = entry.options
        self.root = str(options.get(CONF_MQTT_ROOT) or DEFAULT_MQTT_ROOT).strip().strip("/")
        self.root = self.root or DEFAULT_MQTT_ROOT
        self.qos = max(0, min(2, int(options.get(CONF_MQTT_QOS, 0))))
        self.retain = bool(options.get(CONF_MQTT_RETAIN, True))
        self.discovery = bool(options.get(CONF_MQTT_DISCOVERY, False))
        self.prefix = (
            str(options.get(CONF_MQTT_DISCOVERY_PREFIX) or DISCOVERY_PREFIX).strip().strip("/")
            or DISCOVERY_PREFIX
        )
        self._mqtt: ModuleType | None = None
        self._queue: deque[Message] = deque()
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        # Latest message per topic that could not be published (broker away), in order.
        self._pending: dict[str, Message] = {}
        self._version: str | None = None
        self._vehicles: dict[str, str | None] = {}
        # Cameras with something on the broker: subentry id -> name used in the topics.
        self._cameras: dict[str, str] = {}
        self._unsubs: list[Callable[[], None]] = []
        self._connected = False
        self._failing = False
        self.published = 0
        self.failed = 0
        self.ready = asyncio.Event()

    # -- lifecycle -----------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Wait for the MQTT integration; raise a repair issue when it is not set up."""
        try:
            mqtt = await async_import_module(self.hass, "homeassistant.components.mqtt")
            available = bool(await mqtt.async_wait_for_mqtt_client(self.hass))
        except ImportError:
            available = False
        if not available:
            LOGGER.warning(
                "The ANPR MQTT mirror is on but the MQTT integration is not set up; "
                "nothing is published"
            )
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                ISSUE_MQTT_NOT_SET_UP,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_MQTT_NOT_SET_UP,
                translation_placeholders={"root": self.root},
            )
            return
        ir.async_delete_issue(self.hass, DOMAIN, ISSUE_MQTT_NOT_SET_UP)
        self._mqtt = mqtt
        self._version = str((await async_get_integration(self.hass, DOMAIN)).version or "")
        self._unsubs.append(
            mqtt.async_subscribe_connection_status(self.hass, self._async_connection_changed)
        )
        self._unsubs.append(
            async_dispatcher_connect(
                self.hass, signal_camera_added(self.entry.entry_id), self._async_camera_added
            )
        )
        if self.discovery:
            self._unsubs.append(
                await mqtt.async_subscribe(self.hass, f"{self.prefix}/status", self._async_status)
            )
        self._connected = bool(mqtt.is_connected(self.hass))
        if self._connected:
            self._async_queue_discovery()
        self.ready.set()
        LOGGER.debug("MQTT mirror started on %s/ (qos %s)", self.root, self.qos)
        await self._async_worker()

    @callback
    def async_stop(self) -> None:
        """Unsubscribe (the worker task is cancelled with the entry's background tasks)."""
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    # -- inputs --------------------------------------------------------------------------------

    @callback
    def async_on_sighting(self, update: SightingUpdate) -> None:
        """Sighting hook: queue the image, state and vehicle messages of a new sighting."""
        sighting = update.sighting
        if self._mqtt is None or sighting.event_type is None:
            return
        base = camera_topic(self.root, sighting.camera)
        self._cameras[sighting.camera_id] = sighting.camera
        image = sighting.image(ImageRole.FULL, ImageRole.VEHICLE, ImageRole.PLATE)
        payload = build_state_payload(
            update,
            image,
            image_url=self._image_url(sighting.camera_id),
            area=self._area(sighting.camera_id),
        )
        messages: list[Message] = []
        if image is not None:
            messages.append(Message(f"{base}/image", image.data, self.retain))
        messages.append(Message(f"{base}/state", json.dumps(payload, default=str), self.retain))
        if sighting.list_category is not None:
            if (
                self.discovery
                and sighting.plate not in self._vehicles
                and len(self._vehicles) < MAX_VEHICLE_DISCOVERY
            ):
                self._vehicles[sighting.plate] = sighting.description
                messages.append(
                    vehicle_discovery(
                        self.root, sighting.plate, sighting.description, self._version, self.prefix
                    )
                )
            messages.append(
                Message(
                    vehicle_topic(self.root, sighting.plate),
                    json.dumps(build_vehicle_payload(sighting), default=str),
                    self.retain,
                )
            )
        self._async_enqueue(messages)

    @callback
    def _async_not_published(self, message: Message, reason: object) -> None:
        """Keep the latest message per topic for the reconnect (discovery is re-sent anyway).

        Bounded by the number of topics: two per camera plus one per listed vehicle.
        """
        self.failed += 1
        if not message.topic.startswith(f"{self.prefix}/") or not message.payload:
            self._pending[message.topic] = message  # discovery configs are re-sent anyway
        if not self._failing:
            LOGGER.warning(
                "MQTT mirror could not publish to %s (%s); the latest message of each topic "
                "is published when the broker is back",
                message.topic,
                reason,
            )
            self._failing = True

    @callback
    def _async_enqueue(self, messages: list[Message]) -> None:
        """Queue messages in order. Over budget, the oldest pictures are dropped first.

        A burst of 200 reads with 150 kB pictures (30 MB) fits; beyond ``MAX_QUEUE_BYTES`` of
        pictures the oldest pictures go (their state messages stay), beyond
        ``MAX_QUEUE_MESSAGES`` the oldest messages go. Drops are counted in ``failed``.
        """
        for message in messages:
            self._queue.append(message)
            if isinstance(message.payload, bytes):
                self._queued_bytes += len(message.payload)
        kept: list[Message] = []
        while self._queue and (
            self._queued_bytes > MAX_QUEUE_BYTES
            or len(self._queue) + len(kept) > MAX_QUEUE_MESSAGES
        ):
            oldest = self._queue.popleft()
            if isinstance(oldest.payload, bytes):
                self._queued_bytes -= len(oldest.payload)
            elif len(self._queue) + len(kept) < MAX_QUEUE_MESSAGES:
                kept.append(oldest)  # over the picture budget only: keep the state
                continue
            self.failed += 1
        self._queue.extendleft(reversed(kept))
        self._wakeup.set()

    @callback
    def _async_connection_changed(self, connected: bool) -> None:
        self._connected = connected
        if not connected:
            return
        if self._failing:
            LOGGER.info("MQTT mirror: the broker is back; publishing again")
            self._failing = False
        self._async_queue_discovery()
        pending, self._pending = self._pending, {}
        self._async_enqueue(list(pending.values()))

    @callback
    def _async_camera_added(self, camera: CameraCoordinator) -> None:
        if self.discovery and self._connected:
            self._cameras[camera.camera_id] = camera.name
            self._async_enqueue(camera_discovery(self.root, camera, self._version, self.prefix))

    async def async_entry_updated(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """Empty what the broker still holds for camera subentries that were removed.

        Its retained state and picture are emptied (no plate of a deleted camera stays on the
        broker) and, with discovery on, its discovery configs, so other Home Assistant
        instances remove its entities.
        """
        for camera_id, name in list(self._cameras.items()):
            if camera_id in entry.subentries:
                continue
            del self._cameras[camera_id]
            self._async_enqueue(
                camera_cleanup(
                    self.root, camera_id, name, discovery=self.discovery, prefix=self.prefix
                )
            )

    async def _async_status(self, msg: Any) -> None:
        """``homeassistant/status`` = ``online``: another HA restarted; send discovery again."""
        if msg.payload == "online":
            self._async_queue_discovery()

    @callback
    def _async_queue_discovery(self) -> None:
        if not self.discovery:
            return
        for camera in list(self.cameras.values()):
            self._cameras[camera.camera_id] = camera.name
            self._async_enqueue(camera_discovery(self.root, camera, self._version, self.prefix))
        for plate, description in self._vehicles.items():
            self._async_enqueue(
                [vehicle_discovery(self.root, plate, description, self._version, self.prefix)]
            )

    # -- output --------------------------------------------------------------------------------

    async def _async_worker(self) -> None:
        """Publish queued messages in order; on failure keep the message for the reconnect."""
        assert self._mqtt is not None
        mqtt = self._mqtt
        while True:
            if not self._queue:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            message = self._queue.popleft()
            if isinstance(message.payload, bytes):
                self._queued_bytes -= len(message.payload)
            if not self._connected:
                self._async_not_published(message, "MQTT is not connected")
                continue
            try:
                await mqtt.async_publish(
                    self.hass,
                    message.topic,
                    message.payload,
                    self.qos,
                    message.retain,
                    None if isinstance(message.payload, bytes) else "utf-8",
                )
            except Exception as err:  # any failure: keep the message, never stop the worker
                self._async_not_published(message, err)
            else:
                self.published += 1

    # -- helpers -------------------------------------------------------------------------------

    def _image_url(self, camera_id: str) -> str | None:
        """Absolute ``/api/image_proxy/<image entity>`` URL (needs an HA token) or None."""
        registry = er.async_get(self.hass)
        entity_id = registry.async_get_entity_id("image", DOMAIN, f"{camera_id}_picture")
        if entity_id is None:
            return None
        try:
            base = get_url(self.hass, prefer_external=False)
        except NoURLAvailableError:
            return f"/api/image_proxy/{entity_id}"
        return f"{base}/api/image_proxy/{entity_id}"

    def _area(self, camera_id: str) -> str | None:
        """Name of the camera device's area, when the user assigned one."""
        # Scan this entry's devices: the identifier lookup differs between Home Assistant
        # releases (async_get_device is deprecated in 2026.x, its successor is not in 2025.4).
        registry = dr.async_get(self.hass)
        device = next(
            (
                dev
                for dev in dr.async_entries_for_config_entry(registry, self.entry.entry_id)
                if (DOMAIN, camera_id) in dev.identifiers
            ),
            None,
        )
        if device is None or device.area_id is None:
            return None
        area = ar.async_get(self.hass).async_get_area(device.area_id)
        return area.name if area else None


def async_setup_mirror(
    hass: HomeAssistant, entry: ConfigEntry[Any], cameras: Mapping[str, CameraCoordinator]
) -> MqttMirror | None:
    """Start the mirror when the hub option is on; clean up its repair issue when off.

    Registers the unload callbacks on ``entry`` and returns the mirror (None when off); the hub
    hooks :meth:`MqttMirror.async_on_sighting`. Never raises: MQTT problems become a repair
    issue or a log line.
    """
    if not entry.options.get(CONF_MQTT_ENABLED, False):
        ir.async_delete_issue(hass, DOMAIN, ISSUE_MQTT_NOT_SET_UP)
        return None
    mirror = MqttMirror(hass, entry, cameras)
    entry.async_on_unload(mirror.async_stop)
    entry.async_on_unload(entry.add_update_listener(mirror.async_entry_updated))
    entry.async_create_background_task(hass, mirror.async_start(), f"{DOMAIN} mqtt mirror")
    return mirror
