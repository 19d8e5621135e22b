"""``milesight_tcp`` source kind: we connect to the camera as its NVR/VMS (its "TCP" push type).

The camera listens on its "LPR port"; we connect, send ``COMM_LOGIN_REQ`` and then receive
``COMM_RECOG_POST`` packets (``docs/protocols.md``, "Milesight TCP (COMM_RECOG_POST)", parsed by
``protocols/milesight_tcp.py``).
Connection loss → connectivity off, reconnect with exponential back-off (1 s … 60 s, reset after
a successful login); every byte received before a cut is parsed first, so no read the camera
delivered is lost. A refused login (result ≠ 200) starts the reauth flow and stops retrying.
The protocol has no heartbeat: TCP keep-alive detects a dead peer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
import socket
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PASSWORD, CONF_PORT, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
import voluptuous as vol

from ..const import LOGGER
from ..protocols.milesight_tcp import (
    DEFAULT_MAX_PACKET,
    Command,
    MilesightTcpError,
    Packet,
    PacketDecoder,
    StreamIssue,
    build_login_request,
    parse_login_reply,
    parse_recog_post,
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
from .connection import connection_fields, credentials, required_host

KIND = "milesight_tcp"
DEFAULT_PORT = 5000
CONNECT_TIMEOUT = 10.0
LOGIN_TIMEOUT = 10.0
#: Seconds to wait at stop for reads already in flight (see ``async_stop``).
STOP_DRAIN = 1.0
_READ_SIZE = 64 * 1024


class LoginRefused(Exception):
    """The camera answered COMM_LOGIN_REPLY with a result other than 200."""

    def __init__(self, code: int) -> None:
        """Keep the result code."""
        super().__init__(f"login refused (result {code})")
        self.code = code


def _keepalive(writer: asyncio.StreamWriter) -> None:
    # A TCP transport from open_connection always has its socket.
    sock = writer.get_extra_info("socket")
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in (("TCP_KEEPIDLE", 30), ("TCP_KEEPINTVL", 10), ("TCP_KEEPCNT", 3)):
            if hasattr(socket, name):  # pragma: no branch - all three exist on Linux
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)
    except OSError:  # pragma: no cover - platform without these options
        pass


async def async_login(
    host: str, port: int, username: str, password: str, decoder: PacketDecoder
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, list[Packet]]:
    """Connect and log in; return the open stream and any packets that followed the reply.

    Raises :class:`LoginRefused`, :class:`OSError`/``TimeoutError`` (cannot connect) or
    :class:`MilesightTcpError` (no valid reply).
    """
    async with asyncio.timeout(CONNECT_TIMEOUT):
        reader, writer = await asyncio.open_connection(host, port)
    try:
        _keepalive(writer)
        writer.write(build_login_request(username, password))
        await writer.drain()
        async with asyncio.timeout(LOGIN_TIMEOUT):
            while True:
                data = await reader.read(_READ_SIZE)
                if not data:
                    raise MilesightTcpError("connection closed before the login reply")
                items = decoder.feed(data)
                packets = [p for p in items if isinstance(p, Packet)]
                for index, packet in enumerate(packets):
                    if packet.command == Command.LOGIN_REPLY:
                        code = parse_login_reply(packet.data)
                        if code != 200:
                            raise LoginRefused(code)
                        return reader, writer, packets[index + 1 :]
    except BaseException:
        writer.close()
        raise


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(connection_fields(default_port=DEFAULT_PORT, tls=False))


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    data[CONF_HOST] = host = required_host(data)
    data[CONF_PORT] = port = int(data.get(CONF_PORT, DEFAULT_PORT))
    try:
        _reader, writer, _rest = await async_login(host, port, *credentials(data), PacketDecoder())
    except LoginRefused as err:
        raise SourceAuthError(CONF_PASSWORD) from err
    except (OSError, TimeoutError, MilesightTcpError) as err:
        LOGGER.debug("Milesight TCP validation of %s:%s failed: %s", host, port, err)
        raise SourceValidationError("cannot_connect") from err
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    # No unique id: the login reveals no serial (the device GUID only comes with a recognition
    # post) and host/port may change on reconfigure.
    return ValidatedCamera(
        data=data,
        device={"model": "LPR camera (TCP)", "manufacturer": "Milesight"},
    )


class MilesightTcpSource(AnprSource):
    """Background connection to one camera with back-off reconnect."""

    #: Back-off bounds in seconds (tests lower them).
    backoff_initial = 1.0
    backoff_max = 60.0
    #: Seconds without data inside a packet before a cut-short packet is resolved.
    stall_timeout = 1.0

    def __init__(self, ctx: SourceContext) -> None:
        """Read settings; nothing connects until :meth:`async_start`."""
        super().__init__(ctx)
        self.host = str(ctx.data[CONF_HOST])
        self.port = int(ctx.data[CONF_PORT])
        self.username, self.password = credentials(ctx.data)
        self.decoder = PacketDecoder(DEFAULT_MAX_PACKET)
        self._task: asyncio.Task[None] | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._stopping = False
        self.counters: dict[str, int] = {
            "connects": 0,
            "reads": 0,
            "bad_packets": 0,
            "skipped_bytes": 0,
        }
        self.last_error: str | None = None

    async def async_start(self) -> None:
        """Start the connection task (returns at once)."""
        self._stopping = False
        self._task = self.ctx.create_task(self._run(), "milesight tcp")

    async def async_stop(self) -> None:
        """Close the connection and end the task."""
        self._stopping = True
        if self._writer is not None and self._task is not None:
            # The protocol has no acknowledgement: closing at once would drop reads the camera
            # already wrote. Half-close and let the read loop take what is in flight until the
            # camera closes its side (it does on our FIN), for at most STOP_DRAIN seconds.
            with contextlib.suppress(OSError, RuntimeError):
                self._writer.write_eof()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait({self._task}, timeout=STOP_DRAIN)
        if self._writer is not None:
            self._writer.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @property
    def configuration_url(self) -> str | None:
        """The camera's web UI."""
        return f"http://{self.host}/"

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Counters and the last error; never the password."""
        return {
            "port": self.port,
            "counters": dict(self.counters),
            "buffered": self.decoder.buffered,
            "last_error": self.last_error,
        }

    async def _run(self) -> None:
        backoff = Backoff(self.backoff_initial, self.backoff_max)
        while not self._stopping:
            self.decoder.reset()
            try:
                reader, writer, first = await async_login(
                    self.host, self.port, self.username, self.password, self.decoder
                )
            except LoginRefused as err:
                self.last_error = str(err)
                LOGGER.error(
                    "Camera %s refused the login (result %s); update its credentials",
                    self.ctx.name,
                    err.code,
                )
                self.ctx.set_connected(False)
                self.ctx.request_reauth()
                return
            except (OSError, TimeoutError, MilesightTcpError) as err:
                self.last_error = str(err) or type(err).__name__
                delay = backoff.next_delay()
                LOGGER.debug(
                    "Camera %s: cannot connect (%s); retry in %.0f s",
                    self.ctx.name,
                    self.last_error,
                    delay,
                )
                self.ctx.set_connected(False)
                await asyncio.sleep(delay)
                continue
            self._writer = writer
            self.counters["connects"] += 1
            backoff.reset()
            self.ctx.set_connected(True)
            try:
                self._handle(first)
                while True:
                    if self.decoder.buffered:
                        # Inside a packet: if the camera goes quiet, a packet it cut short may
                        # be hiding a complete one (PacketDecoder.flush_stalled).
                        try:
                            async with asyncio.timeout(self.stall_timeout):
                                data = await reader.read(_READ_SIZE)
                        except TimeoutError:
                            self._handle(self.decoder.flush_stalled())
                            data = await reader.read(_READ_SIZE)
                    else:
                        data = await reader.read(_READ_SIZE)
                    if not data:
                        break
                    self._handle(self.decoder.feed(data))
            except OSError as err:
                self.last_error = str(err) or type(err).__name__
            finally:
                writer.close()
                self._writer = None
            if self.decoder.buffered:
                LOGGER.warning(
                    "Camera %s: connection closed inside a packet; %d bytes dropped",
                    self.ctx.name,
                    self.decoder.buffered,
                )
            if not self._stopping:
                LOGGER.debug("Camera %s: connection closed; reconnecting", self.ctx.name)
                self.ctx.set_connected(False)
                await asyncio.sleep(min(backoff.initial, 1.0))

    def _handle(self, items: list[Packet | StreamIssue] | list[Packet]) -> None:
        for item in items:
            if isinstance(item, StreamIssue):
                self.counters["bad_packets"] += 1
                self.counters["skipped_bytes"] += item.dropped
                LOGGER.warning(
                    "Camera %s: skipped %d bytes: %s", self.ctx.name, item.dropped, item.reason
                )
                continue
            if item.command != Command.RECOG_POST:
                LOGGER.debug("Camera %s: ignored packet 0x%04x", self.ctx.name, item.command)
                continue
            try:
                read = parse_recog_post(item.data)
            except MilesightTcpError as err:
                self.counters["bad_packets"] += 1
                LOGGER.warning("Camera %s: skipped a recognition post: %s", self.ctx.name, err)
                continue
            except Exception as err:  # one bad post must not end the connection
                self.counters["bad_packets"] += 1
                LOGGER.warning(
                    "Camera %s: skipped a recognition post that could not be handled (%s)",
                    self.ctx.name,
                    type(err).__name__,
                )
                LOGGER.debug("Camera %s: handling failed", self.ctx.name, exc_info=True)
                continue
            if read.extra.get("truncated"):
                LOGGER.warning(
                    "Camera %s: recognition post %s had a truncated picture chunk",
                    self.ctx.name,
                    read.plate,
                )
            read.source = KIND
            self.counters["reads"] += 1
            self.ctx.deliver(read)


register(
    SourceKind(
        kind=KIND,
        factory=MilesightTcpSource,
        schema=_schema,
        validate=_validate,
        is_stream=True,
        auth_fields=(CONF_USERNAME, CONF_PASSWORD),
        manufacturer="Milesight",
        model="LPR camera (TCP)",
    )
)
