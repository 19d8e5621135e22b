"""Dahua ITC / TrafficJunction cameras: the long-lived snapManager or eventManager stream.

Home Assistant holds ``snapManager.cgi?action=attachFileProc`` open (HTTP Digest, Basic
fallback): every recognised vehicle arrives as event text plus the camera's picture. Cameras
that answer snapManager with 400/404/501 are read through ``eventManager.cgi?action=attach``
instead (event text only), and the picture is fetched from ``snapshot.cgi`` right after each
read (optional). ``Heartbeat`` parts every HEARTBEAT seconds keep the connection alive; no byte
for READ_TIMEOUT means the camera is gone and we reconnect with the shared back-off (the stream
loop of ``event_stream.py``). A 401 starts the reauthentication flow. Formats:
``docs/protocols.md`` "Dahua" and :mod:`..protocols.dahua`.

Dahua documents no request that makes an ITC camera read a plate now, so this kind has no
"Read plate" button; snaps taken by hand on the camera (``TrafficManualSnap``) arrive as reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Final

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
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

KIND: Final = "dahua"

CONF_CHANNEL: Final = "channel"
CONF_OBVERSE: Final = "obverse_direction"
CONF_SNAPSHOT: Final = "fetch_snapshot"

OBVERSE_OPTIONS: Final = [Direction.IN.value, Direction.OUT.value]
API_SNAP: Final = "snapManager"
API_EVENT: Final = "eventManager"

# Tunables (module constants so tests can shorten them; read when a camera starts).
HEARTBEAT: int = 20  # s between the camera's Heartbeat parts (Dahua allows 1-60)
READ_TIMEOUT: float = 50.0  # s without any byte: more than twice the heartbeat
CONNECT_TIMEOUT: float = 10.0
SNAPSHOT_TIMEOUT: float = 5.0
BACKOFF_MIN: float = 1.0
BACKOFF_MAX: float = 60.0
QUIET_RECONNECT_AFTER: float = 30.0  # s a stream must have run to reconnect without a blip
PICTURE_WAIT: float = 2.0  # s to wait for the picture of a snapManager event
MAX_PART_SIZE: int = 8 * 1024 * 1024


def _client(hass: HomeAssistant, data: Mapping[str, Any]) -> DahuaClient:
    username, password = credentials(data)
    return DahuaClient(
        http_session(hass, data), http_base_url(data), username, password, timeout=CONNECT_TIMEOUT
    )


class DahuaSource(EventStreamSource):
    """A running Dahua ITC camera (see the module docstring)."""

    stream_name = "event stream"
    part_name = "an event part"
    auth_errors = (DahuaAuthError,)
    part_errors = (DahuaError,)
    stream_errors = (DahuaConnectionError, DahuaClientError)

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
        self.channel = int(data.get(CONF_CHANNEL, 1) or 1)
        self.obverse = Direction(str(data.get(CONF_OBVERSE, Direction.IN.value)))
        self.fetch_snapshot = bool(data.get(CONF_SNAPSHOT, True))
        self.client = _client(ctx.hass, data)
        self.api = API_SNAP
        self._snapshot_lock = asyncio.Lock()
        self.counters.update(snapshots=0, snapshot_failures=0)

    # -- stream -----------------------------------------------------------------------------

    def _open_stream(self) -> AbstractAsyncContextManager[OpenStream]:
        if self.api == API_SNAP:
            path = snap_manager_path(self.channel, HEARTBEAT)
        else:
            path = event_manager_path(HEARTBEAT)
        return self.client.event_stream(path, READ_TIMEOUT)

    def _new_assembler(self) -> EventAssembler:
        return DahuaEventAssembler(
            obverse=self.obverse,
            tz=dt_util.get_default_time_zone(),
            with_pictures=self.api == API_SNAP,
        )

    def _stream_failed(self, err: Exception) -> str | None:
        """Fall back to eventManager once when the camera has no snapManager stream."""
        if not isinstance(err, DahuaNotSupportedError):
            return str(err)
        if self.api == API_SNAP:
            LOGGER.info(
                "Camera %s offers no snapManager event stream (%s); using eventManager",
                self.ctx.name,
                err,
            )
            self.api = API_EVENT
            return None
        self.api = API_SNAP
        reason = "the camera offers neither snapManager nor eventManager"
        LOGGER.warning("Camera %s: %s", self.ctx.name, reason)
        return reason

    def _credentials_refused(self) -> None:
        LOGGER.warning("Camera %s refused its credentials", self.ctx.name)

    @callback
    def _deliver(self, read: PlateRead) -> None:
        if self.api == API_EVENT and self.fetch_snapshot and not read.images:
            self.tasks.spawn(self._async_deliver_with_snapshot(read), "snapshot")
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
            "parser": self._parser_stats(),
        }

    @property
    def configuration_url(self) -> str | None:
        """The camera's web UI."""
        return http_base_url(self.ctx.data)


# --- Config flow glue -----------------------------------------------------------------------


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    """Fields of the Dahua form (common fields are added by the flow)."""
    return vol.Schema(
        {
            **connection_fields(default_port=80, tls=True),
            vol.Required(CONF_CHANNEL, default=1): vol.All(
                selector.NumberSelector(
                    selector.NumberSelectorConfig(
                        min=1, max=256, step=1, mode=selector.NumberSelectorMode.BOX
                    )
                ),
                vol.Coerce(int),
            ),
            vol.Required(CONF_OBVERSE, default=Direction.IN.value): selector.SelectSelector(
                selector.SelectSelectorConfig(
                    options=OBVERSE_OPTIONS, translation_key="dahua_obverse"
                )
            ),
            vol.Required(CONF_SNAPSHOT, default=True): selector.BooleanSelector(),
        }
    )


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    """Test-before-configure: read ``magicBox.cgi?action=getSystemInfo`` with the credentials."""
    required_host(data)
    client = _client(hass, data)
    try:
        info = await client.device_info()
    except DahuaAuthError as err:
        raise SourceAuthError(CONF_PASSWORD) from err
    except DahuaConnectionError as err:
        raise SourceValidationError("cannot_connect") from err
    except DahuaClientError as err:
        raise SourceValidationError("not_dahua") from err
    return ValidatedCamera(
        data=dict(data),
        unique_id=info.serial or None,
        device=device_details(
            manufacturer="Dahua",
            model=info.model or "ITC camera",
            serial_number=info.serial,
            sw_version=info.firmware,
            configuration_url=http_base_url(data),
        ),
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
