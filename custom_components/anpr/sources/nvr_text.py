"""``nvr_text`` source kind: a TCP listener that acts as an NVR "text device".

The LPR app (NumberOK EDGE "Send to NVR" reaction, …) connects to our address/port and writes
plates between start/end strings (``<LPR>``/``</LPR>``, ``US-ASCII`` by default; parsed by
``protocols/nvr_text.py``; ``docs/protocols.md``, "NVR text device"). Several senders may
connect; at most ``max_connections`` at once (more are closed at once with one log line); a
connection idle for ``idle_timeout`` seconds is closed. When the port cannot be bound (taken
after a restart), binding is retried every 30 s.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
import socket
from typing import Any

from homeassistant.const import CONF_HOST, CONF_NAME, CONF_PORT
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import selector
import voluptuous as vol

from ..const import DOMAIN, LOGGER
from ..protocols.nvr_text import (
    DEFAULT_ENCODING,
    DEFAULT_END,
    DEFAULT_MAX_READ,
    DEFAULT_START,
    NvrTextError,
    TextIssue,
    TextStreamDecoder,
    check_encoding,
    plate_read,
    unescape_marker,
)
from .base import (
    AnprSource,
    SourceContext,
    SourceKind,
    SourceValidationError,
    ValidatedCamera,
    register,
)
from .connection import port_selector

KIND = "nvr_text"
CONF_START = "start_string"
CONF_END = "end_string"
CONF_ENCODING = "encoding"
CONF_IDLE_TIMEOUT = "idle_timeout"
CONF_MAX_CONNECTIONS = "max_connections"

DEFAULT_HOST = "0.0.0.0"
DEFAULT_PORT = 7001
DEFAULT_IDLE_TIMEOUT = 300.0
DEFAULT_MAX_CONNECTIONS = 4
REBIND_DELAY = 30.0
_READ_SIZE = 16 * 1024


def _listeners(hass: HomeAssistant) -> dict[tuple[str, int], str]:
    """Return (host, port) → camera name of every nvr_text camera of the hub now listening.

    Read from the running cameras in ``entry.runtime_data`` (no state of our own in
    ``hass.data``).
    """
    result: dict[tuple[str, int], str] = {}
    for entry in hass.config_entries.async_loaded_entries(DOMAIN):
        for camera in entry.runtime_data.cameras.values():
            source = camera.source
            if isinstance(source, NvrTextSource) and source.listening:
                result[(source.host, source.port)] = source.ctx.name
    return result


def _schema(hass: HomeAssistant, current: Mapping[str, Any]) -> vol.Schema:
    box = selector.NumberSelectorMode.BOX
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=DEFAULT_HOST): selector.TextSelector(),
            vol.Required(CONF_PORT, default=DEFAULT_PORT): port_selector(),
            vol.Required(CONF_START, default=DEFAULT_START): selector.TextSelector(),
            vol.Required(CONF_END, default=DEFAULT_END): selector.TextSelector(),
            vol.Required(CONF_ENCODING, default=DEFAULT_ENCODING): selector.TextSelector(),
            vol.Required(CONF_IDLE_TIMEOUT, default=DEFAULT_IDLE_TIMEOUT): selector.NumberSelector(
                selector.NumberSelectorConfig(
                    min=1, max=86400, step=1, unit_of_measurement="s", mode=box
                )
            ),
            vol.Required(
                CONF_MAX_CONNECTIONS, default=DEFAULT_MAX_CONNECTIONS
            ): selector.NumberSelector(
                selector.NumberSelectorConfig(min=1, max=64, step=1, mode=box)
            ),
        }
    )


def _decoder(data: Mapping[str, Any]) -> TextStreamDecoder:
    return TextStreamDecoder(
        unescape_marker(str(data.get(CONF_START, DEFAULT_START))),
        unescape_marker(str(data.get(CONF_END, DEFAULT_END))),
        str(data.get(CONF_ENCODING, DEFAULT_ENCODING)),
        DEFAULT_MAX_READ,
    )


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    host = str(data.get(CONF_HOST) or DEFAULT_HOST).strip()
    port = int(data.get(CONF_PORT, DEFAULT_PORT))
    data[CONF_HOST], data[CONF_PORT] = host, port
    data[CONF_MAX_CONNECTIONS] = int(data.get(CONF_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS))
    data[CONF_IDLE_TIMEOUT] = float(data.get(CONF_IDLE_TIMEOUT, DEFAULT_IDLE_TIMEOUT))
    try:
        check_encoding(str(data.get(CONF_ENCODING, DEFAULT_ENCODING)))
    except NvrTextError as err:
        raise SourceValidationError("invalid_encoding", CONF_ENCODING) from err
    if not str(data.get(CONF_END, "")):
        raise SourceValidationError("end_string_required", CONF_END)
    try:
        _decoder(data)
    except NvrTextError as err:
        raise SourceValidationError("invalid_encoding", CONF_ENCODING) from err
    owner = _listeners(hass).get((host, port))
    if owner is None:
        try:
            server = await asyncio.start_server(lambda r, w: None, host, port, reuse_address=True)
        except OSError as err:
            LOGGER.debug("Cannot bind %s:%s: %s", host, port, err)
            # asyncio's create_server skips addresses that fail with EADDRNOTAVAIL and, when
            # none is left, raises an OSError without errno: the address is not on this machine
            # (tests/test_nvr_text.py::test_flow_refuses_bad_markers_and_foreign_host).
            if err.errno is None or isinstance(err, socket.gaierror):
                raise SourceValidationError("invalid_host", CONF_HOST) from err
            raise SourceValidationError("port_in_use", CONF_PORT, {"port": str(port)}) from err
        server.close()
        await server.wait_closed()
    elif owner != data.get(CONF_NAME):
        raise SourceValidationError("port_in_use", CONF_PORT, {"port": str(port)})
    # No unique id: the port may change on reconfigure; two cameras on one port are refused above.
    return ValidatedCamera(data=data, device={"model": "NVR text"})


class NvrTextSource(AnprSource):
    """The listening socket and its connections."""

    def __init__(self, ctx: SourceContext) -> None:
        """Read settings; nothing is bound until :meth:`async_start`."""
        super().__init__(ctx)
        self.host = str(ctx.data.get(CONF_HOST, DEFAULT_HOST))
        self.port = int(ctx.data.get(CONF_PORT, DEFAULT_PORT))
        self.idle_timeout = float(ctx.data.get(CONF_IDLE_TIMEOUT, DEFAULT_IDLE_TIMEOUT))
        self.max_connections = int(ctx.data.get(CONF_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS))
        _decoder(ctx.data)  # settings were validated; fail early if not
        self._server: asyncio.Server | None = None
        self._bind_task: asyncio.Task[None] | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._warned_limit = False
        self.counters: dict[str, int] = {
            "connections": 0,
            "refused": 0,
            "idle_closed": 0,
            "reads": 0,
            "skipped": 0,
        }

    async def async_start(self) -> None:
        """Bind the port (retrying in the background when it is taken)."""
        if not await self._bind(log_failure=True):
            self._bind_task = self.ctx.create_task(self._rebind(), "nvr text bind")

    async def _bind(self, log_failure: bool) -> bool:
        try:
            self._server = await asyncio.start_server(
                self._on_connect, self.host, self.port, reuse_address=True
            )
        except OSError as err:
            if log_failure:
                LOGGER.error(
                    "Camera %s: cannot listen on %s:%s (%s); retrying every %.0f s",
                    self.ctx.name,
                    self.host,
                    self.port,
                    err.strerror or err,
                    REBIND_DELAY,
                )
            return False
        LOGGER.debug("Camera %s: listening on %s:%s", self.ctx.name, self.host, self.port)
        return True

    async def _rebind(self) -> None:
        while True:
            await asyncio.sleep(REBIND_DELAY)
            if await self._bind(log_failure=False):
                break
        LOGGER.info("Camera %s: now listening on %s:%s", self.ctx.name, self.host, self.port)

    @property
    def listening(self) -> bool:
        """True while the listener socket is open."""
        return self._server is not None and self._server.is_serving()

    async def async_stop(self) -> None:
        """Close the listener and every connection."""
        if self._bind_task is not None:
            self._bind_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._bind_task
            self._bind_task = None
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.wait(self._connections, timeout=5)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    @callback
    def diagnostics(self) -> dict[str, Any]:
        """Return the listener state and counters."""
        return {
            "listening": self._server is not None,
            "port": self.port,
            "open_connections": len(self._writers),
            "counters": dict(self.counters),
        }

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(self._writers) >= self.max_connections:
            self.counters["refused"] += 1
            log = LOGGER.debug if self._warned_limit else LOGGER.warning
            self._warned_limit = True
            log(
                "Camera %s: refused a connection from %s (limit of %d connections)",
                self.ctx.name,
                _peer(writer),
                self.max_connections,
            )
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None  # start_server runs every connection callback in a task
        self._connections.add(task)
        self._writers.add(writer)
        self.counters["connections"] += 1
        decoder = _decoder(self.ctx.data)
        try:
            while True:
                try:
                    async with asyncio.timeout(self.idle_timeout):
                        data = await reader.read(_READ_SIZE)
                except TimeoutError:
                    self.counters["idle_closed"] += 1
                    LOGGER.debug(
                        "Camera %s: closed idle connection from %s", self.ctx.name, _peer(writer)
                    )
                    break
                if not data:
                    break
                try:
                    self._handle(decoder.feed(data))
                except Exception as err:  # one bad chunk must not end the sender
                    self.counters["skipped"] += 1
                    LOGGER.warning(
                        "Camera %s: skipped %d bytes that could not be handled (%s)",
                        self.ctx.name,
                        len(data),
                        type(err).__name__,
                    )
                    LOGGER.debug("Camera %s: handling failed", self.ctx.name, exc_info=True)
                    decoder = _decoder(self.ctx.data)
        except OSError as err:
            LOGGER.debug("Camera %s: connection error: %s", self.ctx.name, err)
        finally:
            self._writers.discard(writer)
            writer.close()
            self._connections.discard(task)

    def _handle(self, items: list[str | TextIssue]) -> None:
        for item in items:
            if isinstance(item, TextIssue):
                self.counters["skipped"] += 1
                LOGGER.warning(
                    "Camera %s: skipped %d bytes: %s", self.ctx.name, item.dropped, item.reason
                )
                continue
            read = plate_read(item)
            read.source = KIND
            self.counters["reads"] += 1
            self.ctx.deliver(read)


def _peer(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else "?"


register(
    SourceKind(
        kind=KIND,
        factory=NvrTextSource,
        schema=_schema,
        validate=_validate,
        image_entities=(),  # text only: no pictures at all
        manufacturer="Generic",
        model="NVR text device",
    )
)
