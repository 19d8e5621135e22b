"""``http_push`` source kind: one auto-detecting webhook per camera.

The camera pushes to ``<home assistant>/api/webhook/<id>``; :func:`detect_payload` recognises
generic/Milesight JSON (both key sets), the plate-in-query GET, FF/NumberOK multipart and
Hikvision "HTTP listening" multipart (``docs/protocols.md``, "LPR JSON webhooks (Milesight and
generic)", "Plate in the query string", "NumberOK / FF Group JSON over HTTP" and "Hikvision
ISAPI" / "HTTP listening"). The handler answers as soon as the reads are handed to the pipeline:

* 200 ``OK`` — at least one read delivered (or a NumberOK update merged into its vehicle);
* 400 with the reason — payload not understood (debug log: content type and key names only);
* 401 — the optional shared secret is missing or wrong;
* 413 — body over the camera's cap (default 20 MB; read by ``webhook.read_body``, which works
  above Home Assistant's own 16 MiB request cap).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
import hmac
from http import HTTPStatus
import time
from typing import Any

from aiohttp import web
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..const import LOGGER
from ..protocols.numberok import CarStateMerger
from ..protocols.push_detect import UnknownPayload, detect_payload
from .base import AnprSource, SourceContext, SourceKind, ValidatedCamera, register
from .connection import password_selector
from .webhook import (
    BodyTooLarge,
    CameraWebhook,
    new_webhook_id,
    prepare_webhook_id,
    read_body,
    webhook_placeholders,
    webhook_url,
)

KIND = "http_push"
CONF_LOCAL_ONLY = "local_only"
CONF_SECRET = "secret"
CONF_MAX_BODY_MB = "max_body_mb"

DEFAULT_MAX_BODY_MB = 20.0
#: Header and query parameter names accepted for the shared secret.
SECRET_HEADERS = ("X-ANPR-Secret", "X-Webhook-Secret")
SECRET_PARAMS = ("secret", "token")
#: Bodies up to this size are parsed in the event loop (well under a millisecond).
INLINE_MAX = 256 * 1024


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_LOCAL_ONLY, default=True): selector.BooleanSelector(),
            vol.Optional(CONF_SECRET, default=""): password_selector(),
            vol.Required(CONF_MAX_BODY_MB, default=DEFAULT_MAX_BODY_MB): selector.NumberSelector(
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


def _placeholders(hass: HomeAssistant, flow_data: Mapping[str, Any]) -> dict[str, str]:
    """Show the URL to paste in the camera (the path alone if Home Assistant knows no URL)."""
    return webhook_placeholders(hass, flow_data, allow_external=True)


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
        self._webhook = CameraWebhook(
            ctx.hass,
            ctx.name,
            self.webhook_id,
            answer=self._async_answer,
            failed=self._failed,
            local_only=self.local_only,
            allowed_methods=("POST", "PUT", "GET"),
        )
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
        self._webhook.register()

    async def async_stop(self) -> None:
        """Unregister the webhook."""
        self._webhook.unregister()

    @property
    def configuration_url(self) -> str | None:
        """The webhook URL to paste in the camera (http(s) URLs only)."""
        url = webhook_url(self.ctx.hass, self.webhook_id, allow_external=True)
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

    @callback
    def _failed(self, request: web.Request, reason: str, received: bool) -> web.Response:
        """Answer a push that could not be handled: one warning and a 400."""
        self.counters["rejected"] += 1
        self._log_rejection(reason, request, [])
        text = "payload not understood\n" if received else "body not received\n"
        return web.Response(status=HTTPStatus.BAD_REQUEST, text=text)

    async def _async_answer(self, request: web.Request) -> web.Response:
        """Answer one push: 200, 400 (unknown payload), 401 (secret) or 413 (too large)."""
        hass = self.ctx.hass
        started = time.perf_counter()
        self.counters["requests"] += 1
        if not self._authorised(request):
            self.counters["unauthorized"] += 1
            self._log_rejection("missing or wrong shared secret", request, [])
            return web.Response(status=HTTPStatus.UNAUTHORIZED, text="unauthorized\n")
        try:
            body = await read_body(request, self.max_body)
        except BodyTooLarge as err:
            self.counters["too_large"] += 1
            self._log_rejection(str(err), request, [])
            return err.response()
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
        prepare=prepare_webhook_id,
        placeholders=_placeholders,
        manufacturer="Generic",
        model="HTTP push (webhook)",
    )
)
