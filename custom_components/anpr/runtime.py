"""The hub's runtime data: what ``entry.runtime_data`` holds, and the running cameras.

:class:`AnprRuntime` is built once by :func:`.hub.async_build_runtime` and assigned in
``async_setup_entry``. Cameras are config subentries: :meth:`AnprRuntime.async_reconcile`
starts, stops and restarts their coordinators when subentries are added, removed or changed,
without reloading the hub (dynamic devices).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import CONF_KIND, LOGGER, SUBENTRY_CAMERA
from .coordinator import CameraCoordinator, SightingHooks, signal_camera_added
from .core.pipeline import Pipeline
from .feed import SightingFeed
from .lookup import DvlaEnricher
from .mirror import MqttMirror
from .site import SiteRuntime
from .sources import SOURCE_KINDS
from .store import HistoryStore, ListStore
from .vehicles import VehicleTracker

type AnprConfigEntry = ConfigEntry[AnprRuntime]


@dataclass(kw_only=True)
class AnprRuntime:
    """``entry.runtime_data`` of the hub, built once by ``hub.async_build_runtime``.

    The stores, the pipeline, the site (visits, privacy, learnt misreads), the vehicle
    tracker, the DVLA enricher (None without a key), the MQTT mirror (None when off), the
    panel's sighting feed, the sighting hooks, and the running cameras (by subentry id).
    """

    hass: HomeAssistant
    entry: AnprConfigEntry
    lists: ListStore
    history: HistoryStore
    pipeline: Pipeline
    site: SiteRuntime
    vehicles: VehicleTracker
    lookup: DvlaEnricher | None
    mirror: MqttMirror | None
    feed: SightingFeed
    hooks: SightingHooks
    cameras: dict[str, CameraCoordinator] = field(default_factory=dict)
    #: The hub options the runtime was built with (a change reloads the hub).
    options_snapshot: dict[str, Any] = field(init=False)
    _started: dict[str, dict[str, Any]] = field(default_factory=dict)
    _reconcile_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        """Remember the options the runtime was built with."""
        self.options_snapshot = dict(self.entry.options)

    def diagnostics(self) -> dict[str, Any]:
        """Return the plate-intelligence counts: vehicles, DVLA, site (never plates)."""
        return {
            "vehicles": self.vehicles.counts(),
            "dvla": self.lookup.diagnostics() if self.lookup else None,
            "site": self.site.diagnostics(),
        }

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
        camera = CameraCoordinator(
            self.hass, self.entry, self.pipeline, self.hooks, subentry, spec
        )
        self.cameras[camera.camera_id] = camera
        try:
            await camera.async_start()
        except Exception:
            LOGGER.exception("Camera %s could not start", camera.name)
            camera.connected = False
        async_dispatcher_send(self.hass, signal_camera_added(self.entry.entry_id), camera)

    async def async_stop_camera(self, camera_id: str) -> None:
        """Stop one camera and forget it."""
        # Stop first, forget after: reads delivered while stopping still reach the entities.
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
