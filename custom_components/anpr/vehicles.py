"""Vehicles on site: one device per listed vehicle (DESIGN.md "Entities", ANCHORS.md request 3).

Every plate listed in an ``allowed`` group (or an ``alert`` group whose ``vehicles`` flag is
on, see ``PlateGroup.tracks_vehicles``) is a vehicle with a device
(identifier ``vehicle_<PLATE>``) and three entities: ``last seen`` (timestamp sensor),
``last camera`` (sensor) and ``on site`` (presence binary sensor).

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
from typing import TYPE_CHECKING, Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import CATEGORY_ALERT, CATEGORY_ALLOWED, DOMAIN, STORAGE_VERSION
from .protocols.models import Direction

if TYPE_CHECKING:
    from .coordinator import AnprConfigEntry, CameraCoordinator
    from .core.pipeline import Sighting

CONF_PRESENCE_TIMEOUT = "presence_timeout"
DEFAULT_PRESENCE_TIMEOUT = 24.0  # hours
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

    def __init__(self, hass: HomeAssistant, entry: AnprConfigEntry) -> None:
        """Bind to the hub; call :meth:`async_load`."""
        self.hass = hass
        self.entry = entry
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
        lists = self.entry.runtime_data.lists.lists
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
    def __call__(self, camera: CameraCoordinator, sighting: Sighting) -> None:
        """Sighting hook: update the vehicle the sighting matched (plate or listed plate)."""
        plate = getattr(sighting, "listed_plate", None) or sighting.plate
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


# --- entities ----------------------------------------------------------------------------------


class VehicleEntity(Entity):
    """An entity of one vehicle device; pushed by the tracker."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, tracker: VehicleTracker, plate: str, key: str) -> None:
        """Bind to the vehicle ``plate``."""
        self.tracker = tracker
        self.plate = plate
        self._attr_translation_key = key
        self._attr_unique_id = f"{VEHICLE_PREFIX}{plate}_{key}"
        state = tracker.vehicles[plate]
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, vehicle_identifier(plate))},
            name=state.name,
            manufacturer="ANPR",
            model="Listed vehicle",
            serial_number=plate,
        )

    @property
    def vehicle(self) -> VehicleState:
        """The vehicle's state (a fresh one when it just left the lists)."""
        return self.tracker.vehicles.get(self.plate) or VehicleState(
            plate=self.plate, name=self.plate
        )

    async def async_added_to_hass(self) -> None:
        """Subscribe to the tracker."""
        await super().async_added_to_hass()
        self.async_on_remove(self.tracker.async_add_listener(self.plate, self.async_write_ha_state))


class VehicleLastSeen(VehicleEntity, SensorEntity):
    """Timestamp of the vehicle's last sighting."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP

    @property
    def native_value(self) -> datetime | None:
        """Last seen (aware UTC)."""
        return self.vehicle.last_seen


class VehicleLastCamera(VehicleEntity, SensorEntity):
    """Name of the camera that saw the vehicle last."""

    @property
    def native_value(self) -> str | None:
        """Camera name."""
        return self.vehicle.last_camera


class VehiclePresence(VehicleEntity, BinarySensorEntity):
    """On while the vehicle is on site (in/out direction with a timeout)."""

    _attr_device_class = BinarySensorDeviceClass.PRESENCE

    @property
    def is_on(self) -> bool:
        """True when on site."""
        return self.vehicle.present

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The direction of the last sighting and its camera."""
        vehicle = self.vehicle
        return {"plate": vehicle.plate, "direction": vehicle.direction,
                "camera": vehicle.last_camera}  # fmt: skip


def _build(tracker: VehicleTracker, plate: str, platform: str) -> list[Entity]:
    if platform == "sensor":
        return [
            VehicleLastSeen(tracker, plate, "vehicle_last_seen"),
            VehicleLastCamera(tracker, plate, "vehicle_last_camera"),
        ]
    return [VehiclePresence(tracker, plate, "vehicle_on_site")]


@callback
def async_setup_vehicle_entities(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    platform: str,
) -> None:
    """Add ``platform``'s (``sensor``/``binary_sensor``) vehicle entities now and later."""
    data = getattr(entry.runtime_data, "data", None)
    tracker: VehicleTracker | None = getattr(data, "vehicles", None)
    if tracker is None:
        return

    @callback
    def add(plates: list[str]) -> None:
        entities: list[Entity] = []
        for plate in plates:
            if plate in tracker.vehicles:
                entities.extend(_build(tracker, plate, platform))
        if entities:
            async_add_entities(entities)

    add(list(tracker.vehicles))
    entry.async_on_unload(async_dispatcher_connect(hass, tracker.signal, add))
