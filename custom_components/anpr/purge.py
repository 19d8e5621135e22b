"""History retention and purges: the daily purge, retention 0, and purge by plate (HA side).

Retention (hub option ``retention_days``): once a day (03:17 local) and once at start-up,
sightings older than N days are deleted together with their saved pictures and panel
thumbnails; 0 keeps nothing (each sighting is deleted right after it was shown, and no picture
is saved). Visits (``visit_retention_days``) and pictures (``picture_retention_days``) have
their own retention, each defaulting to the sightings' one; a picture never outlives its
sighting. Where pictures live: media.py.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path
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
from .core.sighting import SightingUpdate
from .media import media_root, thumbnail_root

if TYPE_CHECKING:
    from .coordinator import SightingHook
    from .runtime import AnprConfigEntry


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
        for root in (media_root(runtime.hass), thumbnail_root(runtime.history)):
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
    site = runtime.site
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
            _delete_files, thumbnail_root(runtime.history), images
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


@callback
def async_setup_retention(hass: HomeAssistant, entry: AnprConfigEntry) -> None:
    """Start the daily purge and run one now (after ``entry.runtime_data`` is set)."""

    async def _run(_now: Any = None) -> None:
        try:
            await async_retention_purge(entry)
        except Exception:
            LOGGER.exception("Daily sightings purge failed")

    entry.async_on_unload(async_track_time_change(hass, _run, hour=3, minute=17, second=0))
    entry.async_create_task(hass, _run(), "anpr retention purge")


def retention_zero_hook(hass: HomeAssistant, entry: AnprConfigEntry) -> SightingHook | None:
    """Return the sighting hook of retention 0 (delete each sighting once it was shown).

    None when the hub keeps sightings (retention above 0 days).
    """
    if retention_days(entry) > 0:
        return None

    @callback
    def _forget(update: SightingUpdate) -> None:
        entry.async_create_task(
            hass,
            async_purge(entry, before=update.sighting.time + timedelta(microseconds=1)),
            "anpr retention 0 purge",
        )

    return _forget
