"""Dahua ITC / TrafficJunction cameras: the long-lived snapManager or eventManager stream.

Home Assistant holds ``snapManager.cgi?action=attachFileProc`` open (HTTP Digest, Basic
fallback): every recognised vehicle arrives as event text plus the camera's picture. Cameras
that answer snapManager with 400/404/501 are read through ``eventManager.cgi?action=attach``
instead (event text only), and the picture is fetched from ``snapshot.cgi`` right after each
read (optional). ``Heartbeat`` parts every HEARTBEAT seconds keep the connection alive; no byte
for READ_TIMEOUT means the camera is gone and we reconnect with the shared back-off. A 401
starts the reauthentication flow. Formats: ``docs/protocols.md`` "Dahua" and
:mod:`..protocols.dahua`.

Dahua documents no request that makes an ITC camera read a plate now, so this kind has no
"Read plate" button; snaps taken by hand on the camera (``TrafficManualSnap``) arrive as reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..const import LOGGER
from ..protocols.dahua import (
    DahuaAuthError,
    DahuaClient,
    DahuaClientError,
    DahuaConnectionError,
    DahuaError,
    DahuaEventAssembler,
    DahuaNotSupportedError,
    event_manager_path,
    snap_manager_path,
)
from ..protocols.models import Direction, ImageRole, PlateRead, ReadImage
from ..protocols.multipart import MultipartError, MultipartStreamParser, boundary_from_content_type
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

KIND: Final = "dahua"

CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_SSL: Final = "ssl"
CONF_VERIFY_SSL: Final = "verify_ssl"
CONF_USERNAME: Final = "username"
CONF_PASSWORD: Final = "password"
CONF_CHANNEL: Final = "channel"
CONF_OBVERSE: Final = "obverse_direction"
CONF_SNAPSHOT: Final = "fetch_snapshot"

OBVERSE_OPTIONS: Final = [Direction.IN.value, Direction.OUT.value]
API_SNAP: Final = "snapManager"
API_EVENT: Final = "eventManager"

# Tunables (module constants so tests can shorten them).
HEARTBEAT: int = 20  # s between the camera's Heartbeat parts (Dahua allows 1-60)
READ_TIMEOUT: float = 50.0  # s without any byte: more than twice the heartbeat
CONNECT_TIMEOUT: float = 10.0
SNAPSHOT_TIMEOUT: float = 5.0
BACKOFF_MIN: float = 1.0
BACKOFF_MAX: float = 60.0
QUIET_RECONNECT_AFTER: float = 30.0  # s a stream must have run to reconnect without a blip
PICTURE_WAIT: float = 2.0  # s to wait for the picture of a snapManager event
MAX_PART_SIZE: int = 8 * 1024 * 1024


def _base_url(data: Mapping[str, Any]) -> str:
    scheme = "https" if data.get(CONF_SSL) else "http"
    host = str(data[CONF_HOST]).strip()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{int(data.get(CONF_PORT) or (443 if data.get(CONF_SSL) else 80))}"


def _client(hass: HomeAssistant, data: Mapping[str, Any]) -> DahuaClient:
    session = get_async_client(hass, verify_ssl=bool(data.get(CONF_VERIFY_SSL, True)))
    return DahuaClient(
        session,
        _base_url(data),
        str(data.get(CONF_USERNAME, "")),
        str(data.get(CONF_PASSWORD, "")),
        timeout=CONNECT_TIMEOUT,
    )


class DahuaSource(AnprSource):
    """A running Dahua ITC camera (see the module docstring)."""

    def __init__(self, ctx: SourceContext) -> None:
        """Read the camera settings; nothing starts before :meth:`async_start`."""
        super().__init__(ctx)
        data = ctx.data
        self.channel = int(data.get(CONF_CHANNEL, 1) or 1)
        self.obverse = Direction(str(data.get(CONF_OBVERSE, Direction.IN.value)))
        self.fetch_snapshot = bool(data.get(CONF_SNAPSHOT, True))
        self.client = _client(ctx.hass, data)
        self.api = API_SNAP
        self._tasks: set[asyncio.Task[Any]] = set()
        self._assembler: DahuaEventAssembler | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_bytes = 0.0
        self._stopping = False
        self._backoff = Backoff(BACKOFF_MIN, BACKOFF_MAX)
        self._connected_at: float | None = None
        self._snapshot_lock = asyncio.Lock()
        self.counters: dict[str, int] = {
            "reads": 0,
            "connects": 0,
            "disconnects": 0,
            "bad_parts": 0,
            "snapshots": 0,
            "snapshot_failures": 0,
        }
        self.last_error: str | None = None

    # -- lifecycle --------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Start the stream task."""
        self._stopping = False
        self._spawn(self._async_run(), "event stream")

    async def async_stop(self) -> None:
        """Cancel every task and drop the connection."""
        self._stopping = True
        self._cancel_flush()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    def _spawn(self, coro: Any, name: str) -> None:
        task: asyncio.Task[Any] = self.ctx.create_task(coro, name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- stream -----------------------------------------------------------------------------

    async def _async_run(self) -> None:
        while not self._stopping:
            self._connected_at = None
            try:
                await self._async_stream_once()
                reason = "stream closed by the camera"
            except DahuaAuthError:
                self.ctx.set_connected(False)
                self.last_error = "credentials refused"
                LOGGER.warning("Camera %s refused its credentials", self.ctx.name)
                self.ctx.request_reauth()
                return
            except DahuaNotSupportedError as err:
                if self.api == API_SNAP:
                    LOGGER.info(
                        "Camera %s offers no snapManager event stream (%s); using eventManager",
                        self.ctx.name,
                        err,
                    )
                    self.api = API_EVENT
                    continue
                self.api = API_SNAP
                reason = "the camera offers neither snapManager nor eventManager"
                LOGGER.warning("Camera %s: %s", self.ctx.name, reason)
            except (DahuaConnectionError, DahuaClientError, MultipartError) as err:
                reason = str(err)
            finally:
                self._end_assembler()
            self.last_error = reason
            self.counters["disconnects"] += 1
            LOGGER.debug("Camera %s: event stream ended (%s)", self.ctx.name, reason)
            connected_for = (
                self.ctx.hass.loop.time() - self._connected_at if self._connected_at else 0.0
            )
            if connected_for >= QUIET_RECONNECT_AFTER:
                continue  # a long-running stream: reconnect at once, stay available
            self.ctx.set_connected(False)
            await asyncio.sleep(self._backoff.next_delay())

    async def _async_stream_once(self) -> None:
        if self.api == API_SNAP:
            path = snap_manager_path(self.channel, HEARTBEAT)
        else:
            path = event_manager_path(HEARTBEAT)
        async with self.client.event_stream(path, READ_TIMEOUT) as stream:
            parser = MultipartStreamParser(
                boundary_from_content_type(stream.content_type), MAX_PART_SIZE
            )
            self._assembler = DahuaEventAssembler(
                obverse=self.obverse,
                tz=dt_util.get_default_time_zone(),
                with_pictures=self.api == API_SNAP,
            )
            self.counters["connects"] += 1
            self._connected_at = self.ctx.hass.loop.time()
            self._backoff.reset()
            self.last_error = None
            self.ctx.set_connected(True)
            async for chunk in stream.chunks:
                self._handle_parts(parser.feed(chunk))

    def _end_assembler(self) -> None:
        """Deliver reads whose text arrived before the stream ended (without a picture)."""
        self._cancel_flush()
        if self._assembler is not None:
            for read in self._assembler.flush():
                self._deliver(read)
            self._assembler = None

    @callback
    def _handle_parts(self, parts: list[Any]) -> None:
        assembler = self._assembler
        if assembler is None:
            return
        for part in parts:
            try:
                reads = assembler.add(part)
            except DahuaError as err:
                self.counters["bad_parts"] += 1
                LOGGER.warning("Camera %s: skipped an event part: %s", self.ctx.name, err)
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
        """Deliver a read whose picture did not come within PICTURE_WAIT of the last bytes."""
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

    @callback
    def _deliver(self, read: PlateRead) -> None:
        if self.api == API_EVENT and self.fetch_snapshot and not read.images:
            self._spawn(self._async_deliver_with_snapshot(read), "snapshot")
            return
        self.counters["reads"] += 1
        self.ctx.deliver(read)

    async def _async_deliver_with_snapshot(self, read: PlateRead) -> None:
        """Fetch the camera's picture for an eventManager read, then deliver it (in order)."""
        async with self._snapshot_lock:
            try:
                async with asyncio.timeout(SNAPSHOT_TIMEOUT):
                    picture = await self.client.snapshot(self.channel)
            except (DahuaClientError, TimeoutError) as err:
                self.counters["snapshot_failures"] += 1
                LOGGER.debug("Camera %s: no snapshot for a read (%s)", self.ctx.name, err)
                picture = None
            if picture:
                self.counters["snapshots"] += 1
                read.images.append(ReadImage(data=picture, role=ImageRole.FULL))
            self.counters["reads"] += 1
            self.ctx.deliver(read)

    # -- diagnostics ------------------------------------------------------------------------

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Stream in use, counters, auth scheme, parser counts; never credentials or plates."""
        return {
            "api": self.api,
            "channel": self.channel,
            "obverse_direction": self.obverse.value,
            "fetch_snapshot": self.fetch_snapshot,
            "auth_scheme": self.client.auth_scheme,
            "counters": dict(self.counters),
            "last_error": self.last_error,
            "parser": asdict(self._assembler.stats) if self._assembler else None,
        }

    @property
    def configuration_url(self) -> str | None:
        """The camera's web UI."""
        return _base_url(self.ctx.data)


# --- Config flow glue -----------------------------------------------------------------------


def _schema(hass: HomeAssistant, defaults: Mapping[str, Any]) -> vol.Schema:
    """Fields of the Dahua form (common fields are added by the flow)."""
    text = selector.TextSelector()

    def number(maximum: int) -> Any:
        return vol.All(
            selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=1, max=maximum, step=1, mode=selector.NumberSelectorMode.BOX
                )
            ),
            vol.Coerce(int),
        )

    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, "")): text,
            vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, 80)): number(65535),
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
            vol.Required(CONF_CHANNEL, default=defaults.get(CONF_CHANNEL, 1)): number(256),
            vol.Required(
                CONF_OBVERSE, default=defaults.get(CONF_OBVERSE, Direction.IN.value)
            ): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=OBVERSE_OPTIONS, translation_key="dahua_obverse"
                )
            ),
            vol.Required(CONF_SNAPSHOT, default=defaults.get(CONF_SNAPSHOT, True)): (
                selector.BooleanSelector()
            ),
        }
    )


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    """Test-before-configure: read ``magicBox.cgi?action=getSystemInfo`` with the credentials."""
    if not str(data.get(CONF_HOST, "")).strip():
        raise SourceValidationError("cannot_connect", CONF_HOST)
    client = _client(hass, data)
    try:
        info = await client.device_info()
    except DahuaAuthError as err:
        raise SourceAuthError(CONF_PASSWORD) from err
    except DahuaConnectionError as err:
        raise SourceValidationError("cannot_connect") from err
    except DahuaClientError as err:
        raise SourceValidationError("not_dahua") from err
    device = {
        "manufacturer": "Dahua",
        "model": info.model or "ITC camera",
        "serial_number": info.serial or "",
        "sw_version": info.firmware or "",
        "configuration_url": _base_url(data),
    }
    return ValidatedCamera(
        data=dict(data),
        unique_id=info.serial or None,
        device={k: v for k, v in device.items() if v},
    )


register(
    SourceKind(
        kind=KIND,
        factory=DahuaSource,
        schema=_schema,
        validate=_validate,
        is_stream=True,
        auth_fields=(CONF_USERNAME, CONF_PASSWORD),
        image_entities=("picture",),
        manufacturer="Dahua",
        model="ITC ANPR camera",
    )
)

__all__ = ["KIND", "DahuaSource"]
