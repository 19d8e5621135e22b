"""The integration's own user interface: pictures, the panel and the card (feed.py: live rows).

* :class:`PictureView` serves ``/api/anpr/picture/<id>/<thumbnail|picture>`` to logged-in users
  only (``requires_auth``; ``<img>`` tags use the paths signed by the websocket API with
  ``async_sign_path``); a missing file answers a placeholder picture, never an error page.
* The sidebar panel (``panel_custom`` web component ``anpr-panel``) and the dashboard card
  (``custom:anpr-sightings-card``, loaded on every dashboard with ``add_extra_js_url``) come
  from one ES module, ``frontend/anpr-panel.js``, served at :func:`async_module_url`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from homeassistant.components.http import StaticPathConfig
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView

from .const import CONF_SHOW_PANEL, DOMAIN, LOGGER
from .core.history import SightingRow
from .media import media_root, thumbnail_root

if TYPE_CHECKING:
    from .runtime import AnprConfigEntry

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


async def async_setup_panel(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Serve the card module on every dashboard and register the panel (hub option).

    Nothing when the frontend is not loaded. Both are removed when the hub unloads.
    """
    if "frontend" not in hass.config.components:
        LOGGER.debug("The frontend is not loaded; no ANPR panel or card")
        return
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


def picture_path(sighting_id: int, kind: str) -> str:
    """Unsigned path of a sighting's picture (sign it before handing it to a browser)."""
    return PICTURE_URL.format(sighting_id=sighting_id, kind=kind)

