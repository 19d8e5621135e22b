"""Image entities per camera: the last full/vehicle picture and the last plate crop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.image import ImageEntity, ImageEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .coordinator import AnprConfigEntry, CameraCoordinator
from .core.pipeline import Sighting
from .entity import AnprCameraEntity, async_setup_camera_entities
from .protocols.models import ImageRole, ReadImage

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AnprImageDescription(ImageEntityDescription):
    """Which picture of a sighting the entity shows."""

    pick: Callable[[Sighting], ReadImage | None]


IMAGES = (
    AnprImageDescription(
        key="picture",
        translation_key="picture",
        pick=lambda s: s.image(ImageRole.FULL, ImageRole.VEHICLE, ImageRole.PLATE),
    ),
    AnprImageDescription(
        key="plate_picture",
        translation_key="plate_picture",
        pick=lambda s: s.image(ImageRole.PLATE),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the picture entities of every camera."""
    async_setup_camera_entities(
        hass,
        entry,
        async_add_entities,
        lambda camera: [
            AnprImage(hass, camera, description)
            for description in IMAGES
            if description.key in camera.spec.image_entities
        ],
    )


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
    def _handle_camera_update(self) -> None:
        sighting = self.camera.last_sighting
        if sighting is None:
            return
        picture = self.entity_description.pick(sighting)
        if picture is None or picture is self._image:
            return
        self._image = picture
        self._attr_content_type = picture.content_type
        self._attr_image_last_updated = dt_util.utcnow()

    async def async_image(self) -> bytes | None:
        """Return the picture bytes as the camera sent them."""
        return self._image.data if self._image else None
