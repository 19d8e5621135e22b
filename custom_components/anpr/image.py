"""Image entities per camera: the last full/vehicle picture and the last plate crop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import CameraCoordinator
from .core.sighting import Sighting, SightingUpdate
from .entity import AnprCameraEntity, AnprCameraEntityDescription, async_setup_camera_entities
from .protocols.models import ImageRole, ReadImage
from .runtime import AnprConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AnprImageDescription(ImageEntityDescription, AnprCameraEntityDescription):
    """Which picture of a sighting the entity shows (``image_fn``; None: keep the last)."""

    image_fn: Callable[[Sighting], ReadImage | None]


IMAGES = (
    AnprImageDescription(
        key="picture",
        translation_key="picture",
        exists_fn=lambda camera: "picture" in camera.spec.image_entities,
        image_fn=lambda s: s.image(ImageRole.FULL, ImageRole.VEHICLE, ImageRole.PLATE),
    ),
    AnprImageDescription(
        key="plate_picture",
        translation_key="plate_picture",
        exists_fn=lambda camera: "plate_picture" in camera.spec.image_entities,
        image_fn=lambda s: s.image(ImageRole.PLATE),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the picture entities of every camera that can fill them."""

    def image(camera: CameraCoordinator, description: AnprImageDescription) -> AnprImage:
        return AnprImage(hass, camera, description)

    async_setup_camera_entities(hass, entry, async_add_entities, IMAGES, image)


class AnprImage(AnprCameraEntity, ImageEntity):
    """Holds the last picture in memory (bounded: one picture per entity)."""

    entity_description: AnprImageDescription

    def __init__(
        self, hass: HomeAssistant, camera: CameraCoordinator, description: AnprImageDescription
    ) -> None:
        """Bind to the camera; ``ImageEntity.__init__`` builds the access tokens."""
        AnprCameraEntity.__init__(self, camera, description)
        ImageEntity.__init__(self, hass)
        self._image: ReadImage | None = None

    @callback
    def _handle_camera_update(self, update: SightingUpdate | None) -> None:
        sighting = self.camera.last_sighting
        if sighting is None:
            return
        picture = self.entity_description.image_fn(sighting)
        if picture is None or picture is self._image:
            return
        self._image = picture
        self._attr_content_type = picture.content_type
        self._attr_image_last_updated = dt_util.utcnow()

    async def async_image(self) -> bytes | None:
        """Return the picture bytes as the camera sent them."""
        return self._image.data if self._image else None
