"""Home Assistant side of the data stores: plate lists (HA storage) and history (SQLite thread)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import functools
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN, STORAGE_VERSION
from .history import PlateStats, SightingHistory, SightingRow
from .plates import PlateLists


class HistoryStore:
    """Runs :class:`SightingHistory` on one dedicated thread (SQLite connections are per thread).

    Every coroutine may raise :class:`sqlite3.Error`; writes never run in the event loop.
    """

    def __init__(self, hass: HomeAssistant, path: Path) -> None:
        """Remember where the database lives (``<config>/.storage/anpr_history.db``)."""
        self.hass = hass
        self.history = SightingHistory(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anpr_history")

    async def _run[T](self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await self.hass.loop.run_in_executor(
            self._executor, functools.partial(func, *args, **kwargs)
        )

    async def async_open(self) -> None:
        """Open the database."""
        await self._run(self.history.open)

    async def async_close(self) -> None:
        """Close the database and stop the thread."""
        await self._run(self.history.close)
        await self.hass.async_add_executor_job(self._executor.shutdown, True)

    async def async_record(self, row: SightingRow) -> PlateStats:
        """Record one sighting; return the plate's stats from before it."""
        return await self._run(self.history.record, row)

    async def async_stats(self, plate: str) -> PlateStats:
        """Return a plate's stats."""
        return await self._run(self.history.stats, plate)

    async def async_search(self, **filters: Any) -> list[SightingRow]:
        """Search sightings (see :meth:`SightingHistory.search`)."""
        return await self._run(self.history.search, **filters)

    async def async_purge(self, **filters: Any) -> int:
        """Purge sightings (see :meth:`SightingHistory.purge`)."""
        return await self._run(self.history.purge, **filters)

    async def async_counts(self) -> dict[str, int]:
        """Return totals for diagnostics."""
        return await self._run(self.history.counts)


class ListStore:
    """Plate lists kept in HA storage (``.storage/anpr.lists``); data, not config."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the store; call :meth:`async_load`."""
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.lists")
        self.lists = PlateLists()

    async def async_load(self) -> PlateLists:
        """Load the lists (default groups on first run)."""
        self.lists = PlateLists.from_dict(await self._store.async_load())
        return self.lists

    def async_schedule_save(self) -> None:
        """Save soon (debounced by HA storage)."""
        self._store.async_delay_save(self.lists.as_dict, 1.0)

    async def async_save(self) -> None:
        """Save now."""
        await self._store.async_save(self.lists.as_dict())
