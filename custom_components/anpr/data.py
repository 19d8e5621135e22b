"""Wiring of the plate-intelligence parts into a running hub (issue 6).

``async_setup_data`` runs in ``async_setup_entry`` after the runtime exists and before the
platforms are forwarded: it configures the matcher (HA's time zone for validity windows, the
plate country for format fixes), starts the vehicle tracker, the DVLA enricher and the
retention purge, and hooks them into ``runtime.sighting_hooks``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant

from .lookup import DvlaEnricher, async_setup_lookup
from .purge import async_setup_retention
from .site import SiteRuntime, async_setup_site
from .vehicles import VehicleTracker

if TYPE_CHECKING:
    from .coordinator import AnprConfigEntry

#: Hub option: country whose plate formats apply to reads without a country ("" = none).
CONF_PLATE_COUNTRY = "plate_country"


@dataclass
class DataRuntime:
    """``runtime.data``: the vehicle tracker and the DVLA enricher (None without a key)."""

    vehicles: VehicleTracker
    lookup: DvlaEnricher | None
    #: Visits, privacy mode and learnt misreads (site.py, issue 16).
    site: SiteRuntime

    def diagnostics(self) -> dict[str, Any]:
        """Return counts only."""
        return {
            "vehicles": self.vehicles.counts(),
            "dvla": self.lookup.diagnostics() if self.lookup else None,
            "site": self.site.diagnostics(),
        }


def default_country(hass: HomeAssistant, entry: AnprConfigEntry) -> str | None:
    """Return the plate country: the hub option, else HA's configured country."""
    value = entry.options.get(CONF_PLATE_COUNTRY)
    if value is None:
        value = hass.config.country
    return str(value).upper() if value else None


async def async_setup_data(hass: HomeAssistant, entry: AnprConfigEntry) -> DataRuntime:
    """Set everything up on ``entry.runtime_data``; returns (and stores) the DataRuntime."""
    runtime = entry.runtime_data
    runtime.pipeline.matcher.tz = ZoneInfo(hass.config.time_zone)
    runtime.pipeline.default_country = default_country(hass, entry)
    # Build the fuzzy index off the event loop (N=2 over 10k plates takes ~0.7 s).
    runtime.pipeline.matcher.fuzzy_distance = max(0, int(runtime.pipeline.fuzzy_distance))
    await hass.async_add_executor_job(runtime.pipeline.matcher.prepare)

    vehicles = VehicleTracker(hass, entry)
    await vehicles.async_load()
    runtime.sighting_hooks.append(vehicles)
    entry.async_on_unload(runtime.lists.async_add_listener(vehicles.async_sync))
    entry.async_on_unload(vehicles.async_unload)

    site = await async_setup_site(hass, entry)  # before retention: it sets the time zone
    lookup = await async_setup_lookup(hass, entry)
    async_setup_retention(hass, entry)
    data = DataRuntime(vehicles=vehicles, lookup=lookup, site=site)
    runtime.data = data
    return data
