"""Runtime of the hub: per-camera push coordinators, the pipeline and the stores.

Push pattern after unifiprotect's ``ProtectData`` (STYLE.md §3C): each camera has a
:class:`CameraCoordinator` holding the running source, the last sighting and its listeners;
entities subscribe with :meth:`CameraCoordinator.async_add_listener`. Cameras are config
subentries; :meth:`AnprRuntime.async_reconcile` starts, stops and restarts them when subentries
are added, removed or changed, without reloading the hub (dynamic devices).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
import time
from typing import Any, cast

from homeassistant.config_entries import ConfigEntry, ConfigFlowContext, ConfigSubentry
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.util import dt as dt_util

from .const import (
    CONF_CAMERA_ROLE,
    CONF_CORRECTIONS,
    CONF_DIRECTION_MODE,
    CONF_FUZZY_DISTANCE,
    CONF_KIND,
    CONF_MIN_CONFIDENCE,
    CONF_REPEAT_WINDOW,
    CONF_UNREADABLE_EVENTS,
    DEFAULT_FUZZY_DISTANCE,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_REPEAT_WINDOW,
    DOMAIN,
    EVENT_PLATE_READ,
    EVENT_UNREADABLE,
    LOGGER,
    SUBENTRY_CAMERA,
)
from .core.pipeline import DIRECTION_AS_REPORTED, CameraSettings, Pipeline, Sighting
from .core.validation import DropReason, ReadCheck, check_pictures, validate_read
from .core.visits import DEFAULT_ROLE
from .protocols.models import PlateRead
from .sources import SOURCE_KINDS, AnprSource, SourceContext, SourceKind
from .store import HistoryStore, ListStore

type AnprConfigEntry = ConfigEntry[AnprRuntime]

SIGNAL_CAMERA_ADDED = "anpr_camera_added_{}"


def signal_camera_added(entry_id: str) -> str:
    """Dispatcher signal (scoped to the hub entry) sent with a new :class:`CameraCoordinator`."""
    return SIGNAL_CAMERA_ADDED.format(entry_id)


CameraListener = Callable[[], None]


class CameraCoordinator:
    """One camera: its source, last sighting, connectivity and the entities listening."""

    def __init__(
        self,
        runtime: AnprRuntime,
        subentry: ConfigSubentry,
        spec: SourceKind,
    ) -> None:
        """Build the coordinator for ``subentry`` (not started yet)."""
        self.runtime = runtime
        self.hass = runtime.hass
        self.camera_id = subentry.subentry_id
        self.spec = spec
        self.last_sighting: Sighting | None = None
        #: The newest sighting *or* unreadable read (what the event entity fires for).
        self.last_event: Sighting | None = None
        self.last_sighting_new = False
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
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    @property
    def available(self) -> bool:
        """False while a stream source is disconnected."""
        return self.connected is not False

    async def async_start(self) -> None:
        """Create the source and start it (returns quickly; connections run in background)."""
        ctx = SourceContext(
            hass=self.hass,
            entry=self.runtime.entry,
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
                await self.runtime.pipeline.async_process(read, self.settings)
        except Exception:
            self.counters["errors"] += 1
            LOGGER.exception("Could not process a read from camera %s", self.name)
        else:
            self.last_latency_ms = (time.perf_counter() - received) * 1000

    @callback
    def async_handle_sighting(self, sighting: Sighting, is_new: bool) -> None:
        """Pipeline result for this camera: update entities, fire the bus event.

        An ``unreadable`` read fires the event (bus and event entity) but is no sighting: the
        last-plate sensor, pictures and sighting hooks keep the last plate read.
        """
        unreadable = sighting.event_type == EVENT_UNREADABLE
        if not unreadable:
            self.last_sighting = sighting
        self.last_event = sighting
        self.last_sighting_new = is_new
        if is_new and sighting.event_type is not None:
            self.hass.bus.async_fire(EVENT_PLATE_READ, sighting.as_dict())
        self._notify()
        self.last_sighting_new = False
        if is_new and not unreadable:
            for hook in self.runtime.sighting_hooks:
                hook(self, sighting)
        else:
            for merged in self.runtime.merge_hooks:
                merged(sighting)

    @callback
    def async_update_sighting(self, sighting: Sighting) -> None:
        """Enrichment (e.g. DVLA) changed a sighting already shown: refresh entities."""
        if sighting is self.last_sighting:
            self._notify()

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
        self.runtime.entry.async_start_reauth(
            self.hass,
            context=cast(ConfigFlowContext, {"subentry_id": self.camera_id}),
            data={"camera": self.name},
        )


@dataclass(kw_only=True)
class AnprRuntime:
    """``entry.runtime_data`` of the hub."""

    hass: HomeAssistant
    entry: AnprConfigEntry
    lists: ListStore
    history: HistoryStore
    pipeline: Pipeline = field(init=False)
    cameras: dict[str, CameraCoordinator] = field(default_factory=dict)
    sighting_hooks: list[Callable[[CameraCoordinator, Sighting], None]] = field(
        default_factory=list
    )
    #: Called with a sighting a repeat read was merged into (ui.py: the read count).
    merge_hooks: list[Callable[[Sighting], None]] = field(default_factory=list)
    options_snapshot: dict[str, Any] = field(default_factory=dict)
    #: Plate intelligence (data.py: vehicles, DVLA, retention); set by data.async_setup_data.
    data: Any = None
    #: The panel's live sighting feed (ui.SightingFeed); set by ui.async_setup_ui.
    ui: Any = None
    _started: dict[str, dict[str, Any]] = field(default_factory=dict)
    _reconcile_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        """Build the pipeline bound to the stores."""
        options = self.entry.options
        self.options_snapshot = dict(options)
        self.pipeline = Pipeline(
            lists=self.lists.lists,
            recorder=self.history.async_record,
            on_sighting=self._async_on_sighting,
            corrections=list(options.get(CONF_CORRECTIONS, [])),
            fuzzy_distance=int(options.get(CONF_FUZZY_DISTANCE, DEFAULT_FUZZY_DISTANCE)),
            amender=self.history.async_amend,
        )

    @callback
    def _async_on_sighting(self, sighting: Sighting, is_new: bool) -> None:
        camera = self.cameras.get(sighting.camera_id)
        if camera is not None:
            camera.async_handle_sighting(sighting, is_new)

    async def async_reconcile(self) -> None:
        """Start new cameras, stop removed ones and restart changed ones.

        Serialised: subentry changes made back to back (several cameras deleted at once) each
        schedule a reconcile; each one runs alone and reads the subentries when it starts, so
        a stale run can never restart a camera a later change removed.
        """
        async with self._reconcile_lock:
            await self._async_reconcile()

    async def _async_reconcile(self) -> None:
        wanted = {
            sid: sub
            for sid, sub in self.entry.subentries.items()
            if sub.subentry_type == SUBENTRY_CAMERA
        }
        for sid in [s for s in self.cameras if s not in wanted]:
            await self.async_stop_camera(sid)
        for sid, sub in wanted.items():
            if sid not in self.entry.subentries:
                continue  # removed while this run awaited; the next run has it
            snapshot = {"title": sub.title, "data": dict(sub.data)}
            camera = self.cameras.get(sid)
            if camera is not None and self._started.get(sid) == snapshot:
                continue
            if camera is not None and camera.spec.kind == sub.data.get(CONF_KIND):
                await camera.async_restart(sub)
            else:
                if camera is not None:
                    await self.async_stop_camera(sid)
                await self.async_start_camera(sub)
            self._started[sid] = snapshot

    async def async_start_camera(self, subentry: ConfigSubentry) -> None:
        """Start one camera and announce it to the platforms."""
        kind = subentry.data.get(CONF_KIND)
        spec = SOURCE_KINDS.get(str(kind))
        if spec is None:
            LOGGER.error("Camera %s has an unknown source kind %r", subentry.title, kind)
            return
        camera = CameraCoordinator(self, subentry, spec)
        self.cameras[camera.camera_id] = camera
        try:
            await camera.async_start()
        except Exception:
            LOGGER.exception("Camera %s could not start", camera.name)
            camera.connected = False
        async_dispatcher_send(self.hass, signal_camera_added(self.entry.entry_id), camera)

    async def async_stop_camera(self, camera_id: str) -> None:
        """Stop one camera and forget it."""
        # Fault-injection finding (tests/test_faults.py::test_ha_restart_mid_stream): the camera
        # was forgotten before it stopped, so reads it delivered while stopping (and reads still
        # in the pipeline) found no camera in _async_on_sighting and were silently dropped.
        camera = self.cameras.get(camera_id)
        self._started.pop(camera_id, None)
        if camera is not None:
            await camera.async_stop()
            if self.cameras.get(camera_id) is camera:
                del self.cameras[camera_id]
            camera.connected = False
            camera._notify()

    async def async_shutdown(self) -> None:
        """Stop every camera and close the stores."""
        for camera_id in list(self.cameras):
            await self.async_stop_camera(camera_id)
        await self.lists.async_save()
        await self.history.async_close()

    @callback
    def async_on_stop(self, _event: Event) -> None:
        """Flush the list store at HA stop (history commits every write)."""
        self.lists.async_schedule_save()


def receive_time() -> datetime:
    """Return the time a read arrives (UTC): the reference of the camera-clock window.

    A function of its own so tests that replay recorded reads (fixture pictures named with
    their 2025 capture time) can say when "now" is for the plausibility window.
    """
    return dt_util.utcnow()


def history_path(hass: HomeAssistant) -> Path:
    """Return ``<config>/.storage/anpr_history.db``."""
    return Path(hass.config.path(".storage", f"{DOMAIN}_history.db"))
