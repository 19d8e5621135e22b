"""``frigate`` source kind: plate reads of one Frigate camera, through Home Assistant's MQTT.

No second MQTT client: the source subscribes with ``homeassistant.components.mqtt`` on the
broker the user set up in the MQTT integration (which reconnects and re-subscribes by itself).
One camera subentry per Frigate camera. Messages (``protocols/frigate.py``, ``docs/protocols.md``
"Frigate"):

* ``<prefix>/events``: ``recognized_license_plate`` (+ score) and ``sub_label`` (a known plate's
  name) of a tracked vehicle; ``type: end`` closes the object;
* ``<prefix>/tracked_object_update``: ``type: lpr`` refinements (``plate``, ``name``, ``score``);
* ``<prefix>/available``: ``online``/``offline`` drives the connectivity sensor, together with
  the MQTT connection itself.

**Best read per tracked object:** the first plate of an object is held for ``settle`` seconds
(default 2; 0 = deliver at once) while Frigate refines it, then the best one is delivered; an
object that ends earlier is delivered at its end. After that, only a different plate with a
higher score is delivered (Frigate corrected itself). The read's ``vendor_id`` is Frigate's
event id, so the ``anpr_plate_read`` event carries it and a notification can link back
(``/api/frigate/notifications/<vendor_id>/snapshot.jpg`` through the Frigate integration, or
``<frigate>/api/events/<vendor_id>/snapshot.jpg``).

**Picture:** when a Frigate URL is set and Frigate has a snapshot, the read waits for
``GET <url>/api/events/<id>/snapshot.jpg`` (at most :data:`PICTURE_TIMEOUT` s), so the event and
the image entity carry it together; a failed fetch delivers the read without it.

**MQTT missing:** a repair issue (``frigate_mqtt_missing``) and the camera stays unavailable;
the config flow refuses the camera until the MQTT integration is set up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from functools import partial
from types import ModuleType
from typing import Any, Final
from urllib.parse import quote, urlsplit

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir, selector
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.helpers.importlib import async_import_module
from homeassistant.util.hass_dict import HassKey
import httpx
import voluptuous as vol

from ..const import DOMAIN, LOGGER
from ..protocols.frigate import (
    BestReadTracker,
    FrigateError,
    FrigateUpdate,
    camera_from_state_topic,
    parse_events,
    parse_tracked_object_update,
)
from ..protocols.imageinfo import image_size
from ..protocols.models import ImageRole, PlateRead, ReadImage
from .base import (
    AnprSource,
    SourceContext,
    SourceKind,
    SourceValidationError,
    ValidatedCamera,
    register,
)

KIND: Final = "frigate"
CONF_FRIGATE_CAMERA: Final = "frigate_camera"
CONF_TOPIC_PREFIX: Final = "topic_prefix"
CONF_FRIGATE_URL: Final = "frigate_url"
CONF_SETTLE: Final = "settle"

DEFAULT_PREFIX: Final = "frigate"
DEFAULT_SETTLE: Final = 2.0
ISSUE_MQTT_MISSING: Final = "frigate_mqtt_missing"

# Tunables (module constants so tests and the benchmark can change them).
PICTURE_TIMEOUT: float = 5.0
MAX_PICTURE_BYTES: int = 10 * 1024 * 1024
DISCOVERY_WAIT: float = 1.0  # s the flow waits for Frigate's retained camera states
DISCOVERY_QUIET: float = 0.1  # s without a new camera that ends the wait early
MAX_SEEN: int = 256  # camera names remembered for the flow (a busy broker cannot grow it)

_SEEN: HassKey[set[str]] = HassKey(f"{DOMAIN}_frigate_cameras")


def seen_cameras(hass: HomeAssistant) -> set[str]:
    """Frigate camera names this Home Assistant has seen on MQTT (offered by the flow)."""
    return hass.data.setdefault(_SEEN, set())


def _remember(hass: HomeAssistant, camera: str) -> bool:
    """Add a camera name (at most :data:`MAX_SEEN`); True when it is new."""
    seen = seen_cameras(hass)
    if camera in seen or len(seen) >= MAX_SEEN:
        return False
    seen.add(camera)
    return True


def _prefix(data: Mapping[str, Any]) -> str:
    return str(data.get(CONF_TOPIC_PREFIX) or DEFAULT_PREFIX).strip().strip("/")


async def _mqtt(hass: HomeAssistant) -> ModuleType | None:
    """Return the MQTT integration's module when it is set up and has a client, else None."""
    if not hass.config_entries.async_entries("mqtt"):
        return None
    try:
        mqtt = await async_import_module(hass, "homeassistant.components.mqtt")
        available = bool(await mqtt.async_wait_for_mqtt_client(hass))
    except ImportError:  # pragma: no cover - mqtt is part of Home Assistant
        return None
    return mqtt if available else None


def _without_credentials(url: str) -> str:
    """Return ``url`` without the ``user:pass@`` a Frigate URL may carry."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _snapshot_url(base: str, event_id: str) -> str:
    return f"{base.rstrip('/')}/api/events/{quote(event_id, safe='')}/snapshot.jpg"


class FrigateSource(AnprSource):
    """One Frigate camera's plate reads (see the module docstring)."""

    def __init__(self, ctx: SourceContext) -> None:
        """Read the settings; nothing subscribes before :meth:`async_start`."""
        super().__init__(ctx)
        data = ctx.data
        self.camera = str(data[CONF_FRIGATE_CAMERA])
        self.prefix = _prefix(data)
        self.url = str(data.get(CONF_FRIGATE_URL) or "").strip().rstrip("/") or None
        self.settle = max(0.0, float(data.get(CONF_SETTLE, DEFAULT_SETTLE)))
        self.tracker = BestReadTracker()
        self._unsubs: list[Callable[[], None]] = []
        self._timers: dict[str, Callable[[], None]] = {}
        self._fetches: set[asyncio.Task[None]] = set()
        self._mqtt_connected = False
        self._frigate_online = True
        self._stopped = False
        self.counters: dict[str, int] = {
            "messages": 0,
            "availability_messages": 0,
            "bad_messages": 0,
            "other_cameras": 0,
            "plate_updates": 0,
            "reads": 0,
            "pictures": 0,
            "picture_failures": 0,
        }
        self.last_error: str | None = None

    async def async_start(self) -> None:
        """Subscribe in the background (MQTT may still be starting)."""
        self.ctx.create_task(self._async_subscribe(), "frigate subscribe")

    async def _async_subscribe(self) -> None:
        mqtt = await _mqtt(self.ctx.hass)
        if mqtt is None:
            LOGGER.warning(
                "Frigate camera %s: the MQTT integration is not set up; no plates arrive",
                self.ctx.name,
            )
            ir.async_create_issue(
                self.ctx.hass,
                DOMAIN,
                ISSUE_MQTT_MISSING,
                is_fixable=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=ISSUE_MQTT_MISSING,
                translation_placeholders={"camera": self.ctx.name},
            )
            self.ctx.set_connected(False)
            return
        ir.async_delete_issue(self.ctx.hass, DOMAIN, ISSUE_MQTT_MISSING)
        hass = self.ctx.hass
        self._unsubs.append(
            mqtt.async_subscribe_connection_status(hass, self._async_connection_changed)
        )
        for topic, handler in (
            (f"{self.prefix}/events", self._async_on_events),
            (f"{self.prefix}/tracked_object_update", self._async_on_tracked),
            (f"{self.prefix}/available", self._async_on_available),
        ):
            self._unsubs.append(await mqtt.async_subscribe(hass, topic, handler, 0, None))
        if self._stopped:  # unloaded while subscribing
            self._unsubscribe()
            return
        self._mqtt_connected = bool(mqtt.is_connected(hass))
        self._update_connected()

    def _unsubscribe(self) -> None:
        for unsub in self._unsubs:
            unsub()
        self._unsubs.clear()

    async def async_stop(self) -> None:
        """Unsubscribe, cancel timers, deliver held reads (without waiting for pictures)."""
        self._stopped = True
        self._unsubscribe()
        for event_id, cancel in list(self._timers.items()):
            cancel()
            self._deliver_now(event_id)
        self._timers.clear()
        for task in list(self._fetches):
            task.cancel()
        for task in list(self._fetches):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # -- connectivity ---------------------------------------------------------------------------

    @callback
    def _async_connection_changed(self, connected: bool) -> None:
        self._mqtt_connected = connected
        self._update_connected()

    @callback
    def _async_on_available(self, msg: Any) -> None:
        self.counters["availability_messages"] += 1
        payload = msg.payload
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
        self._frigate_online = text.strip().casefold() != "offline"
        self._update_connected()

    @callback
    def _update_connected(self) -> None:
        self.ctx.set_connected(self._mqtt_connected and self._frigate_online)

    # -- messages -------------------------------------------------------------------------------

    @callback
    def _async_on_events(self, msg: Any) -> None:
        self._handle(msg.payload, parse_events)

    @callback
    def _async_on_tracked(self, msg: Any) -> None:
        self._handle(msg.payload, parse_tracked_object_update)

    @callback
    def _handle(
        self, payload: Any, parse: Callable[[bytes | str], FrigateUpdate | None]
    ) -> None:
        self.counters["messages"] += 1
        try:
            update = parse(payload if isinstance(payload, (bytes, str)) else bytes(payload))
        except FrigateError as err:
            self.counters["bad_messages"] += 1
            self.last_error = str(err)
            LOGGER.warning("Frigate camera %s: skipped a message: %s", self.ctx.name, err)
            return
        if update is None:
            return
        _remember(self.ctx.hass, update.camera)
        if update.camera != self.camera:
            self.counters["other_cameras"] += 1
            return
        if update.plate is not None:
            self.counters["plate_updates"] += 1
        better = self.tracker.offer(update)
        event_id = update.event_id
        if update.ended:
            self._cancel_timer(event_id)
            self._deliver_now(event_id)
            self.tracker.forget(event_id)
            return
        if not better or not self.tracker.pending(event_id):
            return
        if self.settle <= 0:
            self._deliver_now(event_id)
        elif event_id not in self._timers:
            self._timers[event_id] = async_call_later(
                self.ctx.hass, self.settle, partial(self._timer_done, event_id)
            )

    @callback
    def _timer_done(self, event_id: str, _now: Any) -> None:
        self._timers.pop(event_id, None)
        self._deliver_now(event_id)

    def _cancel_timer(self, event_id: str) -> None:
        cancel = self._timers.pop(event_id, None)
        if cancel is not None:
            cancel()

    @callback
    def _deliver_now(self, event_id: str) -> None:
        has_snapshot = self.tracker.has_snapshot(event_id)
        read = self.tracker.take(event_id)
        if read is None:
            return
        if self.url and has_snapshot and not self._stopped:
            task = self.ctx.hass.async_create_background_task(
                self._async_fetch_and_deliver(read, event_id), f"anpr {self.ctx.name} snapshot"
            )
            self._fetches.add(task)
            task.add_done_callback(self._fetches.discard)
            return
        self._deliver(read)

    @callback
    def _deliver(self, read: PlateRead) -> None:
        self.counters["reads"] += 1
        read.source = KIND
        self.ctx.deliver(read)

    async def _async_fetch_and_deliver(self, read: PlateRead, event_id: str) -> None:
        try:
            picture = await self._async_fetch(event_id)
        except asyncio.CancelledError:
            self._deliver(read)
            raise
        if picture is not None:
            read.images.append(picture)
        self._deliver(read)

    async def _async_fetch(self, event_id: str) -> ReadImage | None:
        assert self.url is not None
        client = get_async_client(self.ctx.hass, verify_ssl=False)
        try:
            async with asyncio.timeout(PICTURE_TIMEOUT):
                resp = await client.get(_snapshot_url(self.url, event_id))
            if resp.status_code != 200:
                raise httpx.HTTPStatusError(
                    f"HTTP {resp.status_code}", request=resp.request, response=resp
                )
            data = resp.content
        except (httpx.HTTPError, TimeoutError) as err:
            self.counters["picture_failures"] += 1
            LOGGER.debug(
                "Frigate camera %s: snapshot not fetched (%s); the read goes without it",
                self.ctx.name,
                err or "timeout",
            )
            return None
        ctype = resp.headers.get("content-type", "image/jpeg").split(";")[0].strip()
        if not ctype.startswith("image/") or len(data) > MAX_PICTURE_BYTES or not image_size(data):
            self.counters["picture_failures"] += 1
            LOGGER.debug("Frigate camera %s: the snapshot is not a picture", self.ctx.name)
            return None
        self.counters["pictures"] += 1
        return ReadImage(data=data, content_type=ctype, role=ImageRole.FULL, name="snapshot.jpg")

    # -- diagnostics ----------------------------------------------------------------------------

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Counters and state; never plates, event ids or the Frigate URL."""
        return {
            "topic_prefix": self.prefix,
            "settle": self.settle,
            "frigate_url_set": self.url is not None,
            "mqtt_connected": self._mqtt_connected,
            "frigate_online": self._frigate_online,
            "counters": dict(self.counters),
            "tracked_objects": len(self.tracker),
            "held_reads": len(self._timers),
            "last_error": self.last_error,
        }

    @property
    def configuration_url(self) -> str | None:
        """Frigate's web UI (when its URL is set), without credentials."""
        return _without_credentials(self.url) if self.url else None


# --- Config flow glue -------------------------------------------------------------------------


async def _prepare(hass: HomeAssistant, flow_data: dict[str, Any]) -> None:
    """Learn Frigate's camera names from its retained ``<prefix>/<camera>/.../state`` topics."""
    mqtt = await _mqtt(hass)
    if mqtt is None:
        return
    prefix = DEFAULT_PREFIX
    found = asyncio.Event()

    @callback
    def on_state(msg: Any) -> None:
        camera = camera_from_state_topic(str(msg.topic), prefix)
        if camera is not None and _remember(hass, camera):
            found.set()

    unsub = await mqtt.async_subscribe(hass, f"{prefix}/+/+/state", on_state, 0, None)
    try:
        async with asyncio.timeout(DISCOVERY_WAIT):
            while True:
                found.clear()
                await found.wait()
                # More retained states arrive in the same burst: stop once it goes quiet.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(DISCOVERY_QUIET):
                        await found.wait()
                    continue
                break
    except TimeoutError:
        pass
    finally:
        unsub()


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    """Fields of the Frigate form; the camera list holds Frigate's cameras and the current one."""
    cameras = set(seen_cameras(hass))
    if current.get(CONF_FRIGATE_CAMERA):
        cameras.add(str(current[CONF_FRIGATE_CAMERA]))
    options = sorted(cameras)
    return vol.Schema(
        {
            # With one camera known there is nothing to choose: it is the default.
            vol.Required(
                CONF_FRIGATE_CAMERA, default=options[0] if len(options) == 1 else vol.UNDEFINED
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=options,
                    custom_value=True,
                    mode=selector.SelectSelectorMode.DROPDOWN,
                )
            ),
            vol.Required(CONF_TOPIC_PREFIX, default=DEFAULT_PREFIX): selector.TextSelector(),
            vol.Optional(CONF_FRIGATE_URL, default=""): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
            ),
            vol.Required(CONF_SETTLE, default=DEFAULT_SETTLE): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=0,
                    max=30,
                    step=0.5,
                    unit_of_measurement="s",
                    mode=selector.NumberSelectorMode.BOX,
                )
            ),
        }
    )


def _placeholders(hass: HomeAssistant, flow_data: Mapping[str, Any]) -> dict[str, str]:
    cameras = sorted(seen_cameras(hass))
    return {"cameras": ", ".join(cameras) if cameras else "-"}


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    """Test-before-configure for a Frigate camera.

    MQTT must be set up; the camera name and prefix must be valid topic levels; a Frigate URL,
    when given, must answer ``/api/config`` and list the camera.
    """
    if await _mqtt(hass) is None:
        raise SourceValidationError("mqtt_not_set_up")
    camera = str(data.get(CONF_FRIGATE_CAMERA) or "").strip()
    if not camera or any(c in camera for c in "/+#") or len(camera) > 64:
        raise SourceValidationError("invalid_frigate_camera", CONF_FRIGATE_CAMERA)
    prefix = _prefix(data)
    if not prefix or any(c in prefix for c in "+#"):
        raise SourceValidationError("invalid_topic", CONF_TOPIC_PREFIX)
    data = dict(data)
    data[CONF_FRIGATE_CAMERA] = camera
    data[CONF_TOPIC_PREFIX] = prefix
    url = str(data.get(CONF_FRIGATE_URL) or "").strip().rstrip("/")
    data[CONF_FRIGATE_URL] = url
    device: dict[str, str] = {"manufacturer": "Frigate", "model": "Frigate camera"}
    if url:
        if urlsplit(url).scheme not in ("http", "https"):
            raise SourceValidationError("invalid_url", CONF_FRIGATE_URL)
        client = get_async_client(hass, verify_ssl=False)
        try:
            async with asyncio.timeout(10):
                resp = await client.get(f"{url}/api/config")
            config = resp.json() if resp.status_code == 200 else None
        except (httpx.HTTPError, TimeoutError, ValueError) as err:
            raise SourceValidationError("cannot_connect", CONF_FRIGATE_URL) from err
        cameras = config.get("cameras") if isinstance(config, dict) else None
        if not isinstance(cameras, dict):
            raise SourceValidationError("not_frigate", CONF_FRIGATE_URL)
        if camera not in cameras:
            raise SourceValidationError(
                "unknown_frigate_camera",
                CONF_FRIGATE_CAMERA,
                {"cameras": ", ".join(sorted(str(c) for c in cameras)[:50])},
            )
        for name in list(cameras)[:MAX_SEEN]:
            _remember(hass, str(name)[:64])
        device["configuration_url"] = _without_credentials(url)
    return ValidatedCamera(data=data, unique_id=f"frigate_{prefix}_{camera}", device=device)


register(
    SourceKind(
        kind=KIND,
        factory=FrigateSource,
        schema=_schema,
        validate=_validate,
        prepare=_prepare,
        placeholders=_placeholders,
        is_stream=True,
        unique_id_from_config=True,
        image_entities=("picture",),
        manufacturer="Frigate",
        model="Frigate camera",
    )
)

__all__ = ["KIND", "FrigateSource", "seen_cameras"]
