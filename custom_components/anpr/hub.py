"""Builds the hub's runtime once: stores, pipeline, site, vehicles, lookup, mirror, panel feed.

:func:`async_build_runtime` runs in ``async_setup_entry`` before the platforms are forwarded.
Each part gets what it uses as arguments (nothing reads ``entry.runtime_data`` while it is
built); the sighting hooks are fixed here, in the order they run after the entities: vehicles,
DVLA lookup, retention 0 and picture saving, the MQTT mirror, the panel's feed.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryNotReady

from .const import (
    CONF_CORRECTIONS,
    CONF_FUZZY_DISTANCE,
    CONF_PLATE_COUNTRY,
    CONF_SAVE_IMAGES,
    DEFAULT_FUZZY_DISTANCE,
    DOMAIN,
)
from .coordinator import CameraCoordinator, SightingHook, SightingHooks
from .core.pipeline import Pipeline
from .core.sighting import Sighting
from .feed import SightingFeed
from .lookup import async_setup_lookup
from .media import PictureSaver
from .mirror import async_setup_mirror
from .purge import retention_days, retention_zero_hook
from .runtime import AnprConfigEntry, AnprRuntime
from .site import SiteRuntime, async_setup_site
from .store import HistoryStore, ListStore
from .ui import async_setup_panel
from .vehicles import async_setup_vehicles


def history_path(hass: HomeAssistant) -> Path:
    """Return ``<config>/.storage/anpr_history.db``."""
    return Path(hass.config.path(".storage", f"{DOMAIN}_history.db"))


def default_country(hass: HomeAssistant, entry: AnprConfigEntry) -> str | None:
    """Return the plate country: the hub option, else HA's configured country (upper case)."""
    value = entry.options.get(CONF_PLATE_COUNTRY)
    if value is None:
        value = hass.config.country
    return str(value).upper() if value else None


async def async_build_pipeline(
    hass: HomeAssistant,
    entry: AnprConfigEntry,
    lists: ListStore,
    history: HistoryStore,
    site: SiteRuntime,
) -> Pipeline:
    """Create the pipeline from the hub options and build its fuzzy index off the loop."""
    options = entry.options
    pipeline = Pipeline(
        lists=lists.lists,
        recorder=history.async_record,
        amender=history.async_amend,
        corrections=list(options.get(CONF_CORRECTIONS, [])),
        fuzzy_distance=int(options.get(CONF_FUZZY_DISTANCE, DEFAULT_FUZZY_DISTANCE)),
        tz=ZoneInfo(hass.config.time_zone),
        default_country=default_country(hass, entry),
        visits=site.tracker,
        on_visit=site.async_on_visit,
        privacy=site.privacy,
        learnt=site.learnt,
    )
    # N=2 over 10k plates takes ~0.7 s: never in the event loop.
    await hass.async_add_executor_job(pipeline.matcher.prepare)
    return pipeline


async def async_build_runtime(hass: HomeAssistant, entry: AnprConfigEntry) -> AnprRuntime:
    """Load the stores and build every part of the hub; raises ConfigEntryNotReady.

    Registers each part's unload on ``entry``. The caller assigns the result to
    ``entry.runtime_data`` before it forwards the platforms.
    """
    lists = ListStore(hass)
    await lists.async_load()
    history = HistoryStore(hass, history_path(hass))
    try:
        await history.async_open()
    except Exception as err:  # sqlite3.Error, OSError
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="history_unavailable",
            translation_placeholders={"error": str(err)},
        ) from err
    site = await async_setup_site(hass, entry, history, lists)
    pipeline = await async_build_pipeline(hass, entry, lists, history, site)
    vehicles = await async_setup_vehicles(hass, entry, lists)
    cameras: dict[str, CameraCoordinator] = {}

    @callback
    def async_enriched(sighting: Sighting) -> None:
        if (camera := cameras.get(sighting.camera_id)) is not None:
            camera.async_update_sighting(sighting)

    lookup = await async_setup_lookup(hass, entry, async_enriched)
    mirror = async_setup_mirror(hass, entry, cameras)
    feed = SightingFeed(hass, entry, history, make_thumbnails=retention_days(entry) > 0)
    entry.async_on_unload(feed.async_close)
    await async_setup_panel(hass, entry)
    new: list[SightingHook | None] = [
        vehicles.async_on_sighting,
        lookup.async_on_sighting if lookup else None,
        retention_zero_hook(hass, entry),
    ]
    if entry.options.get(CONF_SAVE_IMAGES) and retention_days(entry) > 0:
        new.append(PictureSaver(hass, entry, history, site.privacy).async_on_sighting)
    new += [mirror.async_on_sighting if mirror else None, feed.async_on_sighting]
    hooks = SightingHooks(
        new=tuple(hook for hook in new if hook is not None), merged=(feed.async_merged,)
    )
    return AnprRuntime(
        hass=hass,
        entry=entry,
        lists=lists,
        history=history,
        pipeline=pipeline,
        site=site,
        vehicles=vehicles,
        lookup=lookup,
        mirror=mirror,
        feed=feed,
        hooks=hooks,
        cameras=cameras,
    )
