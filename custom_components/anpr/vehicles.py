"""Listed vehicles: one device per vehicle, its last sighting and whether it is on site.

Every plate listed in an ``allowed`` group (or an ``alert`` group whose ``vehicles`` flag is
on, see ``PlateGroup.tracks_vehicles``) is a vehicle with a device
(identifier ``vehicle_<PLATE>``) and three entities (sensor.py, binary_sensor.py): ``last seen``,
``last camera`` and ``on site``.

Presence comes from the direction of each sighting after the camera's direction mode (a camera
marked entry-only reports every read as ``in``, exit-only as ``out``): ``in`` → on site, ``out``
→ away, ``unknown`` direction → on site (it was seen). Without a new sighting the vehicle is
away after the hub option ``presence_timeout`` hours (0 = never). State is kept in
``.storage/anpr.vehicles`` and survives restarts (an expired presence is cleared at start).
When a plate leaves the lists its device and entities are removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CATEGORY_ALERT,
    CATEGORY_ALLOWED,
    CONF_PRESENCE_TIMEOUT,
    DEFAULT_PRESENCE_TIMEOUT,
    DOMAIN,
    STORAGE_VERSION,
)
from .core.sighting import SightingUpdate
from .protocols.models import Direction
from .store import ListStore

SIGNAL_VEHICLES_ADDED = "anpr_vehicles_added_{}"
VEHICLE_PREFIX = "vehicle_"


@dataclass(kw_only=True)
class VehicleState:
    """What we know of one vehicle. Times are aware UTC."""

    plate: str
    name: str
    last_seen: datetime | None = None
    last_camera: str | None = None
    last_camera_id: str | None = None
    direction: str | None = None
    present: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Storage form."""
        return {
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "last_camera": self.last_camera,
            "last_camera_id": self.last_camera_id,
            "direction": self.direction,
            "present": self.present,
        }


def vehicle_identifier(plate: str) -> str:
    """Device identifier of a vehicle."""
    return f"{VEHICLE_PREFIX}{plate}"


class VehicleTracker:
    """Keeps :class:`VehicleState` per listed vehicle and notifies its entities."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], lists: ListStore) -> None:
        """Bind to the hub and its plate lists; call :meth:`async_load`."""
        self.hass = hass
        self.entry = entry
        self.lists = lists
        self.vehicles: dict[str, VehicleState] = {}
        self._saved: dict[str, dict[str, Any]] = {}
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.vehicles")
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        self._timers: dict[str, CALLBACK_TYPE] = {}
        self.timeout = timedelta(
            hours=float(entry.options.get(CONF_PRESENCE_TIMEOUT, DEFAULT_PRESENCE_TIMEOUT))
        )

    @property
    def signal(self) -> str:
        """Dispatcher signal sent with a list of new plates."""
        return SIGNAL_VEHICLES_ADDED.format(self.entry.entry_id)

    def listed(self) -> dict[str, str]:
        """Plates that are vehicles now, with their display names."""
        lists = self.lists.lists
        out: dict[str, str] = {}
        for entry in lists.entries.values():
            group = lists.groups.get(entry.group)
            if group is None or group.category not in (CATEGORY_ALLOWED, CATEGORY_ALERT):
                continue
            if not group.tracks_vehicles:
                continue
            if entry.plate not in out or entry.description:
                out[entry.plate] = entry.description or entry.plate
        return out

    async def async_load(self) -> None:
        """Load saved state, build vehicles from the lists, drop stale devices."""
        data = await self._store.async_load() or {}
        self._saved = dict(data.get("vehicles") or {})
        self.async_sync(announce=False)

    def _restore(self, plate: str, name: str) -> VehicleState:
        state = VehicleState(plate=plate, name=name)
        raw = self._saved.get(plate) or {}
        if raw.get("last_seen"):
            state.last_seen = dt_util.parse_datetime(raw["last_seen"])
        state.last_camera = raw.get("last_camera")
        state.last_camera_id = raw.get("last_camera_id")
        state.direction = raw.get("direction")
        state.present = bool(raw.get("present"))
        return state

    @callback
    def async_sync(self, announce: bool = True) -> None:
        """Follow the lists: add new vehicles (announced to the platforms), remove gone ones."""
        wanted = self.listed()
        new: list[str] = []
        for plate, name in wanted.items():
            if plate not in self.vehicles:
                self.vehicles[plate] = self._restore(plate, name)
                self._schedule_timeout(plate)
                new.append(plate)
            elif self.vehicles[plate].name != name:
                self.vehicles[plate].name = name
        for plate in [p for p in self.vehicles if p not in wanted]:
            self._remove(plate)
        self._remove_stale_devices(set(wanted))
        if new and announce:
            async_dispatcher_send(self.hass, self.signal, new)
        self._schedule_save()

    def _remove(self, plate: str) -> None:
        self.vehicles.pop(plate, None)
        self._saved.pop(plate, None)
        if (unsub := self._timers.pop(plate, None)) is not None:
            unsub()

    def _remove_stale_devices(self, wanted: set[str]) -> None:
        registry = dr.async_get(self.hass)
        for device in dr.async_entries_for_config_entry(registry, self.entry.entry_id):
            for domain, ident in device.identifiers:
                if (
                    domain == DOMAIN
                    and ident.startswith(VEHICLE_PREFIX)
                    and ident[len(VEHICLE_PREFIX) :] not in wanted
                ):
                    # Vehicle devices belong to this entry alone: remove, not detach.
                    registry.async_remove_device(device.id)
                    break

    @callback
    def async_add_listener(self, plate: str, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when ``plate``'s state changes; returns the unsubscribe."""
        self._listeners.setdefault(plate, []).append(listener)

        def remove() -> None:
            if listener in self._listeners.get(plate, []):
                self._listeners[plate].remove(listener)

        return remove

    def _notify(self, plate: str) -> None:
        for listener in list(self._listeners.get(plate, [])):
            listener()

    @callback
    def async_on_sighting(self, update: SightingUpdate) -> None:
        """Sighting hook: update the vehicle the sighting matched (plate or listed plate)."""
        sighting = update.sighting
        plate = sighting.listed_plate or sighting.plate
        state = self.vehicles.get(plate)
        if state is None:
            return
        if state.last_seen is not None and sighting.time < state.last_seen:
            return  # an older read arriving late never moves the vehicle back in time
        state.last_seen = sighting.time
        state.last_camera = sighting.camera
        state.last_camera_id = sighting.camera_id
        state.direction = sighting.direction.value
        state.present = sighting.direction is not Direction.OUT
        self._schedule_timeout(plate)
        self._notify(plate)
        self._schedule_save()

    def _schedule_timeout(self, plate: str) -> None:
        if (unsub := self._timers.pop(plate, None)) is not None:
            unsub()
        state = self.vehicles[plate]
        if not state.present or state.last_seen is None or self.timeout <= timedelta(0):
            return
        expires = state.last_seen + self.timeout
        if expires <= dt_util.utcnow():
            state.present = False
            return

        @callback
        def _expired(_now: datetime) -> None:
            self._timers.pop(plate, None)
            if plate in self.vehicles:
                self.vehicles[plate].present = False
                self._notify(plate)
                self._schedule_save()

        self._timers[plate] = async_track_point_in_utc_time(self.hass, _expired, expires)

    def _data(self) -> dict[str, Any]:
        return {"vehicles": {p: s.as_dict() for p, s in self.vehicles.items()}}

    def _schedule_save(self) -> None:
        self._store.async_delay_save(self._data, 5)

    async def async_unload(self) -> None:
        """Cancel timers and save."""
        for unsub in self._timers.values():
            unsub()
        self._timers.clear()
        await self._store.async_save(self._data())

    def counts(self) -> dict[str, int]:
        """Diagnostics: numbers only."""
        return {
            "vehicles": len(self.vehicles),
            "on_site": sum(1 for s in self.vehicles.values() if s.present),
        }



async def async_setup_vehicles(
    hass: HomeAssistant, entry: ConfigEntry[Any], lists: ListStore
) -> VehicleTracker:
    """Create the tracker, load its state and follow the lists until the hub unloads."""
    tracker = VehicleTracker(hass, entry, lists)
    await tracker.async_load()
    entry.async_on_unload(lists.async_add_listener(tracker.async_sync))
    entry.async_on_unload(tracker.async_unload)
    return tracker
