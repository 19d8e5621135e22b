"""Base entity for everything that belongs to one camera device."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .coordinator import AnprConfigEntry, CameraCoordinator, signal_camera_added


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


class AnprCameraEntity(Entity):
    """An entity of one camera; updated by the camera's push coordinator."""

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
    def _async_camera_updated(self) -> None:
        self._handle_camera_update()
        self.async_write_ha_state()

    @callback
    def _handle_camera_update(self) -> None:
        """Refresh the entity's attributes from ``self.camera`` (override)."""


def async_setup_camera_entities(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    build: Callable[[CameraCoordinator], Iterable[Entity]],
) -> None:
    """Add a platform's entities for every camera now and for cameras added later."""

    @callback
    def add(camera: CameraCoordinator) -> None:
        entities = list(build(camera))
        if entities:
            async_add_entities(entities, config_subentry_id=camera.camera_id)

    for camera in entry.runtime_data.cameras.values():
        add(camera)
    entry.async_on_unload(
        async_dispatcher_connect(hass, signal_camera_added(entry.entry_id), add)
    )
