"""Webhooks of the kinds the camera pushes to (HTTP push, Hikvision "HTTP listening").

One place for what every pushed-to camera needs: a webhook id generated when the camera is added
(kept in the subentry data under Home Assistant's ``webhook_id`` key), the URL the user pastes
in the camera, registration with Home Assistant's ``webhook`` component, a handler guard that
turns anything unexpected into one log line and a 400 (a request must never break the webhook),
and a body read that never holds more than the camera's cap.

Body size: Home Assistant's HTTP server caps ``request.read()`` at 16 MiB and the webhook
component answers 200 when that cap is hit. :func:`read_body` therefore streams
``request.content`` itself, so caps above 16 MiB work and oversize bodies get a real 413.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from http import HTTPStatus
import secrets
from typing import Any

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError, get_url

from ..const import DOMAIN, LOGGER

#: Bytes asked from the request stream at a time.
READ_CHUNK = 256 * 1024

def new_webhook_id() -> str:
    """Return a new webhook id: ``anpr_`` and 16 hex characters (64 random bits)."""
    return f"anpr_{secrets.token_hex(8)}"


def prepare_webhook_id(hass: HomeAssistant, flow_data: dict[str, Any]) -> None:
    """Config-flow ``prepare``: give a new camera its webhook id before the form is shown."""
    flow_data.setdefault(CONF_WEBHOOK_ID, new_webhook_id())


def webhook_url(
    hass: HomeAssistant, webhook_id: str, *, allow_external: bool, fallback_base: str = ""
) -> str:
    """Return the URL the camera must send to (``<base>/api/webhook/<id>``).

    The base is Home Assistant's internal URL first; its external URL too when
    ``allow_external`` (never the cloud URL). When Home Assistant knows no URL for itself the
    base is ``fallback_base`` (e.g. a placeholder for the user to complete, or nothing: the path
    alone).
    """
    try:
        base = get_url(
            hass,
            allow_external=allow_external,
            allow_cloud=False,
            prefer_external=False,
        )
    except NoURLAvailableError:
        base = fallback_base
    return f"{base}{webhook.async_generate_path(webhook_id)}"


def webhook_placeholders(
    hass: HomeAssistant,
    flow_data: Mapping[str, Any],
    *,
    allow_external: bool,
    fallback_base: str = "",
) -> dict[str, str]:
    """Config-flow description placeholders ``webhook_url`` and ``webhook_id`` (empty if none)."""
    webhook_id = str(flow_data.get(CONF_WEBHOOK_ID) or "")
    url = (
        webhook_url(hass, webhook_id, allow_external=allow_external, fallback_base=fallback_base)
        if webhook_id
        else ""
    )
    return {"webhook_url": url, "webhook_id": webhook_id}


type Answer = Callable[[web.Request], Awaitable[web.Response]]
type Failed = Callable[[web.Request, str, bool], web.Response]


class CameraWebhook:
    """One camera's webhook in Home Assistant's ``webhook`` component.

    ``answer(request)`` answers one request. No exception leaves the handler: a body that never
    arrived (the sender hung up or timed out) calls ``failed(request, reason, False)``, anything
    unexpected (a parser bug, logged at debug level with its traceback) ``failed(request,
    reason, True)``; ``failed`` logs the reason and returns the 400 to send, and the webhook
    keeps serving. ``local_only`` refuses requests from outside the local network (Home
    Assistant checks it before the handler runs); ``allowed_methods`` are the HTTP methods
    accepted (others get 405).
    """

    def __init__(
        self,
        hass: HomeAssistant,
        camera: str,
        webhook_id: str,
        *,
        answer: Answer,
        failed: Failed,
        local_only: bool,
        allowed_methods: Iterable[str],
    ) -> None:
        """Keep the settings; nothing is registered before :meth:`register`."""
        self.hass = hass
        self.camera = camera
        self.webhook_id = webhook_id
        self._answer = answer
        self._failed = failed
        self.local_only = local_only
        self.allowed_methods = tuple(allowed_methods)
        self.registered = False

    def register(self) -> bool:
        """Register the webhook; False (and an error logged) when its id is already taken."""
        try:
            webhook.async_register(
                self.hass,
                DOMAIN,
                f"ANPR {self.camera}",
                self.webhook_id,
                self._async_handle,
                local_only=self.local_only,
                allowed_methods=self.allowed_methods,
            )
        except ValueError:
            LOGGER.error(
                "Camera %s: webhook id is already in use by another handler", self.camera
            )
            return False
        self.registered = True
        return True

    def unregister(self) -> None:
        """Remove the webhook (nothing when it was not registered)."""
        if self.registered:
            webhook.async_unregister(self.hass, self.webhook_id)
            self.registered = False

    async def _async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        try:
            return await self._answer(request)
        except (ConnectionError, TimeoutError, web.HTTPException) as err:
            return self._failed(request, f"body not received ({type(err).__name__})", False)
        except Exception as err:  # a request must never break the webhook
            LOGGER.debug("Camera %s: webhook handling failed", self.camera, exc_info=True)
            return self._failed(request, f"could not be handled ({type(err).__name__})", True)


class BodyTooLarge(Exception):
    """The request body is larger than the camera's cap (declared or counted while reading)."""

    def __init__(self, cap: int) -> None:
        """Keep the cap in bytes."""
        super().__init__(f"body over the {cap} byte cap")
        self.cap = cap

    def response(self) -> web.Response:
        """Return the 413 answer with the reason; the connection closes (the body is unread)."""
        return web.Response(
            status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            text=f"{self}\n",
            headers={"Connection": "close"},
        )


async def read_body(request: web.Request, cap: int) -> bytes:
    """Read the whole request body, at most ``cap`` bytes.

    Raises :class:`BodyTooLarge` as soon as the declared ``Content-Length`` or the bytes
    received exceed ``cap`` (a chunked body is counted as it arrives; nothing above the cap is
    kept). A sender that hangs up raises what aiohttp raises (``ConnectionError``,
    ``TimeoutError``, ``web.HTTPException``): :class:`CameraWebhook` handles those.
    """
    declared = request.content_length
    if declared is not None and declared > cap:
        raise BodyTooLarge(cap)
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(READ_CHUNK):
        size += len(chunk)
        if size > cap:
            raise BodyTooLarge(cap)
        chunks.append(chunk)
    return b"".join(chunks)
