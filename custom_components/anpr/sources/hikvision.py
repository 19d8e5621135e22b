"""Hikvision ISAPI cameras: alertStream arming or HTTP-listening webhook, MNPR, catch-up.

Two delivery modes (PROTOCOLS.md §1):

* ``arming``: we hold ``GET /ISAPI/Event/notification/alertStream`` open (digest auth, Basic
  fallback), parse the multipart stream incrementally, treat any bytes as liveness (read
  timeout), reconnect with exponential back-off and jitter, and after every (re)connection catch
  up through the plate log (``picName`` cursor persisted, each read delivered exactly once; at
  most CATCH_UP_MAX_READS reads younger than CATCH_UP_MAX_AGE).
* ``listening``: the camera POSTs to a Home Assistant webhook (local only); the flow shows its
  URL and can write it into ``/ISAPI/Event/notification/httpHosts``. Liveness comes from polling
  ``/ISAPI/System/deviceInfo`` (listening mode has no heartbeat); when the camera or Home
  Assistant comes back, missed reads are caught up from the plate log the same way.

The ``Read plate`` button calls ``/ISAPI/Traffic/MNPR/channels/<ch>`` (GET, PUT fallback).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict
from datetime import tzinfo
import secrets
from typing import Any, Final
from urllib.parse import urlsplit

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import selector
from homeassistant.helpers.httpx_client import get_async_client
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
from ..protocols.multipart import (
    MultipartError,
    MultipartStreamParser,
    Part,
    boundary_from_content_type,
    parse_multipart,
)
from .base import (
    AnprSource,
    Backoff,
    SourceAuthError,
    SourceContext,
    SourceKind,
    SourceValidationError,
    ValidatedCamera,
    register,
)

KIND: Final = "hikvision"

CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_SSL: Final = "ssl"
CONF_VERIFY_SSL: Final = "verify_ssl"
CONF_USERNAME: Final = "username"
CONF_PASSWORD: Final = "password"
CONF_CHANNEL: Final = "channel"
CONF_MODE: Final = "mode"
CONF_CONFIGURE_HTTP_HOST: Final = "configure_http_host"
CONF_CATCH_UP: Final = "catch_up"
CONF_WEBHOOK_ID: Final = "webhook_id"

MODE_ARMING: Final = "arming"
MODE_LISTENING: Final = "listening"
MODES: Final = [MODE_ARMING, MODE_LISTENING]

# Tunables (module constants so tests can shorten them).
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


def _base_url(data: Mapping[str, Any]) -> str:
    scheme = "https" if data.get(CONF_SSL) else "http"
    host = str(data[CONF_HOST]).strip()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{int(data.get(CONF_PORT) or (443 if data.get(CONF_SSL) else 80))}"


def _client(hass: HomeAssistant, data: Mapping[str, Any]) -> IsapiClient:
    session = get_async_client(hass, verify_ssl=bool(data.get(CONF_VERIFY_SSL, True)))
    return IsapiClient(
        session,
        _base_url(data),
        str(data.get(CONF_USERNAME, "")),
        str(data.get(CONF_PASSWORD, "")),
        timeout=CONNECT_TIMEOUT,
    )


def webhook_url(hass: HomeAssistant, webhook_id: str) -> str:
    """Return the local URL the camera must POST to (``/api/webhook/<id>``)."""
    try:
        base = get_url(hass, allow_external=False, allow_cloud=False, prefer_external=False)
    except NoURLAvailableError:
        base = "http://<home-assistant-ip>:8123"
    return f"{base}{webhook.async_generate_path(webhook_id)}"


class HikvisionSource(AnprSource):
    """A running Hikvision camera (see the module docstring)."""

    def __init__(self, ctx: SourceContext) -> None:
        """Read the camera settings; nothing starts before :meth:`async_start`."""
        super().__init__(ctx)
        data = ctx.data
        self.mode = str(data.get(CONF_MODE, MODE_ARMING))
        self.channel = int(data.get(CONF_CHANNEL, 1) or 1)
        self.catch_up_enabled = bool(data.get(CONF_CATCH_UP, True))
        self.client = _client(ctx.hass, data)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_bytes = 0.0
        self._assembler: HikvisionEventAssembler | None = None
        self._webhook_id: str | None = None
        self._store = ctx.store("catch_up")
        self._tracker: CatchUpTracker | None = None
        self._tz: tzinfo = dt_util.get_default_time_zone()
        self._stopping = False
        self._backoff = Backoff(BACKOFF_MIN, BACKOFF_MAX)
        self._connected_at: float | None = None
        self._catch_up_lock = asyncio.Lock()
        self.counters: dict[str, int] = {
            "reads": 0,
            "connects": 0,
            "disconnects": 0,
            "bad_parts": 0,
            "catch_up_reads": 0,
            "webhook_posts": 0,
            "triggers": 0,
            "duplicates": 0,
        }
        self.last_error: str | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Start the stream task (arming) or register the webhook (listening)."""
        self._stopping = False
        if self.mode == MODE_LISTENING:
            self._webhook_id = str(self.ctx.data.get(CONF_WEBHOOK_ID) or "")
            if self._webhook_id:
                webhook.async_register(
                    self.ctx.hass,
                    DOMAIN,
                    f"ANPR {self.ctx.name}",
                    self._webhook_id,
                    self._async_handle_webhook,
                    local_only=True,
                    allowed_methods=["POST", "PUT"],
                )
            self._spawn(self._async_poll_liveness(), "liveness")
        else:
            self._spawn(self._async_run_stream(), "alertStream")

    async def async_stop(self) -> None:
        """Cancel every task, drop the connection, unregister the webhook, save the cursor."""
        self._stopping = True
        if self._webhook_id:
            webhook.async_unregister(self.ctx.hass, self._webhook_id)
            self._webhook_id = None
        self._cancel_flush()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()
        if self._tracker is not None:
            await self._store.async_save(self._tracker.as_dict())

    def _spawn(self, coro: Any, name: str) -> None:
        task: asyncio.Task[Any] = self.ctx.create_task(coro, name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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

    @callback
    def _log_bad(self, what: str, err: Exception | str) -> None:
        self.counters["bad_parts"] += 1
        LOGGER.warning("Camera %s: skipped %s: %s", self.ctx.name, what, err)

    @callback
    def _handle_parts(self, parts: list[Part]) -> None:
        assembler = self._assembler
        if assembler is None:
            return
        for part in parts:
            try:
                reads = assembler.add(part)
            except HikvisionError as err:
                self._log_bad("an alertStream part", err)
                continue
            for read in reads:
                self._deliver(read)
        self._last_bytes = self.ctx.hass.loop.time()
        if assembler.has_pending:
            if self._flush_handle is None:
                self._flush_handle = self.ctx.hass.loop.call_later(
                    PICTURE_WAIT, self._flush_pending
                )
        else:
            self._cancel_flush()

    @callback
    def _flush_pending(self) -> None:
        """Deliver a read whose pictures stopped coming (PICTURE_WAIT without any bytes)."""
        self._flush_handle = None
        idle = self.ctx.hass.loop.time() - self._last_bytes
        if idle < PICTURE_WAIT:
            self._flush_handle = self.ctx.hass.loop.call_later(
                PICTURE_WAIT - idle, self._flush_pending
            )
            return
        if self._assembler is not None:
            for read in self._assembler.flush():
                self._deliver(read)

    def _cancel_flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None

    # -- arming mode ------------------------------------------------------------------------

    async def _async_load_tracker(self) -> CatchUpTracker:
        if self._tracker is None:
            stored = await self._store.async_load() or {}
            self._tracker = CatchUpTracker(
                stored.get("cursor"), stored.get("recent", []), tz=self._tz
            )
        return self._tracker

    async def _async_run_stream(self) -> None:
        tracker = await self._async_load_tracker()
        while not self._stopping:
            self._connected_at = None
            try:
                await self._async_stream_once(tracker)
                reason = "stream closed by the camera"
            except IsapiAuthError:
                self.ctx.set_connected(False)
                self.last_error = "credentials refused"
                self.ctx.request_reauth()
                return
            except (IsapiConnectionError, IsapiError, MultipartError) as err:
                reason = str(err)
            finally:
                self._cancel_flush()
                if self._assembler is not None:
                    # Reads whose XML arrived before the cut are delivered, pictures or not.
                    for read in self._assembler.flush():
                        self._deliver(read)
                    self._assembler = None
            self.last_error = reason
            self.counters["disconnects"] += 1
            LOGGER.debug("Camera %s: alertStream ended (%s)", self.ctx.name, reason)
            connected_for = (
                self.ctx.hass.loop.time() - self._connected_at if self._connected_at else 0.0
            )
            if connected_for >= QUIET_RECONNECT_AFTER:
                # A stream that ran for a while (e.g. read timeout on a camera that sends no
                # heartbeats): re-arm at once and stay available unless that fails.
                continue
            self.ctx.set_connected(False)
            await asyncio.sleep(self._backoff.next_delay())

    async def _async_stream_once(self, tracker: CatchUpTracker) -> None:
        async with self.client.alert_stream(READ_TIMEOUT) as stream:
            parser = MultipartStreamParser(
                boundary_from_content_type(stream.content_type), MAX_PART_SIZE
            )
            self._assembler = HikvisionEventAssembler(tz=self._tz)
            self.counters["connects"] += 1
            self._connected_at = self.ctx.hass.loop.time()
            self._backoff.reset()
            self.last_error = None
            self.ctx.set_connected(True)
            if self.catch_up_enabled:
                self._spawn(self._async_catch_up(tracker), "catch-up")
            async for chunk in stream.chunks:
                self._handle_parts(parser.feed(chunk))

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
                    self._spawn(self._async_catch_up(tracker), "catch-up")
                reachable = True
            await asyncio.sleep(POLL_INTERVAL)

    async def _async_handle_webhook(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Receive one HTTP-listening POST (PROTOCOLS.md §1.3); answer quickly.

        200 when a read was taken, 400 for a body that holds none, 413 over the size cap. No
        exception leaves: a sender that hangs up, or anything unexpected, is one warning and
        a 400; the webhook keeps serving.
        """
        try:
            return await self._async_answer_webhook(request)
        except (ConnectionError, TimeoutError, web.HTTPException) as err:
            self._log_bad("a webhook request", f"body not received ({type(err).__name__})")
        except Exception as err:  # a POST must never break the webhook
            LOGGER.debug("Camera %s: webhook handling failed", self.ctx.name, exc_info=True)
            self._log_bad("a webhook request", f"could not be handled ({type(err).__name__})")
        return web.Response(status=400, headers={"Connection": "close"})

    async def _async_answer_webhook(self, request: web.Request) -> web.Response:
        self.counters["webhook_posts"] += 1
        if request.content_length is not None and request.content_length > MAX_WEBHOOK_BODY:
            self._log_bad("a webhook request", f"body of {request.content_length} bytes")
            return web.Response(status=413, headers={"Connection": "close"})
        # StreamReader.read(n) returns what is buffered (up to n), not the whole body: read to
        # the end. (Found by the picture check of issue 14: large POSTs arrived cut short.)
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_WEBHOOK_BODY:
            chunk = await request.content.read(MAX_WEBHOOK_BODY + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        body = b"".join(chunks)
        if len(body) > MAX_WEBHOOK_BODY:
            self._log_bad("a webhook request", "body exceeds the size cap")
            return web.Response(status=413, headers={"Connection": "close"})
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
            "parser": asdict(self._assembler.stats) if self._assembler else None,
        }

    @property
    def configuration_url(self) -> str | None:
        """The camera's web UI."""
        return _base_url(self.ctx.data)


# --- Config flow glue -----------------------------------------------------------------------


def _schema(hass: HomeAssistant, defaults: Mapping[str, Any]) -> vol.Schema:
    """Fields of the Hikvision form (common fields are added by the flow)."""
    text = selector.TextSelector()
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, "")): text,
            vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, 80)): vol.All(
                selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=1, max=65535, step=1, mode=selector.NumberSelectorMode.BOX
                    )
                ),
                vol.Coerce(int),
            ),
            vol.Required(CONF_SSL, default=defaults.get(CONF_SSL, False)): (
                selector.BooleanSelector()
            ),
            vol.Required(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)): (
                selector.BooleanSelector()
            ),
            vol.Required(CONF_USERNAME, default=defaults.get(CONF_USERNAME, "admin")): text,
            vol.Required(CONF_PASSWORD, default=defaults.get(CONF_PASSWORD, "")): (
                selector.TextSelector(
                    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
                )
            ),
            vol.Required(CONF_CHANNEL, default=defaults.get(CONF_CHANNEL, 1)): vol.All(
                selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=1, max=512, step=1, mode=selector.NumberSelectorMode.BOX
                    )
                ),
                vol.Coerce(int),
            ),
            vol.Required(CONF_MODE, default=defaults.get(CONF_MODE, MODE_ARMING)): (
                selector.SelectSelector(
                    selector.SelectSelectorConfig(options=MODES, translation_key="hikvision_mode")
                )
            ),
            vol.Required(
                CONF_CONFIGURE_HTTP_HOST, default=defaults.get(CONF_CONFIGURE_HTTP_HOST, False)
            ): selector.BooleanSelector(),
            vol.Required(CONF_CATCH_UP, default=defaults.get(CONF_CATCH_UP, True)): (
                selector.BooleanSelector()
            ),
        }
    )


def _prepare(hass: HomeAssistant, flow_data: dict[str, Any]) -> None:
    """Generate the webhook id shown in the form (kept in the subentry data)."""
    flow_data.setdefault(CONF_WEBHOOK_ID, secrets.token_hex(16))


def _placeholders(hass: HomeAssistant, flow_data: Mapping[str, Any]) -> dict[str, str]:
    webhook_id = str(flow_data.get(CONF_WEBHOOK_ID) or "")
    return {"webhook_url": webhook_url(hass, webhook_id) if webhook_id else ""}


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    """Test-before-configure: read ``deviceInfo``; optionally configure httpHosts."""
    if not str(data.get(CONF_HOST, "")).strip():
        raise SourceValidationError("cannot_connect", CONF_HOST)
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
    data.setdefault(CONF_WEBHOOK_ID, secrets.token_hex(16))
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
    device = {
        "manufacturer": "Hikvision",
        "model": info.model or "ANPR camera",
        "serial_number": info.serial or "",
        "sw_version": info.firmware or "",
        "mac": info.mac or "",
        "configuration_url": _base_url(data),
    }
    return ValidatedCamera(
        data=data,
        unique_id=info.serial or info.mac or None,
        device={k: v for k, v in device.items() if v},
    )


register(
    SourceKind(
        kind=KIND,
        factory=HikvisionSource,
        schema=_schema,
        validate=_validate,
        prepare=_prepare,
        placeholders=_placeholders,
        is_stream=True,
        supports_trigger=True,
        auth_fields=(CONF_USERNAME, CONF_PASSWORD),
        manufacturer="Hikvision",
        model="ISAPI ANPR camera",
    )
)

__all__ = ["KIND", "HikvisionSource", "webhook_url"]
