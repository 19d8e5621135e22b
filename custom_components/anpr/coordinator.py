"""Per-camera push coordinators: where every read of a camera enters and leaves.

One read's path (docs/architecture.md): a source calls :meth:`CameraCoordinator.async_deliver`
→ validation (core/validation.py) → the picture check → :meth:`Pipeline.async_process
<.core.pipeline.Pipeline.async_process>`, which returns ``(sighting, is_new)`` → one
:class:`~.core.sighting.SightingUpdate` → the bus event, the camera's entities (listeners) and
then the hub's :class:`SightingHooks` (vehicles, DVLA, pictures, MQTT mirror, panel feed).

Push pattern after unifiprotect's ``ProtectData``: entities subscribe with
:meth:`CameraCoordinator.async_add_listener`. The hub's runtime (runtime.py) starts, stops and
restarts coordinators as camera subentries come and go.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import datetime
import time
from typing import Any, cast

from homeassistant.config_entries import ConfigEntry, ConfigFlowContext, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .const import (
    CONF_CAMERA_ROLE,
    CONF_DIRECTION_MODE,
    CONF_MIN_CONFIDENCE,
    CONF_REPEAT_WINDOW,
    CONF_UNREADABLE_EVENTS,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_REPEAT_WINDOW,
    DOMAIN,
    EVENT_PLATE_READ,
    LOGGER,
)
from .core.pipeline import DIRECTION_AS_REPORTED, CameraSettings, Pipeline
from .core.sighting import Sighting, SightingUpdate
from .core.validation import DropReason, ReadCheck, check_pictures, validate_read
from .core.visits import DEFAULT_ROLE
from .protocols.models import PlateRead
from .sources import AnprSource, SourceContext, SourceKind

SIGNAL_CAMERA_ADDED = "anpr_camera_added_{}"


def signal_camera_added(entry_id: str) -> str:
    """Dispatcher signal (scoped to the hub entry) sent with a new :class:`CameraCoordinator`."""
    return SIGNAL_CAMERA_ADDED.format(entry_id)


#: An entity's subscription: called with the update of a sighting, or None when only the
#: camera's state changed (connected, restarted, stopped).
CameraListener = Callable[[SightingUpdate | None], None]
#: A hub consumer of sightings (after the bus event and the camera's entities).
SightingHook = Callable[[SightingUpdate], None]


@dataclass(frozen=True, kw_only=True)
class SightingHooks:
    """Who hears of sightings after the bus event and the camera's entities, in order.

    ``new`` get every new plate sighting (not ``unreadable`` events); ``merged`` get a
    sighting when a repeat read or misread was merged into it. Built once per hub.
    """

    new: tuple[SightingHook, ...] = ()
    merged: tuple[SightingHook, ...] = ()


class CameraCoordinator:
    """One camera: its source, last sighting, connectivity and the entities listening."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        pipeline: Pipeline,
        hooks: SightingHooks,
        subentry: ConfigSubentry,
        spec: SourceKind,
    ) -> None:
        """Build the coordinator of ``subentry`` in the hub ``entry`` (not started yet).

        Its reads go through the hub's ``pipeline``; its sightings reach ``hooks``.
        """
        self.hass = hass
        self.entry = entry
        self.pipeline = pipeline
        self.hooks = hooks
        self.camera_id = subentry.subentry_id
        self.spec = spec
        #: The newest plate sighting's update (what the sensor and pictures show).
        self.last: SightingUpdate | None = None
        self.connected: bool | None = None if not spec.is_stream else False
        self.source: AnprSource | None = None
        self._listeners: list[CameraListener] = []
        self._pending: set[asyncio.Task[Any]] = set()
        self.counters = {"reads": 0, "errors": 0}
        #: What the validation step dropped or fixed (diagnostics): reason/field -> count.
        self.validation: dict[str, dict[str, int]] = {"dropped": {}, "fixed": {}}
        self._warned: set[str] = set()
        # Reads wait here for their picture check so they reach the pipeline in arrival order.
        self._order = asyncio.Lock()
        self.last_latency_ms: float | None = None
        self._configure(subentry)

    def _configure(self, subentry: ConfigSubentry) -> None:
        """Take name, data and tunables from the subentry."""
        self.name = subentry.title
        self.data: dict[str, Any] = dict(subentry.data)
        self.device: dict[str, str] = dict(self.data.get("device", {}))
        self.settings = CameraSettings(
            camera_id=self.camera_id,
            name=self.name,
            repeat_window=float(self.data.get(CONF_REPEAT_WINDOW, DEFAULT_REPEAT_WINDOW)),
            min_confidence=float(self.data.get(CONF_MIN_CONFIDENCE, DEFAULT_MIN_CONFIDENCE)),
            direction_mode=str(self.data.get(CONF_DIRECTION_MODE, DIRECTION_AS_REPORTED)),
            role=str(self.data.get(CONF_CAMERA_ROLE, DEFAULT_ROLE)),
            unreadable_events=bool(self.data.get(CONF_UNREADABLE_EVENTS, False)),
        )

    async def async_restart(self, subentry: ConfigSubentry) -> None:
        """Apply a reconfigured subentry: stop the source, take the new data, start again."""
        await self.async_stop()
        self._configure(subentry)
        if self.spec.is_stream:
            self.connected = False
        try:
            await self.async_start()
        except Exception:
            LOGGER.exception("Camera %s could not restart", self.name)
        self._notify()

    @callback
    def async_add_listener(self, listener: CameraListener) -> Callable[[], None]:
        """Call ``listener`` on every change; returns the unsubscribe callable."""
        self._listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return remove

    @callback
    def _notify(self, update: SightingUpdate | None = None) -> None:
        for listener in list(self._listeners):
            listener(update)

    @property
    def last_sighting(self) -> Sighting | None:
        """The newest plate sighting of this camera (None before the first)."""
        return self.last.sighting if self.last is not None else None

    @property
    def available(self) -> bool:
        """False while a stream source is disconnected."""
        return self.connected is not False

    async def async_start(self) -> None:
        """Create the source and start it (returns quickly; connections run in background)."""
        ctx = SourceContext(
            hass=self.hass,
            entry=self.entry,
            camera_id=self.camera_id,
            name=self.name,
            data=self.data,
            deliver=self.async_deliver,
            set_connected=self.async_set_connected,
            request_reauth=self.async_request_reauth,
            device=self.device,
        )
        source = self.spec.factory(ctx)
        await source.async_start()
        # Only a source that started is kept (triggered, stopped); a failed one is dropped.
        self.source = source

    async def async_trigger(self) -> None:
        """Ask the camera to read a plate now; raises translated HomeAssistantError.

        The answer arrives like any pushed read (flagged ``manual``).
        """
        if self.source is None:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="camera_not_running",
                translation_placeholders={"camera": self.name},
            )
        await self.source.async_trigger()

    async def async_stop(self) -> None:
        """Stop the source and let reads already received finish the pipeline."""
        if self.source is not None:
            try:
                await self.source.async_stop()
            except Exception:
                LOGGER.exception("Error stopping camera %s", self.name)
            self.source = None
        if self._pending:
            await asyncio.wait(self._pending, timeout=5)

    @callback
    def async_deliver(self, read: PlateRead) -> bool:
        """Hand a read from the source to validation and the pipeline (event loop; never raises).

        The one choke point of every source kind: :func:`~.core.validation.validate_read`
        drops or cleans the read here; its pictures are checked in the executor before the
        pipeline sees it (reads keep their arrival order).
        """
        received = time.perf_counter()
        try:
            check = validate_read(read, receive_time())
        except Exception:
            LOGGER.exception("Camera %s: could not validate a read; dropped", self.name)
            self.counters["errors"] += 1
            return False
        if check.drop is not None:
            self._count_drop(check.drop)
            return False
        self._note_fixes(check)
        read.camera_id = self.camera_id
        read.source = read.source or self.spec.kind
        self.counters["reads"] += 1
        task = self.hass.async_create_task(
            self._async_process(read, received), f"{DOMAIN} read {self.name}", eager_start=True
        )
        if not task.done():
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
        return True

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        """Warn the first time per camera and ``key``; later ones at debug (counted anyway)."""
        first = key not in self._warned
        self._warned.add(key)
        if first:
            LOGGER.warning(message + " (repeats are logged at debug level)", *args)
        else:
            LOGGER.debug(message, *args)

    def _count(self, group: str, key: str) -> None:
        counts = self.validation[group]
        counts[key] = counts.get(key, 0) + 1

    def _count_drop(self, reason: DropReason) -> None:
        self._count("dropped", reason.value)
        self._warn_once(
            reason.value,
            "Camera %s: dropped a read: %s",
            self.name,
            {
                DropReason.EMPTY: "the plate is empty after removing separators",
                DropReason.TOO_LONG: "the plate is longer than a real plate can be",
                DropReason.UNPRINTABLE: (
                    "the plate holds characters that are neither letters nor digits"
                ),
                DropReason.WRONG_TYPE: "the plate is not text",
            }[reason],
        )

    def _note_fixes(self, check: ReadCheck) -> None:
        for name in check.fixes:
            self._count("fixed", name)
        if check.camera_time is not None:
            self._warn_once(
                "time",
                "Camera %s: camera time %s is more than 7 days back or 1 day ahead; using the "
                "time the read arrived (check the camera's clock)",
                self.name,
                check.camera_time.isoformat(),
            )

    async def _async_process(self, read: PlateRead, received: float) -> None:
        try:
            async with self._order:
                if read.images:
                    kept, reasons = await self.hass.async_add_executor_job(
                        check_pictures, list(read.images)
                    )
                    if reasons:
                        for _ in reasons:
                            self._count("fixed", "picture")
                        self._warn_once(
                            "picture",
                            "Camera %s: read kept without pictures that cannot be shown: %s",
                            self.name,
                            "; ".join(reasons),
                        )
                    read.images[:] = kept
                # Inside the lock: reads of one camera reach the user in the order they
                # arrived (the next one waits for this one's history write).
                result = await self.pipeline.async_process(read, self.settings)
                if result is not None:
                    sighting, is_new = result
                    self._async_publish(SightingUpdate.of(sighting, is_new=is_new))
        except Exception:
            self.counters["errors"] += 1
            LOGGER.exception("Could not process a read from camera %s", self.name)
        else:
            self.last_latency_ms = (time.perf_counter() - received) * 1000

    @callback
    def _async_publish(self, update: SightingUpdate) -> None:
        """Hand one pipeline result on: bus event, entities, then the hub's hooks.

        An ``unreadable`` event fires (bus and event entity) but is no plate sighting: the
        last-plate sensor, pictures and hooks keep the last plate. Ignored plates (no event
        type) update the sensor but fire no event.
        """
        sighting = update.sighting
        if not update.is_unreadable:
            self.last = update
        if update.is_new and sighting.event_type is not None:
            self.hass.bus.async_fire(EVENT_PLATE_READ, update.payload)
        self._notify(update)
        if not update.is_new:
            for hook in self.hooks.merged:
                hook(update)
        elif not update.is_unreadable:
            for hook in self.hooks.new:
                hook(update)

    @callback
    def async_update_sighting(self, sighting: Sighting) -> None:
        """Refresh the entities after a lookup (DVLA) enriched a sighting still shown."""
        if self.last is not None and sighting is self.last.sighting:
            self.last = SightingUpdate.of(sighting, is_new=False)
            self._notify(self.last)

    @callback
    def async_set_connected(self, connected: bool) -> None:
        """Source connectivity; logs once on loss and once on recovery."""
        if connected == self.connected:
            return
        was = self.connected
        self.connected = connected
        if not connected:
            LOGGER.info("Camera %s is unavailable (connection lost)", self.name)
        elif was is False:
            LOGGER.info("Camera %s is connected", self.name)
        self._notify()

    @callback
    def async_request_reauth(self) -> None:
        """Start the reauth flow for this camera."""
        LOGGER.warning("Camera %s refused the credentials; reauthentication needed", self.name)
        self.entry.async_start_reauth(
            self.hass,
            context=cast(ConfigFlowContext, {"subentry_id": self.camera_id}),
            data={"camera": self.name},
        )


def receive_time() -> datetime:
    """Return the time a read arrives (UTC): the reference of the camera-clock window.

    A function of its own so tests that replay recorded reads (fixture pictures named with
    their 2025 capture time) can say when "now" is for the plausibility window.
    """
    return dt_util.utcnow()

