"""Button per camera that can read a plate on demand (e.g. Hikvision MNPR)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import CameraCoordinator
from .entity import AnprCameraEntity, AnprCameraEntityDescription, async_setup_camera_entities
from .runtime import AnprConfigEntry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class AnprButtonDescription(ButtonEntityDescription, AnprCameraEntityDescription):
    """A camera button: ``press_fn(camera)`` runs when pressed."""

    press_fn: Callable[[CameraCoordinator], Awaitable[None]]


BUTTONS = (
    AnprButtonDescription(
        key="read_plate",
        translation_key="read_plate",
        exists_fn=lambda camera: camera.spec.supports_trigger,
        press_fn=lambda camera: camera.async_trigger(),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the trigger button to cameras that support it."""
    async_setup_camera_entities(hass, entry, async_add_entities, BUTTONS, AnprButton)


class AnprButton(AnprCameraEntity, ButtonEntity):
    """Press to make the camera act (read the plate in front of it); results arrive as reads."""

    entity_description: AnprButtonDescription

    async def async_press(self) -> None:
        """Run the description's action."""
        await self.entity_description.press_fn(self.camera)
