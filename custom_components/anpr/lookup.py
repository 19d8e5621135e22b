"""DVLA enrichment of sightings (the Home Assistant side of :mod:`.core.dvla`).

A sighting hook: the plate-read event has already fired when it runs; the lookup runs as a
background task and, when the answer arrives, sets ``sighting.reginfo`` and refreshes the
camera's entities (``reginfo`` attribute of the last-plate sensor). Only UK-format plates that
are not on an ``ignored`` list are asked about. Answers are cached (hub option
``dvla_cache_hours``) in ``.storage/anpr.dvla_cache``. A refused key raises the repair issue
``dvla_bad_key`` and stops lookups until the key is changed (which reloads the hub).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.storage import Store

from .const import (
    CATEGORY_IGNORED,
    CONF_DVLA_API_KEY,
    CONF_DVLA_BASE_URL,
    CONF_DVLA_CACHE_HOURS,
    DEFAULT_DVLA_CACHE_HOURS,
    DOMAIN,
    LOGGER,
    STORAGE_VERSION,
)
from .core.dvla import PRODUCTION_URL, DvlaAuthError, DvlaUnavailable, VesCache, VesClient
from .core.matching import is_uk_plate
from .core.sighting import Sighting, SightingUpdate

ISSUE_BAD_KEY = "dvla_bad_key"


def reginfo(result_status: str, vehicle: dict[str, Any], message: str | None) -> dict[str, Any]:
    """Build the ``reginfo`` attribute: the VES fields plus ``status`` (found/not_found/invalid)."""
    data: dict[str, Any] = {"status": result_status}
    data.update(vehicle)
    if message:
        data["message"] = message
    return data


class DvlaEnricher:
    """Sighting hook doing DVLA lookups in the background."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        api_key: str,
        on_enriched: Callable[[Sighting], None],
    ) -> None:
        """Create the client on HA's shared session and the persisted cache.

        ``on_enriched(sighting)`` is called after an answer was added to a sighting (its
        camera's entities show it).
        """
        self.hass = hass
        self.entry = entry
        self._on_enriched = on_enriched
        options = entry.options
        self.client = VesClient(
            async_get_clientsession(hass),
            api_key,
            base_url=str(options.get(CONF_DVLA_BASE_URL, PRODUCTION_URL)),
        )
        self.cache = VesCache(
            float(options.get(CONF_DVLA_CACHE_HOURS, DEFAULT_DVLA_CACHE_HOURS)) * 3600
        )
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.dvla_cache")
        self.disabled = False
        self.stats = {"lookups": 0, "cached": 0, "errors": 0}
        self._inflight: set[str] = set()

    async def async_load(self) -> None:
        """Load the persisted cache."""
        self.cache.load(await self._store.async_load())

    async def async_save(self) -> None:
        """Persist the cache now."""
        await self._store.async_save(self.cache.as_dict())

    @callback
    def async_on_sighting(self, update: SightingUpdate) -> None:
        """Start a lookup for a new sighting (never blocks the read)."""
        sighting = update.sighting
        if self.disabled or sighting.list_category == CATEGORY_IGNORED:
            return
        if not is_uk_plate(sighting.plate):
            return
        self.entry.async_create_task(
            self.hass, self._async_enrich(sighting), "anpr dvla lookup"
        )

    async def _async_enrich(self, sighting: Sighting) -> None:
        plate = sighting.plate
        result = self.cache.get(plate)
        if result is not None:
            self.stats["cached"] += 1
        else:
            if plate in self._inflight:
                return
            self._inflight.add(plate)
            try:
                self.stats["lookups"] += 1
                result = await self.client.lookup(plate)
            except DvlaAuthError:
                self.disabled = True
                self.stats["errors"] += 1
                LOGGER.error("The DVLA refused the API key; vehicle lookups are off")
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    ISSUE_BAD_KEY,
                    is_fixable=False,
                    severity=ir.IssueSeverity.ERROR,
                    translation_key=ISSUE_BAD_KEY,
                )
                return
            except DvlaUnavailable as err:
                self.stats["errors"] += 1
                LOGGER.debug("DVLA lookup skipped: %s", err)
                return
            except Exception as err:
                self.stats["errors"] += 1
                LOGGER.warning("DVLA lookup failed: %s", type(err).__name__)
                return
            finally:
                self._inflight.discard(plate)
            if result is None:
                return
            ir.async_delete_issue(self.hass, DOMAIN, ISSUE_BAD_KEY)
            self.cache.put(plate, result)
            self._store.async_delay_save(self.cache.as_dict, 10)
        sighting.reginfo = reginfo(result.status, result.vehicle, result.message)
        self._on_enriched(sighting)

    def diagnostics(self) -> dict[str, Any]:
        """Return counts only (no plates, no key)."""
        return {
            **self.stats,
            "cache_size": len(self.cache),
            "disabled": self.disabled,
            "backing_off": self.client.backing_off,
        }


async def async_setup_lookup(
    hass: HomeAssistant, entry: ConfigEntry[Any], on_enriched: Callable[[Sighting], None]
) -> DvlaEnricher | None:
    """Create the enricher (cache loaded, saved at unload) when a DVLA key is set, else None."""
    api_key = str(entry.options.get(CONF_DVLA_API_KEY) or "").strip()
    if not api_key:
        ir.async_delete_issue(hass, DOMAIN, ISSUE_BAD_KEY)
        return None
    enricher = DvlaEnricher(hass, entry, api_key, on_enriched)
    await enricher.async_load()
    entry.async_on_unload(enricher.async_save)
    return enricher
