"""Base entities and descriptions: camera devices, listed-vehicle devices and the site device.

Each platform file declares its entities as descriptions (frozen dataclasses) that carry the
data access: ``exists_fn`` (does this camera have the entity), ``value_fn`` and ``attrs_fn``
(state and attributes from the camera, vehicle or site). The entity classes here subscribe to
their push source and write their state; they never look at how a read arrived.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .coordinator import CameraCoordinator, signal_camera_added
from .core.sighting import SightingUpdate
from .runtime import AnprConfigEntry
from .site import SiteRuntime
from .vehicles import VEHICLE_PREFIX, VehicleState, VehicleTracker, vehicle_identifier


def camera_device_info(camera: CameraCoordinator) -> DeviceInfo:
    """Device registry info for a camera: identifiers by subentry id, details from the camera."""
    device = camera.device
    info = DeviceInfo(
        identifiers={(DOMAIN, camera.camera_id)},
        name=camera.name,
        manufacturer=device.get("manufacturer") or camera.spec.manufacturer,
        model=device.get("model") or camera.spec.model,
    )
    if serial := device.get("serial_number"):
        info["serial_number"] = serial
    if sw_version := device.get("sw_version"):
        info["sw_version"] = sw_version
    if hw_version := device.get("hw_version"):
        info["hw_version"] = hw_version
    if mac := device.get("mac"):
        info["connections"] = {(dr.CONNECTION_NETWORK_MAC, dr.format_mac(mac))}
    url = device.get("configuration_url") or (
        camera.source.configuration_url if camera.source else None
    )
    if url:
        info["configuration_url"] = url
    return info


def _always(_camera: CameraCoordinator) -> bool:
    return True


@dataclass(frozen=True, kw_only=True)
class AnprCameraEntityDescription(EntityDescription):
    """A camera entity: ``exists_fn(camera)`` says whether this camera gets it."""

    exists_fn: Callable[[CameraCoordinator], bool] = _always


class AnprCameraEntity(Entity):
    """An entity of one camera device; updated by the camera's push coordinator.

    Subclasses refresh themselves in :meth:`_handle_camera_update`, which gets the update of a
    sighting, or None when only the camera's state changed (connected, restarted).
    """

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, camera: CameraCoordinator, description: EntityDescription) -> None:
        """Bind to ``camera``; unique id = ``<subentry id>_<key>``."""
        self.camera = camera
        self.entity_description = description
        self._attr_unique_id = f"{camera.camera_id}_{description.key}"
        self._attr_device_info = camera_device_info(camera)

    @property
    def available(self) -> bool:
        """Unavailable while a stream camera is disconnected."""
        return self.camera.available

    async def async_added_to_hass(self) -> None:
        """Subscribe to the camera (entity-event-setup)."""
        await super().async_added_to_hass()
        self.async_on_remove(self.camera.async_add_listener(self._async_camera_updated))

    @callback
    def _async_camera_updated(self, update: SightingUpdate | None) -> None:
        self._handle_camera_update(update)
        self.async_write_ha_state()

    @callback
    def _handle_camera_update(self, update: SightingUpdate | None) -> None:
        """Refresh the entity's attributes from ``self.camera`` (override)."""


def async_setup_camera_entities[D: AnprCameraEntityDescription](
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    entity: Callable[[CameraCoordinator, D], Entity],
) -> None:
    """Add ``entity(camera, description)`` for each description the camera has, now and later.

    Cameras started later (a subentry added, dynamic devices) announce themselves with the
    hub's camera-added signal.
    """
    descriptions = tuple(descriptions)

    @callback
    def add(camera: CameraCoordinator) -> None:
        entities = [entity(camera, d) for d in descriptions if d.exists_fn(camera)]
        if entities:
            async_add_entities(entities, config_subentry_id=camera.camera_id)

    for camera in entry.runtime_data.cameras.values():
        add(camera)
    entry.async_on_unload(async_dispatcher_connect(hass, signal_camera_added(entry.entry_id), add))


class AnprVehicleEntity(Entity):
    """An entity of one listed vehicle's device; pushed by the vehicle tracker."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, tracker: VehicleTracker, plate: str, description: EntityDescription) -> None:
        """Bind to the vehicle ``plate``; unique id = ``vehicle_<PLATE>_<key>``."""
        self.tracker = tracker
        self.plate = plate
        self.entity_description = description
        self._attr_unique_id = f"{VEHICLE_PREFIX}{plate}_{description.key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, vehicle_identifier(plate))},
            name=tracker.vehicles[plate].name,
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


def async_setup_vehicle_entities[D: EntityDescription](
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    entity: Callable[[VehicleTracker, str, D], Entity],
) -> None:
    """Add ``entity(tracker, plate, description)`` for every listed vehicle, now and later."""
    tracker = entry.runtime_data.vehicles
    descriptions = tuple(descriptions)

    @callback
    def add(plates: list[str]) -> None:
        entities = [
            entity(tracker, plate, description)
            for plate in plates
            if plate in tracker.vehicles
            for description in descriptions
        ]
        if entities:
            async_add_entities(entities)

    add(list(tracker.vehicles))
    entry.async_on_unload(async_dispatcher_connect(hass, tracker.signal, add))


def site_device_info(entry: AnprConfigEntry) -> DeviceInfo:
    """Return the hub's site device (holds the site-wide entities)."""
    return DeviceInfo(
        identifiers={(DOMAIN, f"site_{entry.entry_id}")},
        name=f"{entry.title} site",
        manufacturer="ANPR",
        model="Site",
    )


@dataclass(frozen=True, kw_only=True)
class AnprSiteEntityDescription(EntityDescription):
    """A site entity: ``exists_fn(site)`` says whether the hub gets it."""

    exists_fn: Callable[[SiteRuntime], bool] = lambda _site: True


class AnprSiteEntity(Entity):
    """An entity of the site device, updated by the site (visits, privacy rewrite)."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, site: SiteRuntime, description: EntityDescription) -> None:
        """Bind to the site; unique id = ``<entry id>_<key>``."""
        self.site = site
        self.entity_description = description
        self._attr_unique_id = f"{site.entry.entry_id}_{description.key}"
        self._attr_device_info = site_device_info(site.entry)

    async def async_added_to_hass(self) -> None:
        """Subscribe to the site."""
        await super().async_added_to_hass()
        self.async_on_remove(self.site.async_add_listener(self.async_write_ha_state))
