"""ONVIF cameras: plate events from the RTSP metadata track, PullPoint as the fallback.

Transports (``docs/protocols.md``, "ONVIF metadata over RTSP" and "ONVIF PullPoint events"):

* ``rtsp``: the camera's metadata stream (RTSP DESCRIBE/SETUP/PLAY over TCP interleaved,
  ``vnd.onvif.metadata`` documents ended by the RTP marker bit). The URL is the one entered, or
  the one ONVIF Media ``GetStreamUri`` gives for the first profile with a MetadataConfiguration.
* ``pullpoint``: ONVIF Events ``CreatePullPointSubscription`` + ``PullMessages`` long poll,
  ``Renew``, ``Unsubscribe`` on unload.
* ``auto`` (default): RTSP when the camera has a metadata track, PullPoint otherwise (decided
  again at every reconnection).

Pictures: notifications carry a path or URI (``LicensePlatePicturePath``, ``PictureUri``,
``ImageURI``...). Each is fetched over HTTP in the background (camera credentials, Digest or
Basic, relative paths against the camera) with a :data:`PICTURE_TIMEOUT` timeout. **Delivery
choice:** a read is delivered once its picture fetch finished or timed out (at most
``PICTURE_TIMEOUT`` seconds later), so the sighting, the image entities and the bus event all
carry the picture together; a failed or slow fetch still delivers the read, without the
picture. Reads without a picture are delivered at once. Reads are always delivered in the
order the camera sent them, and pending reads are delivered (without pictures) on unload, so a
read is never lost.

AXIS License Plate Verifier: its ``ALPV.AllPlates`` topic is a plate topic; when the items carry
the fflprapp ``carState``/``carID`` lifecycle, NEW / UPDATE / LOST of one car are folded into one
sighting (``CarStateMerger``: an UPDATE is delivered only when it changes the plate or brings
the first direction, LOST is dropped; the pipeline folds a corrected plate one edit apart into
the open sighting).

Reconnections: the camera re-sends its current plate with ``PropertyOperation="Initialized"``
on every connection. It is never replayed on the first connection; after a reconnection it is
delivered once when it differs from the last plate seen and is newer (read while we were away;
only the camera's latest plate can be caught up this way). See ``PlateEventFilter``.

Lifecycle: exponential back-off with jitter (``BACKOFF_MIN``…``BACKOFF_MAX``), connectivity via
``ctx.set_connected`` (which logs once on loss and once on recovery), ``request_reauth`` when
the camera refuses the credentials, TEARDOWN/Unsubscribe on unload.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from homeassistant.const import CONF_HOST, CONF_MODE, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
from homeassistant.helpers.httpx_client import get_async_client
from homeassistant.util.ssl import get_default_no_verify_context
import httpx
import voluptuous as vol

from ..const import LOGGER
from ..protocols.models import PlateRead, ProtocolError, ReadImage
from ..protocols.numberok import CarStateMerger
from ..protocols.onvif_metadata import (
    OnvifMetadataError,
    PlateEvent,
    PlateEventFilter,
    parse_plates,
)
from ..protocols.onvif_pullpoint import (
    OnvifAuthError,
    OnvifClient,
    OnvifError,
    Subscription,
    fetch_picture,
    rebase_url,
    resolve_picture_url,
)
from ..protocols.rtsp.client import RtspMetadataClient, redact_url
from ..protocols.rtsp.errors import NoMetadataTrackError, RtspAuthError, RtspError
from .base import (
    AnprSource,
    BackgroundTasks,
    Backoff,
    SourceAuthError,
    SourceContext,
    SourceKind,
    SourceValidationError,
    ValidatedCamera,
    register,
)
from .connection import connection_fields, credentials, device_details, required_host

KIND: Final = "onvif"

CONF_RTSP_URL: Final = "rtsp_url"
CONF_TOPIC_FILTER: Final = "topic_filter"

MODE_AUTO: Final = "auto"
MODE_RTSP: Final = "rtsp"
MODE_PULLPOINT: Final = "pullpoint"
MODES: Final = [MODE_AUTO, MODE_RTSP, MODE_PULLPOINT]

# Tunables (module constants so tests and the benchmark can shorten them).
CONNECT_TIMEOUT: float = 10.0
BACKOFF_MIN: float = 1.0
BACKOFF_MAX: float = 60.0  # a rebooted camera is back within a minute of its return
PICTURE_TIMEOUT: float = 3.0  # s a read waits for its picture before it is delivered without
PULL_WAIT: float = 5.0  # PullMessages long-poll timeout (s)
RENEW_EVERY: float = 60.0  # s between PullPoint renewals
TERMINATION: str = "PT300S"
KEEPALIVE_INTERVAL: float | None = None  # None: derived from the RTSP session timeout
MAX_PENDING_READS: int = 256


def parse_topic_filter(text: str | None) -> list[str]:
    """Split the user's topic filter (comma, semicolon or newline separated) into topics."""
    if not text:
        return []
    parts = str(text).replace(";", ",").replace("\n", ",").split(",")
    return [t.strip() for t in parts if t.strip()]


def _client(hass: HomeAssistant, data: Mapping[str, Any]) -> OnvifClient:
    username, password = credentials(data)
    return OnvifClient(
        get_async_client(hass, verify_ssl=False),
        str(data.get(CONF_HOST, "")).strip(),
        int(data.get(CONF_PORT) or 80),
        username,
        password,
        timeout=CONNECT_TIMEOUT,
    )


class OnvifSource(AnprSource):
    """A running ONVIF camera (see the module docstring)."""

    def __init__(self, ctx: SourceContext) -> None:
        """Read the settings; nothing connects before :meth:`async_start`."""
        super().__init__(ctx)
        data = ctx.data
        self.mode = str(data.get(CONF_MODE) or MODE_AUTO)
        self.rtsp_url = str(data.get(CONF_RTSP_URL) or "").strip() or None
        self.topics = parse_topic_filter(data.get(CONF_TOPIC_FILTER))
        self.client = _client(ctx.hass, data)
        self._username, self._password = credentials(data)
        self._filter = PlateEventFilter()
        # AXIS License Plate Verifier (fflprapp) NEW / UPDATE / LOST of one car: one sighting.
        self._lifecycle = CarStateMerger()
        self.tasks = BackgroundTasks(ctx)
        self._pending: deque[tuple[PlateRead, asyncio.Task[None] | None]] = deque()
        self._rtsp: RtspMetadataClient | None = None
        self._subscription: Subscription | None = None
        self._stopping = False
        self._backoff = Backoff(BACKOFF_MIN, BACKOFF_MAX)
        self.transport: str | None = None
        self.last_error: str | None = None
        self._picture_auth_warned = False
        self.counters: dict[str, int] = {
            "reads": 0,
            "documents": 0,
            "bad_documents": 0,
            "connects": 0,
            "disconnects": 0,
            "pictures": 0,
            "picture_failures": 0,
            "skipped_initialized": 0,
            "merged": 0,
        }

    # -- lifecycle ----------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Start the connection task (returns at once)."""
        self._stopping = False
        self.tasks.spawn(self._async_run(), "metadata")

    async def async_stop(self) -> None:
        """TEARDOWN / Unsubscribe, cancel every task, deliver reads still waiting."""
        self._stopping = True
        rtsp, self._rtsp = self._rtsp, None
        if rtsp is not None:
            await rtsp.close()
        sub, self._subscription = self._subscription, None
        if sub is not None:
            await self._async_unsubscribe(sub)
        await self.tasks.async_cancel_all()
        # Reads waiting for a picture are delivered without it: a read is never lost.
        pending = list(self._pending)
        self._pending.clear()
        fetches = [fetch for _read, fetch in pending if fetch is not None and not fetch.done()]
        for fetch in fetches:
            fetch.cancel()
        if fetches:
            await asyncio.gather(*fetches, return_exceptions=True)
        for read, _fetch in pending:
            self._deliver(read)

    async def _async_run(self) -> None:
        while not self._stopping:
            try:
                await self._async_connect_once()
                reason = "the camera closed the connection"
            except (RtspAuthError, OnvifAuthError):
                self.last_error = "credentials refused"
                LOGGER.warning(
                    "Camera %s refused the ONVIF/RTSP credentials; please re-authenticate",
                    self.ctx.name,
                )
                self.ctx.set_connected(False)
                self.ctx.request_reauth()
                return
            except (ProtocolError, OSError) as err:
                reason = str(err)
            except Exception as err:
                LOGGER.exception("Camera %s: unexpected ONVIF error", self.ctx.name)
                reason = f"unexpected error {type(err).__name__}"
            if self._stopping:
                return
            self.last_error = reason
            self.counters["disconnects"] += 1
            LOGGER.debug("Camera %s: ONVIF %s ended (%s)", self.ctx.name, self.transport, reason)
            self.ctx.set_connected(False)
            await asyncio.sleep(self._backoff.next_delay())

    @callback
    def _connected(self) -> None:
        self.counters["connects"] += 1
        self._backoff.reset()
        self.last_error = None
        self.ctx.set_connected(True)

    async def _async_connect_once(self) -> None:
        if self.mode != MODE_PULLPOINT:
            url = self.rtsp_url
            if url is None:
                await self._async_sync_clock()
                url = await self.client.find_metadata_stream_uri(
                    require_plates=self.mode != MODE_RTSP
                )
                if url is None and self.mode == MODE_RTSP:
                    raise NoMetadataTrackError("no media profile has a metadata configuration")
            if url is not None:
                try:
                    await self._async_run_rtsp(url)
                    return
                except NoMetadataTrackError:
                    if self.mode == MODE_RTSP:
                        raise
                    LOGGER.debug(
                        "Camera %s: no metadata track on %s; using PullPoint",
                        self.ctx.name,
                        redact_url(url),
                    )
        await self._async_run_pullpoint()

    async def _async_sync_clock(self) -> None:
        await self.client.sync_clock()

    # -- RTSP ---------------------------------------------------------------------------------

    async def _async_run_rtsp(self, url: str) -> None:
        self.transport = MODE_RTSP
        client = RtspMetadataClient(
            url,
            self._username,
            self._password,
            on_document=self._on_document,
            timeout=CONNECT_TIMEOUT,
            keepalive_interval=KEEPALIVE_INTERVAL,
            ssl_context=get_default_no_verify_context(),
        )
        self._rtsp = client
        try:
            await client.start()
            self._connected()
            await client.wait_closed()
        finally:
            if self._rtsp is client:
                self._rtsp = None
                await client.close()

    @callback
    def _on_document(self, document: bytes) -> None:
        self.counters["documents"] += 1
        try:
            events = parse_plates(document, topic_filter=self.topics)
        except OnvifMetadataError as err:
            self.counters["bad_documents"] += 1
            LOGGER.warning("Camera %s: skipped a metadata document: %s", self.ctx.name, err)
            return
        self._handle_events(events)

    @callback
    def _handle_events(self, events: list[PlateEvent]) -> None:
        before = self._filter.skipped_initialized
        for event in self._filter.filter(events):
            self._dispatch(event)
        self.counters["skipped_initialized"] += self._filter.skipped_initialized - before

    # -- PullPoint ----------------------------------------------------------------------------

    async def _async_run_pullpoint(self) -> None:
        self.transport = MODE_PULLPOINT
        await self._async_sync_clock()
        sub = await self.client.create_pull_point(termination=TERMINATION)
        self._subscription = sub
        try:
            first = True
            async for body in self.client.pull_forever(
                sub, pull_timeout=PULL_WAIT, renew_every=RENEW_EVERY, termination=TERMINATION
            ):
                if first:
                    self._connected()
                    first = False
                try:
                    events = parse_plates(body, topic_filter=self.topics)
                except OnvifMetadataError as err:
                    self.counters["bad_documents"] += 1
                    LOGGER.warning("Camera %s: skipped a PullPoint answer: %s", self.ctx.name, err)
                    continue
                self.counters["documents"] += 1
                if events:
                    self._handle_events(events)
                    # Let the hub process the reads before the next long poll is built.
                    await asyncio.sleep(0)
        finally:
            if self._subscription is sub:
                self._subscription = None
                if not self._stopping:
                    await self._async_unsubscribe(sub)

    async def _async_unsubscribe(self, sub: Subscription) -> None:
        try:
            async with asyncio.timeout(2.0):
                await self.client.unsubscribe(sub)
        except (OnvifError, TimeoutError) as err:
            LOGGER.debug("Camera %s: Unsubscribe failed (%s)", self.ctx.name, err)

    # -- delivery -----------------------------------------------------------------------------

    @callback
    def _dispatch(self, event: PlateEvent) -> None:
        read = event.read
        if self._lifecycle.feed(read) is None:
            self.counters["merged"] += 1
            return
        uris = event.picture_uris
        fetch: asyncio.Task[None] | None = None
        if uris and len(self._pending) < MAX_PENDING_READS:
            fetch = self.ctx.hass.async_create_background_task(
                self._async_fetch_pictures(read, uris), f"anpr {self.ctx.name} picture"
            )
            fetch.add_done_callback(lambda _task: self._drain())
        self._pending.append((read, fetch))
        self._drain()

    @callback
    def _drain(self) -> None:
        """Deliver reads from the head of the queue whose picture fetch is over (in order)."""
        while self._pending:
            read, fetch = self._pending[0]
            if fetch is not None and not fetch.done():
                return
            self._pending.popleft()
            self._deliver(read)

    @callback
    def _deliver(self, read: PlateRead) -> None:
        self.counters["reads"] += 1
        self.ctx.deliver(read)

    async def _async_fetch_pictures(self, read: PlateRead, uris: list[tuple[Any, str]]) -> None:
        http = self.client.http
        try:
            async with asyncio.timeout(PICTURE_TIMEOUT):
                for role, uri in uris:
                    url = resolve_picture_url(uri, self.client.base_url)
                    try:
                        data, content_type = await fetch_picture(
                            http, url, auth=self.client.http_auth, request_timeout=PICTURE_TIMEOUT
                        )
                    except OnvifAuthError:
                        raise
                    except OnvifError:
                        # Cameras write their own idea of their address into the URI (NAT,
                        # port forwarding): try the same path on the configured host.
                        rebased = rebase_url(url, self.client.base_url)
                        if rebased == url:
                            raise
                        data, content_type = await fetch_picture(
                            http,
                            rebased,
                            auth=self.client.http_auth,
                            request_timeout=PICTURE_TIMEOUT,
                        )
                        url = rebased
                    name = urlsplit(url).path.rsplit("/", 1)[-1] or None
                    read.images.append(
                        ReadImage(data=data, content_type=content_type, role=role, name=name)
                    )
                    self.counters["pictures"] += 1
        except OnvifAuthError:
            self.counters["picture_failures"] += 1
            if not self._picture_auth_warned:
                self._picture_auth_warned = True
                LOGGER.warning(
                    "Camera %s refused the credentials for its plate pictures; reads arrive "
                    "without pictures",
                    self.ctx.name,
                )
        except (OnvifError, TimeoutError, httpx.HTTPError) as err:
            self.counters["picture_failures"] += 1
            LOGGER.debug(
                "Camera %s: picture not fetched (%s); the read is delivered without it",
                self.ctx.name,
                err or "timeout",
            )

    # -- diagnostics --------------------------------------------------------------------------

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Counters, transport and RTSP/RTP stats; never credentials, URLs or plates."""
        rtsp = self._rtsp
        stats = rtsp.reassembly_stats if rtsp is not None else None
        return {
            "mode": self.mode,
            "transport": self.transport,
            "counters": dict(self.counters),
            "last_error": self.last_error,
            "pending_reads": len(self._pending),
            "rtp": dict(
                packets=stats.packets,
                documents=stats.documents,
                dropped_gap=stats.dropped_gap,
                dropped_oversize=stats.dropped_oversize,
                dropped_bad=stats.dropped_bad,
            )
            if stats is not None
            else None,
            "rtsp_keepalives": rtsp.stats.keepalives if rtsp is not None else None,
        }

    @property
    def configuration_url(self) -> str | None:
        """The camera's web UI."""
        return self.client.base_url


# --- Config flow glue -------------------------------------------------------------------------


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    """Fields of the ONVIF form (common fields are added by the flow)."""
    return vol.Schema(
        {
            **connection_fields(default_port=80, tls=False),
            vol.Required(CONF_MODE, default=MODE_AUTO): selector.SelectSelector(
                selector.SelectSelectorConfig(options=MODES, translation_key="onvif_mode")
            ),
            vol.Optional(CONF_RTSP_URL, default=""): selector.TextSelector(
                selector.TextSelectorConfig(type=selector.TextSelectorType.URL)
            ),
            vol.Optional(CONF_TOPIC_FILTER, default=""): selector.TextSelector(),
        }
    )


async def _check_rtsp(url: str, data: Mapping[str, Any]) -> None:
    client = RtspMetadataClient(
        url,
        *credentials(data),
        on_document=lambda _doc: None,
        timeout=CONNECT_TIMEOUT,
        ssl_context=get_default_no_verify_context(),
    )
    try:
        await client.start()
    finally:
        await client.close()


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    """Test-before-configure: ONVIF device info, then the metadata track or PullPoint."""
    data = dict(data)
    data[CONF_HOST] = required_host(data)
    mode = str(data.get(CONF_MODE) or MODE_AUTO)
    rtsp_url = str(data.get(CONF_RTSP_URL) or "").strip()
    if rtsp_url:
        if not rtsp_url.lower().startswith(("rtsp://", "rtsps://")):
            raise SourceValidationError("invalid_rtsp_url", CONF_RTSP_URL)
        data[CONF_RTSP_URL] = rtsp_url
    client = _client(hass, data)
    info = None
    try:
        await client.sync_clock()
        info = await client.get_device_information()
    except OnvifAuthError as err:
        raise SourceAuthError(CONF_PASSWORD) from err
    except OnvifError as err:
        # A camera given by its RTSP URL may still work without the ONVIF device service.
        if not (rtsp_url and mode != MODE_PULLPOINT):
            raise SourceValidationError("cannot_connect") from err
    use_pullpoint = mode == MODE_PULLPOINT
    if not use_pullpoint:
        try:
            url = rtsp_url or await client.find_metadata_stream_uri(
                require_plates=mode != MODE_RTSP
            )
            if url is None:
                raise NoMetadataTrackError("no media profile with a metadata configuration")
            await _check_rtsp(url, data)
        except (RtspAuthError, OnvifAuthError) as err:
            raise SourceAuthError(CONF_PASSWORD) from err
        except NoMetadataTrackError as err:
            if mode == MODE_RTSP:
                raise SourceValidationError("no_metadata_track") from err
            use_pullpoint = True
        except (RtspError, OnvifError) as err:
            if mode == MODE_RTSP or rtsp_url:
                raise SourceValidationError("cannot_connect") from err
            use_pullpoint = True
    if use_pullpoint:
        try:
            sub = await client.create_pull_point(termination="PT60S")
        except OnvifAuthError as err:
            raise SourceAuthError(CONF_PASSWORD) from err
        except OnvifError as err:
            raise SourceValidationError("no_plate_events") from err
        try:
            await client.unsubscribe(sub)
        except OnvifError:
            LOGGER.debug("Unsubscribe after the PullPoint check failed; it expires by itself")
    if info is None:
        return ValidatedCamera(
            data=data, device=device_details(configuration_url=client.base_url)
        )
    unique = None
    if info.serial_number:
        unique = f"{(info.manufacturer or 'onvif').casefold()}_{info.serial_number}"
    return ValidatedCamera(
        data=data,
        unique_id=unique,
        device=device_details(
            configuration_url=client.base_url,
            manufacturer=info.manufacturer,
            model=info.model,
            serial_number=info.serial_number,
            sw_version=info.firmware_version,
            hw_version=info.hardware_id,
        ),
    )


register(
    SourceKind(
        kind=KIND,
        factory=OnvifSource,
        schema=_schema,
        validate=_validate,
        is_stream=True,
        auth_fields=(CONF_USERNAME, CONF_PASSWORD),
        manufacturer="ONVIF",
        model="ONVIF ANPR camera",
    )
)

__all__ = ["KIND", "OnvifSource", "parse_topic_filter"]
