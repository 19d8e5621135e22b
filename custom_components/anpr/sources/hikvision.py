"""Hikvision ISAPI cameras: alertStream arming or HTTP-listening webhook, MNPR, catch-up.

Two delivery modes (``docs/protocols.md``, "Hikvision ISAPI"):

* ``arming`` ("alertStream (arming)"): we hold ``GET /ISAPI/Event/notification/alertStream``
  open (digest auth, Basic fallback) with the shared stream loop of ``event_stream.py``:
  incremental multipart parsing, any bytes count as liveness (read timeout), reconnection with
  exponential back-off and jitter. After every (re)connection we catch up through the plate log
  ("Plate log (catch-up)": ``picName`` cursor persisted, each read delivered exactly once; at
  most CATCH_UP_MAX_READS reads younger than CATCH_UP_MAX_AGE).
* ``listening`` ("HTTP listening"): the camera POSTs to a Home Assistant webhook (local only,
  ``webhook.py``); the flow shows its URL and can write it into
  ``/ISAPI/Event/notification/httpHosts``. Liveness comes from polling
  ``/ISAPI/System/deviceInfo`` (listening mode has no heartbeat); when the camera or Home
  Assistant comes back, missed reads are caught up from the plate log the same way.

The ``Read plate`` button calls ``/ISAPI/Traffic/MNPR/channels/<ch>`` (GET, PUT fallback;
"Manual trigger (MNPR)").
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from datetime import tzinfo
from typing import Any, Final
from urllib.parse import urlsplit

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_MODE, CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import selector
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..const import DOMAIN, LOGGER
from ..protocols.hikvision.assembler import HikvisionEventAssembler
from ..protocols.hikvision.client import (
    IsapiAuthError,
    IsapiClient,
    IsapiConnectionError,
    IsapiError,
)
from ..protocols.hikvision.documents import HikvisionError, parse_time
from ..protocols.hikvision.plate_log import CatchUpTracker, PlateLogEntry
from ..protocols.models import ImageRole, PlateRead, ReadImage
from ..protocols.multipart import MultipartError, Part, parse_multipart
from .base import (
    SourceAuthError,
    SourceContext,
    SourceKind,
    SourceValidationError,
    ValidatedCamera,
    register,
)
from .connection import (
    connection_fields,
    credentials,
    device_details,
    http_base_url,
    http_session,
    required_host,
)
from .event_stream import EventAssembler, EventStreamSource, OpenStream, StreamTimings
from .webhook import (
    BodyTooLarge,
    CameraWebhook,
    new_webhook_id,
    prepare_webhook_id,
    read_body,
    webhook_placeholders,
    webhook_url as camera_webhook_url,
)

KIND: Final = "hikvision"

CONF_CHANNEL: Final = "channel"
CONF_CONFIGURE_HTTP_HOST: Final = "configure_http_host"
CONF_CATCH_UP: Final = "catch_up"

MODE_ARMING: Final = "arming"
MODE_LISTENING: Final = "listening"
MODES: Final = [MODE_ARMING, MODE_LISTENING]

#: Shown in the webhook URL when Home Assistant knows no local URL for itself.
URL_PLACEHOLDER: Final = "http://<home-assistant-ip>:8123"

# Tunables (module constants so tests can shorten them; read when a camera starts or a request
# arrives).
READ_TIMEOUT: float = 60.0  # s without any byte before the stream counts as dead
CONNECT_TIMEOUT: float = 10.0
BACKOFF_MIN: float = 1.0
BACKOFF_MAX: float = 60.0
QUIET_RECONNECT_AFTER: float = 30.0  # s a stream must have run to be re-armed without a blip
PICTURE_WAIT: float = 2.0  # s to wait for announced pictures before delivering without them
POLL_INTERVAL: float = 60.0  # listening mode: deviceInfo liveness poll
MAX_PART_SIZE: int = 8 * 1024 * 1024
MAX_WEBHOOK_BODY: int = 16 * 1024 * 1024
FETCH_CATCH_UP_PICTURES: bool = True
CATCH_UP_MAX_AGE: float = 24 * 3600.0  # s; older plate-log reads are not delivered
CATCH_UP_MAX_READS: int = 500  # newest N delivered after one reconnection


def _client(hass: HomeAssistant, data: Mapping[str, Any]) -> IsapiClient:
    username, password = credentials(data)
    return IsapiClient(
        http_session(hass, data), http_base_url(data), username, password, timeout=CONNECT_TIMEOUT
    )


class HikvisionSource(EventStreamSource):
    """A running Hikvision camera (see the module docstring)."""

    stream_name = "alertStream"
    part_name = "an alertStream part"
    auth_errors = (IsapiAuthError,)
    part_errors = (HikvisionError,)
    stream_errors = (IsapiConnectionError, IsapiError)

    def __init__(self, ctx: SourceContext) -> None:
        """Read the camera settings; nothing starts before :meth:`async_start`."""
        super().__init__(
            ctx,
            StreamTimings(
                backoff_min=BACKOFF_MIN,
                backoff_max=BACKOFF_MAX,
                quiet_reconnect_after=QUIET_RECONNECT_AFTER,
                picture_wait=PICTURE_WAIT,
                max_part_size=MAX_PART_SIZE,
            ),
        )
        data = ctx.data
        self.mode = str(data.get(CONF_MODE, MODE_ARMING))
        self.channel = int(data.get(CONF_CHANNEL, 1) or 1)
        self.catch_up_enabled = bool(data.get(CONF_CATCH_UP, True))
        self.client = _client(ctx.hass, data)
        self._webhook: CameraWebhook | None = None
        self._store = ctx.store("catch_up")
        self._tracker: CatchUpTracker | None = None
        self._tz: tzinfo = dt_util.get_default_time_zone()
        self._catch_up_lock = asyncio.Lock()
        self.counters.update(catch_up_reads=0, webhook_posts=0, triggers=0, duplicates=0)

    # -- lifecycle --------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Start the stream task (arming) or register the webhook (listening)."""
        self._stopping = False
        if self.mode != MODE_LISTENING:
            self.tasks.spawn(self._async_run_stream(), self.stream_name)
            return
        if webhook_id := str(self.ctx.data.get(CONF_WEBHOOK_ID) or ""):
            self._webhook = CameraWebhook(
                self.ctx.hass,
                self.ctx.name,
                webhook_id,
                answer=self._async_answer_webhook,
                failed=self._webhook_failed,
                local_only=True,
                allowed_methods=("POST", "PUT"),
            )
            self._webhook.register()
        self.tasks.spawn(self._async_poll_liveness(), "liveness")

    async def async_stop(self) -> None:
        """Cancel every task, drop the connection, unregister the webhook, save the cursor."""
        self._stopping = True
        if self._webhook is not None:
            self._webhook.unregister()
            self._webhook = None
        await super().async_stop()
        if self._tracker is not None:
            await self._store.async_save(self._tracker.as_dict())

    # -- delivery ---------------------------------------------------------------------------

    @callback
    def _deliver(self, read: PlateRead, *, live: bool = True) -> bool:
        """Deliver one read; False when validation refused it (a duplicate counts as taken)."""
        if live and self._tracker is not None and self._tracker.caught_up_already(read):
            self.counters["duplicates"] += 1
            return True
        self.counters["reads"] += 1
        if live and self._tracker is not None:
            self._tracker.note_live(read)
            self._store.async_delay_save(self._tracker.as_dict, 2.0)
        return self.ctx.deliver(read)

    # -- arming mode ------------------------------------------------------------------------

    async def _async_load_tracker(self) -> CatchUpTracker:
        if self._tracker is None:
            stored = await self._store.async_load() or {}
            self._tracker = CatchUpTracker(
                stored.get("cursor"), stored.get("recent", []), tz=self._tz
            )
        return self._tracker

    async def _async_run_stream(self) -> None:
        await self._async_load_tracker()
        await super()._async_run_stream()

    def _open_stream(self) -> AbstractAsyncContextManager[OpenStream]:
        return self.client.alert_stream(READ_TIMEOUT)

    def _new_assembler(self) -> EventAssembler:
        return HikvisionEventAssembler(tz=self._tz)

    def _stream_opened(self) -> None:
        """Catch up through the plate log after every (re)connection."""
        if self.catch_up_enabled and self._tracker is not None:
            self.tasks.spawn(self._async_catch_up(self._tracker), "catch-up")

    async def _async_camera_tz(self) -> None:
        try:
            local = await self.client.local_time()
        except IsapiError:
            return
        if local is not None and local.tzinfo is not None:
            self._tz = local.tzinfo
            if self._tracker is not None:
                self._tracker.tz = local.tzinfo

    async def _async_catch_up(self, tracker: CatchUpTracker) -> None:
        """Deliver plate-log reads missed while disconnected (exactly once)."""
        async with self._catch_up_lock:
            await self._async_camera_tz()
            first = tracker.cursor is None
            cursor = tracker.start(dt_util.utcnow())
            try:
                entries = await self.client.plates_after(self.channel, cursor)
            except IsapiError as err:
                LOGGER.debug("Camera %s: plate log unavailable (%s)", self.ctx.name, err)
                await self._store.async_save(tracker.as_dict())
                return
            if first:
                tracker.skip(entries)  # the first connection only sets the cursor
                missed = []
            else:
                missed = tracker.select(entries)
            missed = self._recent_enough(missed)
            for entry in missed:
                read = await self._async_catch_up_read(entry)
                self.counters["catch_up_reads"] += 1
                self._deliver(read, live=False)
            if missed:
                LOGGER.info(
                    "Camera %s: %d plate read(s) missed while disconnected were caught up",
                    self.ctx.name,
                    len(missed),
                )
            await self._store.async_save(tracker.as_dict())

    def _recent_enough(self, entries: list[PlateLogEntry]) -> list[PlateLogEntry]:
        """Drop log entries older than CATCH_UP_MAX_AGE and keep at most CATCH_UP_MAX_READS.

        Reads from days ago must not fire today's automations (a gate opening for a car that
        left long ago); the skipped ones are counted in one log line.
        """
        limit = dt_util.utcnow().timestamp() - CATCH_UP_MAX_AGE
        kept: list[PlateLogEntry] = []
        for entry in entries:
            read_time = parse_time(entry.capture_time, self._tz) or parse_time(
                entry.pic_name, self._tz
            )
            if read_time is None or read_time.timestamp() >= limit:
                kept.append(entry)
        kept = kept[-CATCH_UP_MAX_READS:]
        if len(kept) < len(entries):
            LOGGER.warning(
                "Camera %s: %d plate read(s) from the plate log were too old or too many to "
                "deliver after the reconnection",
                self.ctx.name,
                len(entries) - len(kept),
            )
        return kept

    async def _async_catch_up_read(self, entry: PlateLogEntry) -> PlateRead:
        read = entry.to_read(tz=self._tz)
        if FETCH_CATCH_UP_PICTURES:
            try:
                picture = await self.client.plate_picture(entry.pic_name)
            except IsapiError:
                picture = None
            if picture:
                read.images.append(
                    ReadImage(data=picture, role=ImageRole.FULL, name=f"{entry.pic_name}.jpg")
                )
        return read

    # -- listening mode ---------------------------------------------------------------------

    async def _async_poll_liveness(self) -> None:
        """Poll deviceInfo for availability (listening mode); catch up on (re)connection.

        POSTs the camera made while it or Home Assistant was unreachable are lost otherwise.
        """
        tracker = await self._async_load_tracker()
        reachable = False
        while not self._stopping:
            try:
                await self.client.device_info()
            except IsapiAuthError:
                self.ctx.set_connected(False)
                self.ctx.request_reauth()
                return
            except IsapiError as err:
                self.last_error = str(err)
                reachable = False
                self.ctx.set_connected(False)
            else:
                self.ctx.set_connected(True)
                if not reachable and self.catch_up_enabled:
                    self.tasks.spawn(self._async_catch_up(tracker), "catch-up")
                reachable = True
            await asyncio.sleep(POLL_INTERVAL)

    @callback
    def _webhook_failed(self, request: web.Request, reason: str, received: bool) -> web.Response:
        """Answer a request that could not be handled: one warning and a 400."""
        self._log_bad("a webhook request", reason)
        return web.Response(status=400, headers={"Connection": "close"})

    async def _async_answer_webhook(self, request: web.Request) -> web.Response:
        """Receive one HTTP-listening POST; answer quickly.

        200 when a read was taken, 400 for a body that holds none, 413 over the size cap
        (``docs/protocols.md``, "Hikvision ISAPI" / "HTTP listening").
        """
        self.counters["webhook_posts"] += 1
        try:
            body = await read_body(request, MAX_WEBHOOK_BODY)
        except BodyTooLarge as err:
            self._log_bad("a webhook request", err)
            return err.response()
        content_type = request.headers.get("Content-Type", "")
        try:
            if "multipart/" in content_type.lower():
                parts = parse_multipart(body, content_type, MAX_PART_SIZE)
            else:
                parts = [Part(headers={"content-type": content_type}, body=body, size=len(body))]
        except MultipartError as err:
            self._log_bad("a webhook request", err)
            return web.Response(status=400, headers={"Connection": "close"})
        reads, errors = HikvisionEventAssembler(hold_unannounced=True, tz=self._tz).add_all(
            parts
        )
        for error in errors:
            self._log_bad("a webhook part", error)
        taken = [self._deliver(read) for read in reads]
        self.ctx.set_connected(True)
        status = 400 if (errors and not reads) or (reads and not any(taken)) else 200
        return web.Response(status=status, headers={"Connection": "close"})

    # -- trigger and diagnostics ------------------------------------------------------------

    async def async_trigger(self) -> None:
        """Manual plate recognition (MNPR); the answer is processed like a pushed read."""
        self.counters["triggers"] += 1
        try:
            content_type, body = await self.client.trigger_mnpr(self.channel)
            parts = parse_multipart(body, content_type or "multipart/form-data", MAX_PART_SIZE)
        except IsapiAuthError as err:
            self.ctx.request_reauth()
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="hikvision_trigger_failed",
                translation_placeholders={"camera": self.ctx.name, "error": "invalid_auth"},
            ) from err
        except (IsapiError, MultipartError) as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="hikvision_trigger_failed",
                translation_placeholders={"camera": self.ctx.name, "error": str(err)},
            ) from err
        reads, errors = HikvisionEventAssembler(hold_unannounced=True, tz=self._tz).add_all(
            parts
        )
        for error in errors:
            self._log_bad("an MNPR answer part", error)
        for read in reads:
            read.extra["trigger"] = True
            self._deliver(read)
        if not reads:
            LOGGER.info("Camera %s: manual recognition found no plate", self.ctx.name)

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Counters, mode, auth scheme, cursor; never credentials or plates."""
        return {
            "mode": self.mode,
            "channel": self.channel,
            "auth_scheme": self.client.auth_scheme,
            "counters": dict(self.counters),
            "last_error": self.last_error,
            "catch_up_cursor": self._tracker.cursor if self._tracker else None,
            "parser": self._parser_stats(),
        }

    @property
    def configuration_url(self) -> str | None:
        """The camera's web UI."""
        return http_base_url(self.ctx.data)


# --- Config flow glue -----------------------------------------------------------------------


def webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """Return the local URL the camera must POST to (``/api/webhook/<id>``).

    Local only (the webhook refuses other networks); a placeholder host when Home Assistant
    knows no local URL for itself.
    """
    return camera_webhook_url(
        hass, webhook_id, allow_external=False, fallback_base=URL_PLACEHOLDER
    )


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    """Fields of the Hikvision form (common fields are added by the flow)."""
    return vol.Schema(
        {
            **connection_fields(default_port=80, tls=True),
            vol.Required(CONF_CHANNEL, default=1): vol.All(
                selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=1, max=512, step=1, mode=selector.NumberSelectorMode.BOX
                    )
                ),
                vol.Coerce(int),
            ),
            vol.Required(CONF_MODE, default=MODE_ARMING): selector.SelectSelector(
                selector.SelectSelectorConfig(options=MODES, translation_key="hikvision_mode")
            ),
            vol.Required(CONF_CONFIGURE_HTTP_HOST, default=False): selector.BooleanSelector(),
            vol.Required(CONF_CATCH_UP, default=True): selector.BooleanSelector(),
        }
    )


def _placeholders(hass: HomeAssistant, flow_data: Mapping[str, Any]) -> dict[str, str]:
    return webhook_placeholders(
        hass, flow_data, allow_external=False, fallback_base=URL_PLACEHOLDER
    )


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    """Test-before-configure: read ``deviceInfo``; optionally configure httpHosts."""
    required_host(data)
    client = _client(hass, data)
    try:
        info = await client.device_info()
    except IsapiAuthError as err:
        raise SourceAuthError(CONF_PASSWORD) from err
    except IsapiConnectionError as err:
        raise SourceValidationError("cannot_connect") from err
    except IsapiError as err:
        raise SourceValidationError("not_hikvision") from err
    data = dict(data)
    data.setdefault(CONF_WEBHOOK_ID, new_webhook_id())
    if data.get(CONF_MODE) == MODE_LISTENING and data.get(CONF_CONFIGURE_HTTP_HOST):
        try:
            base = get_url(hass, allow_external=False, allow_cloud=False, allow_ip=True)
        except NoURLAvailableError as err:
            raise SourceValidationError("no_local_url") from err
        parts = urlsplit(base)
        try:
            await client.set_http_host(
                url_path=webhook.async_generate_path(data[CONF_WEBHOOK_ID]),
                host=parts.hostname or "",
                port=parts.port or (443 if parts.scheme == "https" else 80),
                https=parts.scheme == "https",
            )
        except IsapiError as err:
            raise SourceValidationError("http_host_failed") from err
    return ValidatedCamera(
        data=data,
        unique_id=info.serial or info.mac or None,
        device=device_details(
            manufacturer="Hikvision",
            model=info.model or "ANPR camera",
            serial_number=info.serial,
            sw_version=info.firmware,
            mac=info.mac,
            configuration_url=http_base_url(data),
        ),
    )


register(
    SourceKind(
        kind=KIND,
        factory=HikvisionSource,
        schema=_schema,
        validate=_validate,
        prepare=prepare_webhook_id,
        placeholders=_placeholders,
        is_stream=True,
        supports_trigger=True,
        auth_fields=(CONF_USERNAME, CONF_PASSWORD),
        manufacturer="Hikvision",
        model="ISAPI ANPR camera",
    )
)

__all__ = ["KIND", "HikvisionSource", "webhook_url"]
