"""The site: visits, visitor classes, learnt misreads and privacy mode of a hub.

``async_setup_site`` runs while the hub's runtime is built (hub.py), before the pipeline, which
it gives its parts: it gives the history the site's time zone (visitor classes count local
days), makes the privacy policy (keyed hashes, core/privacy.py; the per-install secret is made
once and kept in the config entry's data), loads the learnt misreads
(``.storage/anpr.misreads``), reloads the open visits from the history into the tracker
(core/visits.py) and closes visits that timed out, now and every minute — so a visit left open
across a restart still closes as "no exit seen". With privacy mode on, a
background task rewrites plates still stored in the clear (the history from before the switch,
and plates that left the lists) in batches, with progress on a diagnostic sensor.

Entities of the site device: ``Vehicles on site`` (open visits) and, in privacy mode,
``Privacy rewrite`` (percent done).
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from datetime import datetime, timedelta
from pathlib import Path
import re
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import (
    CONF_PRIVACY_MODE,
    CONF_VISIT_TIMEOUT,
    DATA_PRIVACY_SECRET,
    DEFAULT_VISIT_TIMEOUT,
    DOMAIN,
    LOGGER,
    STORAGE_VERSION,
)
from .core.misreads import LearntMisreads
from .core.privacy import PlateHasher, PrivacyPolicy, new_secret
from .core.visits import Visit, VisitStep, VisitTracker
from .store import HistoryStore, ListStore

SWEEP_INTERVAL = timedelta(minutes=1)
REWRITE_BATCH = 200


_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def rename_picture(path: str, plate: str, hashed: str) -> str | None:
    """Rename a saved picture ``…_<plate>_<camera>.<ext>`` to carry the hash (history thread).

    Returns the new path, or None when the name has no plate or the file cannot be renamed.
    """
    old = Path(path)
    marker = f"_{plate[:20]}_"
    if marker not in old.name:
        return None
    new = old.with_name(old.name.replace(marker, f"_{_UNSAFE.sub('_', hashed)[:20]}_", 1))
    with contextlib.suppress(OSError):
        old.rename(new)
        return str(new)
    return None


def visit_timeout(entry: ConfigEntry[Any]) -> timedelta | None:
    """Return the hub's visit timeout (hours option; 0 = visits never time out).

    The hub's visit timeout (hours option; 0 = visits never time out).
    """
    hours = float(entry.options.get(CONF_VISIT_TIMEOUT, DEFAULT_VISIT_TIMEOUT))
    return timedelta(hours=hours) if hours > 0 else None


class SiteRuntime:
    """Visits, privacy and learnt misreads of one hub; listeners are the site entities.

    ``tracker`` (open visits), ``privacy`` (the stored form of plates) and ``learnt``
    (confirmed misreads) are handed to the pipeline, which updates them read by read.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        history: HistoryStore,
        lists: ListStore,
    ) -> None:
        """Bind to the hub's stores; call :meth:`async_setup` before use."""
        self.hass = hass
        self.entry = entry
        self.history = history
        self.lists = lists
        self.tracker = VisitTracker(visit_timeout(entry))
        self.privacy = PrivacyPolicy(None, lists.lists.is_listed)
        self.learnt = LearntMisreads()
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.misreads")
        self._listeners: list[Callable[[], None]] = []
        #: Privacy rewrite progress: plates to rewrite at the start and plates done.
        self.rewrite_total = 0
        self.rewrite_done = 0
        self.rewrite_running = False

    @property
    def rewrite_progress(self) -> float:
        """Percent of the privacy rewrite done (100 when nothing is left)."""
        if not self.rewrite_total:
            return 100.0
        return round(100.0 * self.rewrite_done / self.rewrite_total, 1)

    async def async_setup(self) -> None:
        """Load state and start the timers (see the module docstring)."""
        entry = self.entry
        self.history.history.tz = ZoneInfo(self.hass.config.time_zone)
        if entry.options.get(CONF_PRIVACY_MODE):
            secret = entry.data.get(DATA_PRIVACY_SECRET)
            if not secret:
                secret = new_secret()
                self.hass.config_entries.async_update_entry(
                    entry, data={**entry.data, DATA_PRIVACY_SECRET: secret}
                )
            self.privacy = PrivacyPolicy(PlateHasher(secret), self.lists.lists.is_listed)
        stored = await self._store.async_load() or {}
        self.learnt = LearntMisreads(stored.get("misreads"))
        self.tracker.load(await self.history.async_run(self.history.history.open_visits))
        await self.async_sweep()
        entry.async_on_unload(
            async_track_time_interval(
                self.hass, self._async_sweep_timer, SWEEP_INTERVAL, name="anpr visit timeouts"
            )
        )
        if (hasher := self.privacy.hasher) is not None:
            entry.async_create_background_task(
                self.hass, self.async_rewrite(hasher), "anpr privacy rewrite"
            )

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` when the count of vehicles on site or the rewrite moves."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    @callback
    def async_on_visit(self, step: VisitStep) -> None:
        """Refresh the site entities after a visit step (the count on site may have moved)."""
        self._notify()

    async def _async_sweep_timer(self, _now: datetime) -> None:
        await self.async_sweep()

    async def async_sweep(self) -> list[Visit]:
        """Close visits that timed out (``no_exit``) and store them; return them."""
        closed = self.tracker.expire(dt_util.utcnow())
        if closed:
            try:
                await self.history.async_run(self.history.history.save_visits, closed)
            except Exception as err:
                LOGGER.warning("Could not store %d timed-out visits: %s", len(closed), err)
            self._notify()
        return closed

    def listed_plates(self) -> frozenset[str]:
        """Every listed plate and alternative reading (they stay in the clear)."""
        lists = self.lists.lists
        plates: set[str] = set()
        for item in lists.entries.values():
            plates.add(item.plate)
            plates.update(item.aliases)
        return frozenset(plates)

    async def async_rewrite(self, hasher: PlateHasher) -> None:
        """Privacy rewrite: hash every unlisted plate still in the clear, in batches."""
        history = self.history.history
        self.rewrite_running = True
        try:
            todo = await self.history.async_run(
                history.clear_plates_to_hash, self.listed_plates()
            )
            self.rewrite_total, self.rewrite_done = len(todo), 0
            if todo:
                LOGGER.info("Privacy mode: rewriting %d plates of the history", len(todo))
            self._notify()
            for start in range(0, len(todo), REWRITE_BATCH):
                batch = todo[start : start + REWRITE_BATCH]
                await self.history.async_run(
                    history.rewrite_plates, batch, hasher.hash, rename_picture
                )
                for plate in batch:
                    self.tracker.rename(plate, hasher.hash(plate))
                self.rewrite_done += len(batch)
                self._notify()
            if todo:
                LOGGER.info("Privacy mode: history rewrite finished")
        except Exception:
            LOGGER.exception("Privacy mode: the history rewrite stopped; it resumes at start")
        finally:
            self.rewrite_running = False
            self._notify()

    def learn(self, read: str, plate: str, camera_id: str | None) -> None:
        """Remember a confirmed misread and save it."""
        self.learnt.learn(read, plate, camera_id)
        self._store.async_delay_save(self._data, 1.0)

    def forget(self, plate: str) -> int:
        """Forget a plate's learnt misreads and its open visit (purge); return misreads."""
        for form in self.privacy.query_forms(plate):
            self.tracker.forget(form)
        gone = self.learnt.forget_plate(plate)
        if gone:
            self._store.async_delay_save(self._data, 1.0)
        self._notify()
        return gone

    def _data(self) -> dict[str, Any]:
        return {"misreads": self.learnt.as_dict()}

    async def async_unload(self) -> None:
        """Save learnt misreads now."""
        await self._store.async_save(self._data())

    def diagnostics(self) -> dict[str, Any]:
        """Return counts only (no plates, no secret).

        Counts only (no plates, no secret).
        """
        return {
            "on_site": self.tracker.on_site,
            "visit_timeout_h": (
                self.tracker.timeout.total_seconds() / 3600 if self.tracker.timeout else None
            ),
            "privacy_mode": self.privacy.enabled,
            "rewrite": {
                "running": self.rewrite_running,
                "total": self.rewrite_total,
                "done": self.rewrite_done,
            },
            "learnt_misreads": len(self.learnt),
        }


async def async_setup_site(
    hass: HomeAssistant, entry: ConfigEntry[Any], history: HistoryStore, lists: ListStore
) -> SiteRuntime:
    """Create and start the site runtime of a hub."""
    site = SiteRuntime(hass, entry, history, lists)
    await site.async_setup()
    entry.async_on_unload(site.async_unload)
    return site

