"""The integration's own user interface: live sighting feed, thumbnails, pictures, panel, card.

* :class:`SightingFeed` is a sighting hook (it runs after the bus event fired, so nothing here
  is on the read → event path): it tells the websocket subscribers (``added``, with the
  history id the recorder returned), then makes the thumbnail with Pillow on its own thread and
  tells them again (``updated``); at most :data:`MAX_PENDING_THUMBNAILS` wait, so a burst of
  reads keeps memory and CPU bounded (the rest get none). Merged repeat reads update the
  row's read count (``updated``).
* Thumbnails (:data:`THUMB_WIDTH` px wide JPEG) live next to the history database in
  ``anpr_thumbnails/<local date>/<id>.jpg`` and are deleted with their sightings by the
  retention purge (purge.py); retention 0 makes none.
* :class:`PictureView` serves ``/api/anpr/picture/<id>/<thumbnail|picture>`` to logged-in users
  only (``requires_auth``; ``<img>`` tags use the paths signed by the websocket API with
  ``async_sign_path``); a missing file answers a placeholder picture, never an error page.
* The sidebar panel (``panel_custom`` web component ``anpr-panel``) and the dashboard card
  (``custom:anpr-sightings-card``, loaded on every dashboard with ``add_extra_js_url``) come
  from one ES module, ``frontend/anpr-panel.js``, served at :data:`MODULE_URL`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
import contextlib
from dataclasses import replace
import hashlib
import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.util import dt as dt_util

from .const import CONF_SHOW_PANEL, DOMAIN, LOGGER
from .core.history import SightingRow
from .core.sighting import Sighting, SightingUpdate
from .media import media_root, thumbnail_root
from .protocols.models import ImageRole
from .purge import retention_days
from .store import HistoryStore

if TYPE_CHECKING:
    from .coordinator import AnprConfigEntry, CameraCoordinator

#: Width in pixels of a thumbnail (height keeps the picture's aspect ratio).
THUMB_WIDTH = 320
THUMB_QUALITY = 75
PANEL_URL_PATH = "anpr"
PANEL_COMPONENT = "anpr-panel"
FRONTEND_DIR = Path(__file__).parent / "frontend"
MODULE_FILE = FRONTEND_DIR / "anpr-panel.js"
STATIC_URL = f"/{DOMAIN}_static"
PICTURE_URL = "/api/anpr/picture/{sighting_id}/{kind}"
KIND_THUMBNAIL = "thumbnail"
KIND_PICTURE = "picture"
#: Placeholder for a picture that is not (or no longer) there: a grey 4:3 frame and a car.
PLACEHOLDER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 240" width="320" height="240">'
    b'<rect width="320" height="240" fill="#9e9e9e" fill-opacity="0.25"/>'
    b'<path fill="#757575" d="M110 150v-28l14-30h72l14 30v28h-10v12h-16v-12h-48v12h-16v-12z'
    b'm20-30h100l-9-20h-82zm4 8a8 8 0 1 0 0.1 0zm92 0a8 8 0 1 0 0.1 0z"/></svg>'
)
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

    def __init__(self, hass: HomeAssistant, entry: AnprConfigEntry, history: HistoryStore) -> None:
        """Bind to the hub and its history (thumbnails are stored beside it)."""
        self.hass = hass
        self.entry = entry
        self.history = history
        self.thumbnails = thumbnail_root(history)
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
    def async_on_sighting(self, camera: CameraCoordinator, update: SightingUpdate) -> None:
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
        if image is None or retention_days(self.entry) <= 0:
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


def loaded_hub(hass: HomeAssistant) -> AnprConfigEntry | None:
    """Return the loaded hub entry (single config entry), or None."""
    entries: list[AnprConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    return entries[0] if entries else None


def _read_file(path: Path, root: Path) -> bytes | None:
    """Return the file's bytes when it exists under ``root`` (executor), else None."""
    try:
        resolved = path.resolve()
        if root.resolve() not in resolved.parents:
            return None
        return resolved.read_bytes()
    except OSError:
        return None


class PictureView(HomeAssistantView):
    """``GET /api/anpr/picture/<id>/<kind>``: a sighting's thumbnail or saved picture.

    Only for logged-in users (``requires_auth``: a bearer token or a path signed with
    ``async_sign_path``). Unknown sightings or missing files answer :data:`PLACEHOLDER_SVG`.
    """

    url = "/api/anpr/picture/{sighting_id}/{kind}"
    name = "api:anpr:picture"
    requires_auth = True

    def __init__(self, hass: HomeAssistant) -> None:
        """Bind to Home Assistant."""
        self.hass = hass

    async def get(self, request: web.Request, sighting_id: str, kind: str) -> web.Response:
        """Serve the picture, or the placeholder."""
        if kind not in (KIND_THUMBNAIL, KIND_PICTURE) or not sighting_id.isdigit():
            return web.Response(status=404)
        entry = loaded_hub(self.hass)
        data: bytes | None = None
        if entry is not None and len(sighting_id) <= 18:
            try:
                row = await entry.runtime_data.history.async_get(int(sighting_id))
            except Exception as err:
                LOGGER.warning("Could not read a sighting for its picture: %s", err)
                row = None
            if row is not None:
                data = await self._async_file(entry, row, kind)
        if data is None:
            return web.Response(
                body=PLACEHOLDER_SVG,
                content_type="image/svg+xml",
                headers={"Cache-Control": "no-store"},
            )
        content_type = "image/jpeg"
        if data.startswith(b"\x89PNG"):
            content_type = "image/png"
        return web.Response(
            body=data,
            content_type=content_type,
            headers={"Cache-Control": "private, max-age=86400"},
        )

    async def _async_file(
        self, entry: AnprConfigEntry, row: SightingRow, kind: str
    ) -> bytes | None:
        if kind == KIND_THUMBNAIL:
            if row.thumb_path is None:
                return None
            return await self.hass.async_add_executor_job(
                _read_file, Path(row.thumb_path), thumbnail_root(entry.runtime_data.history)
            )
        if row.image_path is None:
            return None
        return await self.hass.async_add_executor_job(
            _read_file, Path(row.image_path), media_root(self.hass)
        )


def _module_hash() -> str:
    return hashlib.sha256(MODULE_FILE.read_bytes()).hexdigest()[:12]


async def async_setup_http(hass: HomeAssistant) -> None:
    """Register the picture view and the front-end module's static path (once per run)."""
    hass.http.register_view(PictureView(hass))
    await hass.http.async_register_static_paths(
        [StaticPathConfig(STATIC_URL, str(FRONTEND_DIR), True)]
    )


async def async_module_url(hass: HomeAssistant) -> str:
    """URL of the front-end module with its content hash (browsers reload a new build)."""
    digest = await hass.async_add_executor_job(_module_hash)
    return f"{STATIC_URL}/{MODULE_FILE.name}?v={digest}"


async def async_setup_ui(
    hass: HomeAssistant, entry: AnprConfigEntry, history: HistoryStore
) -> SightingFeed:
    """Start the feed and, when the frontend is loaded, the panel and the card module."""
    feed = SightingFeed(hass, entry, history)
    entry.async_on_unload(feed.async_close)
    if "frontend" not in hass.config.components:
        LOGGER.debug("The frontend is not loaded; no ANPR panel or card")
        return feed
    from homeassistant.components import frontend, panel_custom  # noqa: PLC0415

    url = await async_module_url(hass)
    frontend.add_extra_js_url(hass, url)
    entry.async_on_unload(lambda: frontend.remove_extra_js_url(hass, url))
    if entry.options.get(CONF_SHOW_PANEL, True):
        await panel_custom.async_register_panel(
            hass,
            frontend_url_path=PANEL_URL_PATH,
            webcomponent_name=PANEL_COMPONENT,
            sidebar_title="ANPR",
            sidebar_icon="mdi:car-search",
            module_url=url,
            embed_iframe=False,
            require_admin=False,
            config={"entry_id": entry.entry_id},
        )
        entry.async_on_unload(
            lambda: frontend.async_remove_panel(hass, PANEL_URL_PATH, warn_if_unknown=False)
        )
    return feed


def picture_path(sighting_id: int, kind: str) -> str:
    """Unsigned path of a sighting's picture (sign it before handing it to a browser)."""
    return PICTURE_URL.format(sighting_id=sighting_id, kind=kind)

