"""History retention: the daily purge and the optional saved pictures (HA side).

Retention (hub option ``retention_days``, DESIGN.md "Sightings history"): once a day (03:17
local) and once at start-up, sightings older than N days are deleted together with their saved
pictures; 0 keeps nothing (every sighting is deleted at the next purge and no picture is saved).
Visits (``visit_retention_days``) and pictures (``picture_retention_days``) have their own
retention (issue 16), each defaulting to the sightings' one; a picture never outlives its
sighting.
Pictures (hub option ``save_images``) go under the ``local`` media folder as
``anpr/<YYYY-MM-DD>/<HHMMSS>_<plate>_<camera>.<ext>``, so HA's Media panel ("My media") browses
them; paths are stored with the sighting so a purge by plate or age removes them too.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path
import re
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from .const import (
    CONF_PICTURE_RETENTION_DAYS,
    CONF_RETENTION_DAYS,
    CONF_VISIT_RETENTION_DAYS,
    DEFAULT_RETENTION_DAYS,
    LOGGER,
)
from .protocols.models import ImageRole

if TYPE_CHECKING:
    from .coordinator import AnprConfigEntry, CameraCoordinator
    from .core.pipeline import Sighting

CONF_SAVE_IMAGES = "save_images"
MEDIA_FOLDER = "anpr"
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def media_root(hass: HomeAssistant) -> Path:
    """Return ``<local media dir>/anpr`` (``<config>/media/anpr`` when none is configured)."""
    base = hass.config.media_dirs.get("local") or hass.config.path("media")
    return Path(base) / MEDIA_FOLDER


#: Panel thumbnails live next to the history database (``<config>/.storage/anpr_thumbnails``).
THUMB_FOLDER = "anpr_thumbnails"


def thumbnail_root(entry: AnprConfigEntry) -> Path:
    """``anpr_thumbnails`` next to the history database (``<config>/.storage``)."""
    return Path(entry.runtime_data.history.history.path).parent / THUMB_FOLDER


def retention_days(entry: AnprConfigEntry) -> int:
    """Return the hub's retention in days (0 = keep nothing)."""
    return int(entry.options.get(CONF_RETENTION_DAYS, DEFAULT_RETENTION_DAYS))


def visit_retention_days(entry: AnprConfigEntry) -> int:
    """Days visits are kept (default: the sightings' retention)."""
    return int(entry.options.get(CONF_VISIT_RETENTION_DAYS, retention_days(entry)))


def picture_retention_days(entry: AnprConfigEntry) -> int:
    """Days saved pictures are kept (default and upper bound: the sightings' retention)."""
    days = int(entry.options.get(CONF_PICTURE_RETENTION_DAYS, retention_days(entry)))
    return min(days, retention_days(entry))


def _delete_files(root: Path, paths: list[str]) -> int:
    """Delete picture files that live under ``root``; prune empty day folders. Executor only."""
    removed = 0
    root = root.resolve()
    parents: set[Path] = set()
    for raw in paths:
        path = Path(raw).resolve()
        if root not in path.parents:
            continue  # never delete anything outside our media folder
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        except OSError as err:
            LOGGER.warning("Could not delete saved picture %s: %s", path.name, err)
        parents.add(path.parent)
    for parent in parents:
        with contextlib.suppress(OSError):  # not empty or already gone
            parent.rmdir()
    return removed


async def async_purge(
    entry: AnprConfigEntry,
    *,
    before: datetime | None = None,
    plate: str | None = None,
    sighting_id: int | None = None,
) -> int:
    """Delete sightings (by age, plate and/or history id), their pictures and thumbnails.

    Returns the number of sightings deleted.
    """
    runtime = entry.runtime_data
    deleted, images = await runtime.history.async_purge_with_images(
        before=before, plate=plate, sighting_id=sighting_id
    )
    if images:
        for root in (media_root(runtime.hass), thumbnail_root(entry)):
            await runtime.hass.async_add_executor_job(_delete_files, root, images)
    if deleted:
        LOGGER.info("Purged %d sightings", deleted)
    return deleted


async def async_purge_plate(entry: AnprConfigEntry, plate: str) -> dict[str, int]:
    """Delete everything kept about a plate (each stored form, clear and hashed).

    Sightings, saved pictures and panel thumbnails, visits, counts and visitor profile, learnt
    misreads and its open visit. Returns the counts: ``sightings``, ``visits``, ``pictures``
    (saved picture files), ``thumbnails`` (thumbnail files), ``misreads``.
    """
    runtime = entry.runtime_data
    site = runtime.data.site
    forms = site.privacy.query_forms(plate)
    history = runtime.history
    sightings, visits, images = await history.async_run(history.history.purge_plate, forms)
    removed = thumbnails = 0
    if images:
        # The paths are saved pictures (media folder) and panel thumbnails (their own folder).
        removed = await runtime.hass.async_add_executor_job(
            _delete_files, media_root(runtime.hass), images
        )
        thumbnails = await runtime.hass.async_add_executor_job(
            _delete_files, thumbnail_root(entry), images
        )
    misreads = site.forget(plate)
    LOGGER.info("Purged everything about one plate (%d sightings, %d visits)", sightings, visits)
    return {
        "sightings": sightings,
        "visits": visits,
        "pictures": removed,
        "thumbnails": thumbnails,
        "misreads": misreads,
    }


async def async_retention_purge(entry: AnprConfigEntry) -> int:
    """Apply the retention settings now (sightings, visits, pictures); return sightings."""
    now = dt_util.utcnow()
    deleted = await async_purge(entry, before=now - timedelta(days=retention_days(entry)))
    history = entry.runtime_data.history
    before = now - timedelta(days=visit_retention_days(entry))
    if visits := await history.async_run(history.history.purge_visits, before):
        LOGGER.info("Purged %d visits", visits)
    before = now - timedelta(days=picture_retention_days(entry))
    if images := await history.async_run(history.history.purge_pictures, before):
        await entry.runtime_data.hass.async_add_executor_job(
            _delete_files, media_root(entry.runtime_data.hass), images
        )
    return deleted


def _save_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class PictureSaver:
    """Sighting hook saving each new sighting's best picture under the media folder."""

    def __init__(self, hass: HomeAssistant, entry: AnprConfigEntry) -> None:
        """Bind to the hub."""
        self.hass = hass
        self.entry = entry
        self.root = media_root(hass)

    def path_for(self, sighting: Sighting, content_type: str) -> Path:
        """Where a sighting's picture goes (local date folder, safe file name)."""
        local = dt_util.as_local(sighting.time)
        camera = _UNSAFE.sub("_", sighting.camera)[:40]
        # Privacy mode: an unlisted plate's file is named by its hash, never the plate.
        stored = self.entry.runtime_data.pipeline.privacy.stored(sighting.plate) or ""
        plate = _UNSAFE.sub("_", stored)[:20]
        ext = _EXTENSIONS.get(content_type, "jpg")
        return self.root / f"{local:%Y-%m-%d}" / f"{local:%H%M%S}_{plate}_{camera}.{ext}"

    @callback
    def __call__(self, camera: CameraCoordinator, sighting: Sighting) -> None:
        """Schedule the save (never blocks the read)."""
        if retention_days(self.entry) <= 0:
            return
        image = sighting.image(ImageRole.FULL, ImageRole.VEHICLE, ImageRole.PLATE)
        if image is None:
            return
        self.entry.async_create_task(
            self.hass, self._async_save(sighting, image.data, image.content_type),
            "anpr save picture",
        )  # fmt: skip

    async def _async_save(self, sighting: Sighting, data: bytes, content_type: str) -> None:
        path = self.path_for(sighting, content_type)
        try:
            await self.hass.async_add_executor_job(_save_file, path, data)
            runtime = self.entry.runtime_data
            await runtime.history.async_set_image_path(
                runtime.pipeline.privacy.stored(sighting.plate) or sighting.plate,
                sighting.time,
                sighting.camera_id,
                str(path),
            )
        except Exception as err:
            LOGGER.warning("Could not save the picture of a sighting: %s", err)


@callback
def async_setup_retention(hass: HomeAssistant, entry: AnprConfigEntry) -> None:
    """Start the daily purge (and one now) and, when enabled, the picture saver."""

    async def _run(_now: Any = None) -> None:
        try:
            await async_retention_purge(entry)
        except Exception:
            LOGGER.exception("Daily sightings purge failed")

    entry.async_on_unload(async_track_time_change(hass, _run, hour=3, minute=17, second=0))
    entry.async_create_task(hass, _run(), "anpr retention purge")
    hooks = entry.runtime_data.sighting_hooks
    if retention_days(entry) <= 0:
        # 0 keeps nothing: each sighting is deleted right after it was shown.
        @callback
        def _forget(camera: CameraCoordinator, sighting: Sighting) -> None:
            entry.async_create_task(
                hass,
                async_purge(entry, before=sighting.time + timedelta(microseconds=1)),
                "anpr retention 0 purge",
            )

        hooks.append(_forget)
        entry.async_on_unload(lambda: hooks.remove(_forget) if _forget in hooks else None)
    if entry.options.get(CONF_SAVE_IMAGES):
        saver = PictureSaver(hass, entry)
        hooks.append(saver)
        entry.async_on_unload(lambda: hooks.remove(saver) if saver in hooks else None)
