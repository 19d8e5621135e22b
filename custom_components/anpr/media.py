"""Pictures on disk: saved sighting pictures (the Media panel) and the panel's thumbnails.

With the hub option ``save_images`` on (and a retention above 0 days), :class:`PictureSaver`
saves each new sighting's best picture under the ``local`` media folder as
``anpr/<YYYY-MM-DD>/<HHMMSS>_<plate>_<camera>.<ext>`` (local time), so Home Assistant's Media
panel ("My media") browses them; the path is stored with the sighting so a purge by plate or
age removes the file too (purge.py). Thumbnails for the panel live next to the history
database (feed.py makes them).
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .core.privacy import PrivacyPolicy
from .core.sighting import Sighting, SightingUpdate
from .protocols.models import ImageRole
from .store import HistoryStore

MEDIA_FOLDER = "anpr"
#: Panel thumbnails live next to the history database (``<config>/.storage/anpr_thumbnails``).
THUMB_FOLDER = "anpr_thumbnails"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def media_root(hass: HomeAssistant) -> Path:
    """Return ``<local media dir>/anpr`` (``<config>/media/anpr`` when none is configured)."""
    base = hass.config.media_dirs.get("local") or hass.config.path("media")
    return Path(base) / MEDIA_FOLDER


def thumbnail_root(history: HistoryStore) -> Path:
    """Return the thumbnail folder: ``anpr_thumbnails`` beside the history database."""
    return Path(history.history.path).parent / THUMB_FOLDER


def _save_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class PictureSaver:
    """Sighting hook saving each new sighting's best picture under the media folder."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        history: HistoryStore,
        privacy: PrivacyPolicy,
    ) -> None:
        """Save under :func:`media_root`; name files by the plate's stored form (``privacy``)."""
        self.hass = hass
        self.entry = entry
        self.history = history
        self.privacy = privacy
        self.root = media_root(hass)

    def path_for(self, sighting: Sighting, content_type: str) -> Path:
        """Where a sighting's picture goes (local date folder, safe file name)."""
        local = dt_util.as_local(sighting.time)
        camera = _UNSAFE.sub("_", sighting.camera)[:40]
        # Privacy mode: an unlisted plate's file is named by its hash, never the plate.
        plate = _UNSAFE.sub("_", self.privacy.stored(sighting.plate) or "")[:20]
        ext = _EXTENSIONS.get(content_type, "jpg")
        return self.root / f"{local:%Y-%m-%d}" / f"{local:%H%M%S}_{plate}_{camera}.{ext}"

    @callback
    def async_on_sighting(self, update: SightingUpdate) -> None:
        """Schedule the save of a new sighting's picture (never blocks the read)."""
        sighting = update.sighting
        image = sighting.image(ImageRole.FULL, ImageRole.VEHICLE, ImageRole.PLATE)
        if image is None:
            return
        self.entry.async_create_task(
            self.hass,
            self._async_save(sighting, image.data, image.content_type),
            "anpr save picture",
        )

    async def _async_save(self, sighting: Sighting, data: bytes, content_type: str) -> None:
        path = self.path_for(sighting, content_type)
        try:
            await self.hass.async_add_executor_job(_save_file, path, data)
            await self.history.async_set_image_path(
                self.privacy.stored(sighting.plate) or sighting.plate,
                sighting.time,
                sighting.camera_id,
                str(path),
            )
        except Exception as err:
            LOGGER.warning("Could not save the picture of a sighting: %s", err)
