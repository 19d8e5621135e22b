"""``http_push`` source kind: one auto-detecting webhook per camera.

The camera pushes to ``<home assistant>/api/webhook/<id>``; :func:`detect_payload` recognises
generic/Milesight JSON (both key sets), the plate-in-query GET, FF/NumberOK multipart and
Hikvision "HTTP listening" multipart (PROTOCOLS.md §1.3, §4, §6). The handler answers as soon
as the reads are handed to the pipeline:

* 200 ``OK`` — at least one read delivered (or a NumberOK update merged into its vehicle);
* 400 with the reason — payload not understood (debug log: content type and key names only);
* 401 — the optional shared secret is missing or wrong;
* 413 — body over the camera's cap (default 20 MB).

Body size: Home Assistant's HTTP server caps ``request.read()`` at 16 MiB (``MAX_CLIENT_SIZE``)
and the webhook component turns that exception into a 200. This handler therefore never calls
``request.read()``: it streams ``request.content`` itself up to its own cap, so caps above
16 MiB work and oversize bodies get a real 413 (tests/test_http_push.py proves both).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
import hmac
from http import HTTPStatus
import secrets
import time
from typing import Any

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..const import DOMAIN, LOGGER
from ..protocols.numberok import CarStateMerger
from ..protocols.push_detect import UnknownPayload, detect_payload
from .base import AnprSource, SourceContext, SourceKind, ValidatedCamera, register

KIND = "http_push"
CONF_WEBHOOK_ID = "webhook_id"
CONF_LOCAL_ONLY = "local_only"
CONF_SECRET = "secret"
CONF_MAX_BODY_MB = "max_body_mb"

DEFAULT_MAX_BODY_MB = 20.0
#: Header and query parameter names accepted for the shared secret.
SECRET_HEADERS = ("X-ANPR-Secret", "X-Webhook-Secret")
SECRET_PARAMS = ("secret", "token")
_READ_CHUNK = 256 * 1024
#: Bodies up to this size are parsed in the event loop (well under a millisecond).
INLINE_MAX = 256 * 1024


def new_webhook_id() -> str:
    """Return a short random webhook id (16 hex characters, 64 bits of entropy)."""
    return f"anpr_{secrets.token_hex(8)}"


def webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """Return the full URL to paste in the camera (falls back to the path when HA has no URL)."""
    try:
        return webhook.async_generate_url(hass, webhook_id, prefer_external=False)
    except NoURLAvailableError:
        return webhook.async_generate_path(webhook_id)


def _schema(hass: HomeAssistant, defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(
                CONF_LOCAL_ONLY, default=defaults.get(CONF_LOCAL_ONLY, True)
            ): selector.BooleanSelector(),
            vol.Optional(CONF_SECRET, default=defaults.get(CONF_SECRET, "")): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
            ),
            vol.Required(
                CONF_MAX_BODY_MB, default=defaults.get(CONF_MAX_BODY_MB, DEFAULT_MAX_BODY_MB)
            ): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=1,
                    max=100,
                    step=1,
                    unit_of_measurement="MB",
                    mode=selector.NumberSelectorMode.BOX,
                )
            ),
        }
    )


def _prepare(hass: HomeAssistant, flow_data: dict[str, Any]) -> None:
    flow_data.setdefault(CONF_WEBHOOK_ID, new_webhook_id())


def _placeholders(hass: HomeAssistant, flow_data: Mapping[str, Any]) -> dict[str, str]:
    webhook_id = str(flow_data.get(CONF_WEBHOOK_ID) or "")
    return {
        "webhook_url": webhook_url(hass, webhook_id) if webhook_id else "",
        "webhook_id": webhook_id,
    }


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    # The flow's prepare step already chose one; kept for data that lacks it.
    data[CONF_WEBHOOK_ID] = data.get(CONF_WEBHOOK_ID) or new_webhook_id()
    data[CONF_SECRET] = str(data.get(CONF_SECRET) or "").strip()
    return ValidatedCamera(data=data, device={"model": "HTTP push"})


class HttpPushSource(AnprSource):
    """One camera's webhook: registered on start, unregistered on stop."""

    def __init__(self, ctx: SourceContext) -> None:
        """Read the camera's settings."""
        super().__init__(ctx)
        self.webhook_id = str(ctx.data[CONF_WEBHOOK_ID])
        self.local_only = bool(ctx.data.get(CONF_LOCAL_ONLY, True))
        self.secret = str(ctx.data.get(CONF_SECRET) or "")
        self.max_body = int(float(ctx.data.get(CONF_MAX_BODY_MB, DEFAULT_MAX_BODY_MB)) * 1_000_000)
        self.merger = CarStateMerger()
        self._registered = False
        self._warned: set[str] = set()
        self.counters: dict[str, int] = {
            "requests": 0,
            "reads": 0,
            "merged": 0,
            "rejected": 0,
            "too_large": 0,
            "unauthorized": 0,
        }
        self.last_format: str | None = None
        self.last_error: str | None = None
        self.last_handling_ms: float | None = None

    async def async_start(self) -> None:
        """Register the webhook (POST, PUT and GET; local network only unless configured)."""
        try:
            webhook.async_register(
                self.ctx.hass,
                DOMAIN,
                f"ANPR {self.ctx.name}",
                self.webhook_id,
                self._async_handle,
                local_only=self.local_only,
                allowed_methods=("POST", "PUT", "GET"),
            )
        except ValueError:
            LOGGER.error(
                "Camera %s: webhook id is already in use by another handler", self.ctx.name
            )
            return
        self._registered = True

    async def async_stop(self) -> None:
        """Unregister the webhook."""
        if self._registered:
            webhook.async_unregister(self.ctx.hass, self.webhook_id)
            self._registered = False

    @property
    def configuration_url(self) -> str | None:
        """The webhook URL to paste in the camera (http(s) URLs only)."""
        url = webhook_url(self.ctx.hass, self.webhook_id)
        return url if url.startswith(("http://", "https://")) else None

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Counters and the last detected format; never the secret or the webhook id."""
        return {
            "local_only": self.local_only,
            "secret_set": bool(self.secret),
            "max_body": self.max_body,
            "counters": dict(self.counters),
            "last_format": self.last_format,
            "last_error": self.last_error,
            "last_handling_ms": self.last_handling_ms,
            "tracked_vehicles": len(self.merger),
        }

    def _authorised(self, request: web.Request) -> bool:
        if not self.secret:
            return True
        offered: list[str] = [request.headers.get(name, "") for name in SECRET_HEADERS]
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            offered.append(auth[7:].strip())
        offered.extend(request.query.get(name, "") for name in SECRET_PARAMS)
        expected = self.secret.encode()
        return any(
            hmac.compare_digest(value.strip().encode(), expected) for value in offered if value
        )

    def _log_rejection(self, reason: str, request: web.Request, keys: list[str]) -> None:
        self.last_error = reason
        # One warning per distinct reason (a misconfigured camera must not flood the log).
        log = LOGGER.debug if reason in self._warned else LOGGER.warning
        if len(self._warned) < 64:
            self._warned.add(reason)
        log("Camera %s: ignored a %s push: %s", self.ctx.name, request.method, reason)
        LOGGER.debug(
            "Camera %s: rejected push content type %r, keys %s",
            self.ctx.name,
            request.headers.get("Content-Type"),
            keys[:50],
        )

    async def _read_body(self, request: web.Request) -> bytes | None:
        """Read the body up to the cap; None when it is larger."""
        declared = request.content_length
        if declared is not None and declared > self.max_body:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await request.content.read(_READ_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer one push: 200, 400 (unknown payload), 401 (secret) or 413 (too large).

        No exception leaves: anything unexpected (a parser bug, a client that hangs up while
        sending) is one warning and a 400, and the webhook keeps serving.
        """
        try:
            return await self._async_answer(hass, request)
        except (ConnectionError, TimeoutError, web.HTTPException) as err:
            self.counters["rejected"] += 1
            self._log_rejection(f"body not received ({type(err).__name__})", request, [])
            return web.Response(status=HTTPStatus.BAD_REQUEST, text="body not received\n")
        except Exception as err:  # a push must never break the webhook
            self.counters["rejected"] += 1
            LOGGER.debug("Camera %s: push handling failed", self.ctx.name, exc_info=True)
            self._log_rejection(f"could not be handled ({type(err).__name__})", request, [])
            return web.Response(status=HTTPStatus.BAD_REQUEST, text="payload not understood\n")

    async def _async_answer(self, hass: HomeAssistant, request: web.Request) -> web.Response:
        started = time.perf_counter()
        self.counters["requests"] += 1
        if not self._authorised(request):
            self.counters["unauthorized"] += 1
            self._log_rejection("missing or wrong shared secret", request, [])
            return web.Response(status=HTTPStatus.UNAUTHORIZED, text="unauthorized\n")
        body = await self._read_body(request)
        if body is None:
            self.counters["too_large"] += 1
            self._log_rejection(f"body over the {self.max_body} byte cap", request, [])
            return web.Response(
                status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                text=f"body over the {self.max_body} byte cap\n",
            )
        job = partial(
            detect_payload,
            request.method,
            request.headers.get("Content-Type"),
            body,
            request.rel_url.raw_query_string,
            tz=dt_util.get_default_time_zone(),
            max_body=self.max_body,
        )
        try:
            # Large bodies (base64 pictures, several MB) are decoded off the event loop.
            result = await hass.async_add_executor_job(job) if len(body) > INLINE_MAX else job()
        except UnknownPayload as err:
            self.counters["rejected"] += 1
            self._log_rejection(err.reason, request, err.keys)
            return web.Response(status=HTTPStatus.BAD_REQUEST, text=f"{err.reason}\n")
        self.last_format = result.format
        for note in result.notes:
            LOGGER.warning("Camera %s: %s", self.ctx.name, note)
        delivered = 0
        refused = 0
        delivered_or_merged = False
        for read in result.reads:
            dropped = read.extra.pop("dropped_images", None)
            if self.merger.feed(read) is None:
                self.counters["merged"] += 1
                delivered_or_merged = True
                continue
            read.source = KIND
            if not self.ctx.deliver(read):
                refused += 1
                continue
            delivered += 1
            delivered_or_merged = True
            if dropped and read.has_plate:
                LOGGER.warning(
                    "Camera %s: plate %s delivered without pictures it could not decode: %s",
                    self.ctx.name,
                    read.plate,
                    "; ".join(dropped)[:500],
                )
        self.counters["reads"] += delivered
        self.last_handling_ms = (time.perf_counter() - started) * 1000
        if refused and not delivered_or_merged:
            self.counters["rejected"] += 1
            self.last_error = "plate refused by validation"
            return web.Response(
                status=HTTPStatus.BAD_REQUEST, text="plate refused (see the Home Assistant log)\n"
            )
        return web.Response(status=HTTPStatus.OK, text="OK\n")


register(
    SourceKind(
        kind=KIND,
        factory=HttpPushSource,
        schema=_schema,
        validate=_validate,
        prepare=_prepare,
        placeholders=_placeholders,
        manufacturer="Generic",
        model="HTTP push (webhook)",
    )
)
