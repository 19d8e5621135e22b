"""Button per camera that can read a plate on demand (e.g. Hikvision MNPR)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .coordinator import AnprConfigEntry, CameraCoordinator
from .entity import AnprCameraEntity, async_setup_camera_entities

PARALLEL_UPDATES = 1

READ_PLATE = ButtonEntityDescription(key="read_plate", translation_key="read_plate")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the trigger button to cameras that support it."""
    async_setup_camera_entities(
        hass,
        entry,
        async_add_entities,
        lambda camera: [AnprReadPlateButton(camera, READ_PLATE)]
        if camera.spec.supports_trigger
        else [],
    )


async def async_trigger(camera: CameraCoordinator) -> None:
    """Ask ``camera`` to read a plate now; raises translated HomeAssistantError."""
    if camera.source is None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="camera_not_running",
            translation_placeholders={"camera": camera.name},
        )
    await camera.source.async_trigger()


class AnprReadPlateButton(AnprCameraEntity, ButtonEntity):
    """Press to make the camera read the plate in front of it."""

    async def async_press(self) -> None:
        """Trigger a recognition; the result arrives like any pushed read."""
        await async_trigger(self.camera)
