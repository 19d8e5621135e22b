"""Home Assistant side of the data stores: plate lists (HA storage) and history (SQLite thread)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, tzinfo
import functools
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .const import DOMAIN, STORAGE_VERSION
from .core.history import PlateStats, SightingHistory, SightingQuery, SightingRow
from .core.plates import PlateLists


class HistoryStore:
    """Runs :class:`SightingHistory` on one dedicated thread (SQLite connections are per thread).

    Every coroutine may raise :class:`sqlite3.Error`; writes never run in the event loop.
    """

    def __init__(self, hass: HomeAssistant, path: Path) -> None:
        """Remember where the database lives (``<config>/.storage/anpr_history.db``)."""
        self.hass = hass
        self.history = SightingHistory(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anpr_history")
        # Writes waiting for the history thread; all of them go in one transaction.
        self._queue: list[tuple[SightingRow, asyncio.Future[PlateStats]]] = []
        self._flushing = False

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
        """Record one sighting; return the plate's stats from before it.

        Writes are batched: every row queued while the history thread is busy is committed in
        the next single transaction (one WAL commit for a burst of reads).
        """
        future: asyncio.Future[PlateStats] = self.hass.loop.create_future()
        self._queue.append((row, future))
        if not self._flushing:
            self._flushing = True
            self.hass.async_create_background_task(self._async_flush(), "anpr history flush")
        return await future

    async def _async_flush(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    results = await self._run(self.history.record_many, [r for r, _ in batch])
                except Exception as err:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(err)
                    continue
                for (_, future), stats in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(stats)
        finally:
            self._flushing = False

    async def async_run[T](self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``func`` (a :class:`SightingHistory` method) on the history thread."""
        return await self._run(func, *args, **kwargs)

    async def async_amend(self, sid: str, plate: str, alternatives: dict[str, int]) -> None:
        """Change a recorded sighting's plate and merged alternatives (misread merge)."""
        await self._run(self.history.reassign, sid, plate, alternatives)

    async def async_hour_profile(self, plate: str, tz: tzinfo) -> list[int]:
        """Per-hour sighting counts of a plate in ``tz``."""
        return await self._run(self.history.hour_profile, plate, tz)

    async def async_fuzzy_plates(self, plate: str, distance: int) -> list[str]:
        """Known plates within ``distance`` edits."""
        return await self._run(self.history.fuzzy_plates, plate, distance)

    async def async_export_csv(self, path: Path, **filters: Any) -> int:
        """Write a CSV export on the history thread; return the rows written."""
        return await self._run(self.history.export_csv, path, **filters)

    async def async_purge_with_images(self, **filters: Any) -> tuple[int, list[str]]:
        """Purge and return the saved picture paths of the deleted sightings."""
        return await self._run(self.history.purge_with_images, **filters)

    async def async_set_image_path(
        self, plate: str, time: datetime, camera_id: str, path: str
    ) -> None:
        """Attach a saved picture path to a recorded sighting."""
        await self._run(self.history.set_image_path, plate, time, camera_id, path)

    async def async_stats(self, plate: str) -> PlateStats:
        """Return a plate's stats."""
        return await self._run(self.history.stats, plate)

    async def async_search(self, **filters: Any) -> list[SightingRow]:
        """Search sightings (see :meth:`SightingHistory.search`)."""
        return await self._run(self.history.search, **filters)

    async def async_purge(self, **filters: Any) -> int:
        """Purge sightings (see :meth:`SightingHistory.purge`)."""
        return await self._run(self.history.purge, **filters)

    async def async_page(self, query: SightingQuery, limit: int) -> list[SightingRow]:
        """One keyset page of sightings (see :meth:`SightingHistory.page`)."""
        return await self._run(self.history.page, query, limit)

    async def async_get(self, sighting_id: int) -> SightingRow | None:
        """One sighting by history id, or None."""
        return await self._run(self.history.get, sighting_id)

    async def async_annotate(self, rows: list[SightingRow]) -> list[SightingRow]:
        """Rows with visitor class and dwell filled in (:meth:`SightingHistory.annotate`)."""
        return await self._run(self.history.annotate, rows)

    async def async_set_thumbnail(self, sighting_id: int, path: str) -> None:
        """Attach a thumbnail file to a stored sighting."""
        await self._run(self.history.set_thumbnail, sighting_id, path)

    async def async_set_reads(self, sighting_id: int, reads: int) -> None:
        """Store the merged-read count of a sighting."""
        await self._run(self.history.set_reads, sighting_id, reads)

    async def async_camera_activity(
        self, camera_id: str, since: list[datetime]
    ) -> tuple[list[int], datetime | None]:
        """Return counts since each time and the newest sighting of one camera."""
        return await self._run(self.history.camera_activity, camera_id, since)

    async def async_counts(self) -> dict[str, int]:
        """Return totals for diagnostics."""
        return await self._run(self.history.counts)


class ListStore:
    """Plate lists kept in HA storage (``.storage/anpr.lists``); data, not config."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Create the store; call :meth:`async_load`."""
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.lists")
        self.lists = PlateLists()
        self._listeners: list[Callable[[], None]] = []

    def async_add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every edit (each :meth:`async_schedule_save`)."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def async_load(self) -> PlateLists:
        """Load the lists (default groups on first run)."""
        self.lists = PlateLists.from_dict(await self._store.async_load())
        return self.lists

    def async_schedule_save(self) -> None:
        """Save soon (debounced by HA storage) and tell the listeners the lists changed."""
        self._store.async_delay_save(self.lists.as_dict, 1.0)
        for listener in list(self._listeners):
            listener()

    async def async_save(self) -> None:
        """Save now."""
        await self._store.async_save(self.lists.as_dict())
