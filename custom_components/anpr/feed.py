"""The panel's live sighting feed and its thumbnails.

:class:`SightingFeed` is a sighting hook (it runs after the bus event fired, so nothing here is
on the read → event path): it tells the websocket subscribers (``added``, with the history id
the recorder returned), then makes the thumbnail with Pillow on its own thread and tells them
again (``updated``); at most :data:`MAX_PENDING_THUMBNAILS` wait, so a burst of reads keeps
memory and CPU bounded (the rest get none). Merged repeat reads update the row's read count
(``updated``). Thumbnails (:data:`THUMB_WIDTH` px wide JPEG) live next to the history database
in ``anpr_thumbnails/<local date>/<id>.jpg`` (media.py) and are deleted with their sightings by
the retention purge (purge.py); retention 0 makes none.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import contextlib
from dataclasses import replace
import io
import logging
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .const import LOGGER
from .core.history import SightingRow
from .core.sighting import Sighting, SightingUpdate
from .media import thumbnail_root
from .protocols.models import ImageRole
from .store import HistoryStore

#: Width in pixels of a thumbnail (height keeps the picture's aspect ratio).
THUMB_WIDTH = 320
THUMB_QUALITY = 75
_KEEP_IDS = 2048
#: Thumbnails queued at most; more sightings in a burst get none (the list shows a placeholder).
MAX_PENDING_THUMBNAILS = 64

SubscriberCallback = Callable[[str, SightingRow], None]


def make_thumbnail(data: bytes, width: int = THUMB_WIDTH) -> bytes:
    """Return a JPEG at most ``width`` px wide made from a camera picture (JPEG/PNG/...).

    Runs in the executor (Pillow decodes and resamples synchronously). EXIF orientation is
    applied. Raises ``PIL.UnidentifiedImageError`` / OSError for data that is not a picture.
    """
    from PIL import Image, ImageOps  # noqa: PLC0415 - Pillow loads only when used

    with Image.open(io.BytesIO(data)) as source:
        if source.width > width:
            # JPEG: let libjpeg decode at 1/2, 1/4 or 1/8 scale, still at least `width` wide.
            source.draft("RGB", (width, max(1, source.height * width // source.width)))
        picture = (ImageOps.exif_transpose(source) or source).convert("RGB")
    if picture.width > width:
        picture = picture.resize(
            (width, max(1, round(picture.height * width / picture.width))),
            Image.Resampling.BILINEAR,
        )
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=THUMB_QUALITY, optimize=False)
    return out.getvalue()


def _write_thumbnail(path: Path, data: bytes) -> None:
    thumb = make_thumbnail(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(thumb)
    tmp.replace(path)


class SightingFeed:
    """Sighting hook feeding the websocket subscribers and making thumbnails (see module)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        history: HistoryStore,
        *,
        make_thumbnails: bool = True,
    ) -> None:
        """Bind to the hub and its history (thumbnails are stored beside it).

        ``make_thumbnails`` is False when the hub keeps no sightings (retention 0).
        """
        self.hass = hass
        self.entry = entry
        self.history = history
        self.thumbnails = thumbnail_root(history)
        self.make_thumbnails = make_thumbnails
        self._subscribers: dict[int, SubscriberCallback] = {}
        self._next = 0
        #: pipeline sighting id -> history row id (recent sightings, for merged reads)
        self._row_ids: OrderedDict[str, int] = OrderedDict()
        # One thread for thumbnails: a burst never takes Home Assistant's executor over.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anpr_thumbnail")
        self._thumbs_pending = 0
        self._warned: set[str] = set()
        #: Thumbnails not made because :data:`MAX_PENDING_THUMBNAILS` were already queued.
        self.thumbnails_skipped = 0

    async def async_close(self) -> None:
        """Stop the thumbnail thread (waits for the one running)."""
        await self.hass.async_add_executor_job(self._executor.shutdown, True)

    @callback
    def async_subscribe(self, listener: SubscriberCallback) -> Callable[[], None]:
        """Call ``listener(kind, row)`` for each new (``added``) or changed (``updated``) row."""
        self._next += 1
        key = self._next
        self._subscribers[key] = listener

        @callback
        def unsubscribe() -> None:
            self._subscribers.pop(key, None)

        return unsubscribe

    @callback
    def _broadcast(self, kind: str, row: SightingRow) -> None:
        for listener in list(self._subscribers.values()):
            try:
                listener(kind, row)
            except Exception:
                LOGGER.exception("A sightings subscriber failed")

    @callback
    def async_on_sighting(self, update: SightingUpdate) -> None:
        """Publish a new sighting (its event fired already), then make its thumbnail."""
        self.entry.async_create_background_task(
            self.hass, self._async_added(update.sighting), "anpr sighting feed"
        )

    @callback
    def async_merged(self, update: SightingUpdate) -> None:
        """Store and publish the read count of a sighting a repeat read was merged into."""
        sighting = update.sighting
        row_id = self._row_ids.get(sighting.id)
        if row_id is not None:
            self.entry.async_create_background_task(
                self.hass, self._async_merged(row_id, sighting.reads), "anpr sighting merged"
            )

    async def _async_merged(self, row_id: int, reads: int) -> None:
        history = self.history
        try:
            await history.async_set_reads(row_id, reads)
            row = await history.async_get(row_id)
            if row is not None:
                row = (await history.async_annotate([row]))[0]
        except Exception as err:
            LOGGER.warning("Could not store the read count of a sighting: %s", err)
            return
        if row is not None:
            self._broadcast("updated", row)

    async def _async_added(self, sighting: Sighting) -> None:
        row_id = sighting.history_id
        if row_id is None:
            return  # not recorded (the history write failed): nothing to show or link
        row = SightingRow(
            id=row_id,
            plate=sighting.plate,
            time=sighting.time,
            camera_id=sighting.camera_id,
            camera=sighting.camera,
            category=sighting.list_category,
            list_name=sighting.list_name,
            direction=sighting.direction.value,
            confidence=sighting.read.confidence,
            read_plate=sighting.read.plate,
            visit_id=sighting.visit_id,
            visitor_class=sighting.visitor_class,
            dwell_s=sighting.dwell_s,
        )  # what the pipeline stored (core/pipeline.py), without reading it back
        self._row_ids[sighting.id] = row_id
        while len(self._row_ids) > _KEEP_IDS:
            self._row_ids.popitem(last=False)
        self._broadcast("added", row)
        image = sighting.image(ImageRole.VEHICLE, ImageRole.FULL, ImageRole.PLATE)
        if image is None or not self.make_thumbnails:
            return
        if self._thumbs_pending >= MAX_PENDING_THUMBNAILS:
            # A burst (e.g. thousands of reads replayed after a reconnect): thumbnails are
            # best-effort; keep memory and CPU bounded rather than queue every picture.
            self.thumbnails_skipped += 1
            LOGGER.debug("Thumbnail queue full; no thumbnail for sighting %s", row_id)
            return
        local = dt_util.as_local(row.time)
        path = self.thumbnails / f"{local:%Y-%m-%d}" / f"{row_id}.jpg"
        self._thumbs_pending += 1
        try:
            await self.hass.loop.run_in_executor(
                self._executor, _write_thumbnail, path, image.data
            )
        except Exception as err:  # Pillow: not a picture; OSError: disk
            # Once per camera at warning level (a camera sending pictures Pillow cannot read
            # would otherwise log at every read), then at debug level.
            level = logging.DEBUG if sighting.camera_id in self._warned else logging.WARNING
            self._warned.add(sighting.camera_id)
            LOGGER.log(
                level,
                "Camera %s: could not make a thumbnail of a sighting: %s",
                sighting.camera,
                err,
            )
            return
        finally:
            self._thumbs_pending -= 1
        history = self.history
        try:
            await history.async_set_thumbnail(row_id, str(path))
        except Exception as err:
            LOGGER.warning("Could not store the thumbnail of a sighting: %s", err)
            with contextlib.suppress(OSError):
                await self.hass.async_add_executor_job(path.unlink)
            return
        self._broadcast("updated", replace(row, thumb_path=str(path)))
