"""Kinds that hold one HTTP event stream open: Hikvision ``alertStream``, Dahua ``attach``.

The camera answers one GET with a multipart body that never ends (``docs/protocols.md``,
"Hikvision ISAPI" / "alertStream (arming)" and "Dahua"). :class:`EventStreamSource` keeps that
stream open and does what both kinds share:

* feed every chunk to a :class:`~..protocols.multipart.MultipartStreamParser` (per-part size
  cap) and every part to the kind's event assembler, which pairs an event's text with the
  pictures that follow it;
* deliver a read as soon as it is complete, and one whose announced pictures stop coming
  ``picture_wait`` seconds after the last bytes; on a cut, deliver what the text already gave;
* count any bytes as liveness (the kind's client raises on a read timeout);
* reconnect: a stream that ran for ``quiet_reconnect_after`` seconds is re-opened at once and
  the camera stays available (cameras end long streams, or send no heartbeat); otherwise the
  camera counts as disconnected and the next attempt waits the back-off (exponential, jitter);
* refused credentials end the loop and start the reauthentication flow.

A kind subclasses it and provides the stream, the assembler and delivery.
"""

from __future__ import annotations

from abc import abstractmethod
import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from typing import Any, ClassVar, Protocol

from homeassistant.core import callback

from ..const import LOGGER
from ..protocols.models import PlateRead
from ..protocols.multipart import (
    MultipartError,
    MultipartStreamParser,
    Part,
    boundary_from_content_type,
)
from .base import AnprSource, BackgroundTasks, Backoff, SourceContext


class OpenStream(Protocol):
    """An open event stream: the answer's ``Content-Type`` and its raw byte chunks."""

    content_type: str
    chunks: AsyncIterator[bytes]


class EventAssembler(Protocol):
    """Pairs an event's text part with its picture parts (one per stream connection).

    ``add`` returns the reads completed by a part (raises the kind's ``part_errors`` for a bad
    part); ``has_pending`` is True while a read waits for announced pictures; ``flush``
    returns the waiting reads without the missing pictures; ``stats`` is a dataclass of counts.
    """

    @property
    def has_pending(self) -> bool:
        """True while a read waits for its pictures."""

    @property
    def stats(self) -> Any:
        """Counts of what the assembler saw (a dataclass)."""

    def add(self, part: Part) -> list[PlateRead]:
        """Process one part; return the reads it completed."""

    def flush(self) -> list[PlateRead]:
        """Return every waiting read as it is."""


@dataclass(frozen=True, kw_only=True)
class StreamTimings:
    """Tunables of one stream kind (seconds, and bytes for ``max_part_size``)."""

    backoff_min: float
    backoff_max: float
    quiet_reconnect_after: float
    picture_wait: float
    max_part_size: int


class EventStreamSource(AnprSource):
    """A camera adapter that keeps one multipart event stream open (see the module docstring).

    Subclasses set :attr:`stream_name`, :attr:`part_name`, :attr:`auth_errors`,
    :attr:`part_errors` and :attr:`stream_errors`, and implement :meth:`_open_stream`,
    :meth:`_new_assembler` and :meth:`_deliver`. Counters shared by both kinds: ``reads`` (the
    subclass counts them when it delivers), ``connects``, ``disconnects``, ``bad_parts``.
    """

    #: The stream in log lines and the task name ("alertStream", "event stream").
    stream_name: ClassVar[str]
    #: A bad part in log lines ("an alertStream part").
    part_name: ClassVar[str]
    #: Credentials refused: stop and ask for reauthentication.
    auth_errors: ClassVar[tuple[type[Exception], ...]]
    #: One part the assembler could not use: skipped with a warning.
    part_errors: ClassVar[tuple[type[Exception], ...]]
    #: The connection failed or ended: reconnect.
    stream_errors: ClassVar[tuple[type[Exception], ...]]

    def __init__(self, ctx: SourceContext, timings: StreamTimings) -> None:
        """Keep the context and the tunables; nothing connects before :meth:`async_start`."""
        super().__init__(ctx)
        self.timings = timings
        self.tasks = BackgroundTasks(ctx)
        self._assembler: EventAssembler | None = None
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_bytes = 0.0
        self._stopping = False
        self._backoff = Backoff(timings.backoff_min, timings.backoff_max)
        self._connected_at: float | None = None
        self.counters: dict[str, int] = {
            "reads": 0,
            "connects": 0,
            "disconnects": 0,
            "bad_parts": 0,
        }
        self.last_error: str | None = None

    # -- what a kind provides -----------------------------------------------------------------

    @abstractmethod
    def _open_stream(self) -> AbstractAsyncContextManager[OpenStream]:
        """Return the context manager that opens the stream (raises ``stream_errors``)."""

    @abstractmethod
    def _new_assembler(self) -> EventAssembler:
        """Return a fresh assembler for a new connection."""

    @abstractmethod
    def _deliver(self, read: PlateRead) -> object:
        """Hand one read on (the kind counts ``reads``)."""

    def _stream_opened(self) -> None:
        """React to a newly opened stream (once per connection; e.g. start a catch-up)."""

    def _stream_failed(self, err: Exception) -> str | None:
        """Return why the stream ended for ``err``; None to reconnect at once, quietly."""
        return str(err)

    def _credentials_refused(self) -> None:
        """React to refused credentials, before the reauthentication flow starts."""

    # -- lifecycle ----------------------------------------------------------------------------

    async def async_start(self) -> None:
        """Start the stream task."""
        self._stopping = False
        self.tasks.spawn(self._async_run_stream(), self.stream_name)

    async def async_stop(self) -> None:
        """Cancel every task and drop the connection."""
        self._stopping = True
        self._cancel_flush()
        await self.tasks.async_cancel_all()

    # -- the stream ---------------------------------------------------------------------------

    async def _async_run_stream(self) -> None:
        """Hold the stream open until stopped, reconnecting as the module docstring says."""
        ended: tuple[type[Exception], ...] = (*self.stream_errors, MultipartError)
        while not self._stopping:
            self._connected_at = None
            reason: str | None
            try:
                await self._async_stream_once()
                reason = "stream closed by the camera"
            except self.auth_errors:
                self.ctx.set_connected(False)
                self.last_error = "credentials refused"
                self._credentials_refused()
                self.ctx.request_reauth()
                return
            except ended as err:
                reason = self._stream_failed(err)
            finally:
                self._end_assembler()
            if reason is None:
                continue
            self.last_error = reason
            self.counters["disconnects"] += 1
            LOGGER.debug("Camera %s: %s ended (%s)", self.ctx.name, self.stream_name, reason)
            loop_time = self.ctx.hass.loop.time()
            connected_for = loop_time - self._connected_at if self._connected_at else 0.0
            if connected_for >= self.timings.quiet_reconnect_after:
                continue  # a long-running stream: re-open at once, stay available
            self.ctx.set_connected(False)
            await asyncio.sleep(self._backoff.next_delay())

    async def _async_stream_once(self) -> None:
        async with self._open_stream() as stream:
            parser = MultipartStreamParser(
                boundary_from_content_type(stream.content_type), self.timings.max_part_size
            )
            self._assembler = self._new_assembler()
            self.counters["connects"] += 1
            self._connected_at = self.ctx.hass.loop.time()
            self._backoff.reset()
            self.last_error = None
            self.ctx.set_connected(True)
            self._stream_opened()
            async for chunk in stream.chunks:
                self._handle_parts(parser.feed(chunk))

    def _end_assembler(self) -> None:
        """Deliver reads whose text arrived before the stream ended (pictures or not)."""
        self._cancel_flush()
        if self._assembler is not None:
            for read in self._assembler.flush():
                self._deliver(read)
            self._assembler = None

    @callback
    def _handle_parts(self, parts: list[Part]) -> None:
        assembler = self._assembler
        if assembler is None:
            return
        for part in parts:
            try:
                reads = assembler.add(part)
            except self.part_errors as err:
                self._log_bad(self.part_name, err)
                continue
            for read in reads:
                self._deliver(read)
        self._last_bytes = self.ctx.hass.loop.time()
        if assembler.has_pending:
            if self._flush_handle is None:
                self._flush_handle = self.ctx.hass.loop.call_later(
                    self.timings.picture_wait, self._flush_pending
                )
        else:
            self._cancel_flush()

    @callback
    def _flush_pending(self) -> None:
        """Deliver a read whose pictures stopped coming (``picture_wait`` without any bytes)."""
        self._flush_handle = None
        idle = self.ctx.hass.loop.time() - self._last_bytes
        if idle < self.timings.picture_wait:
            self._flush_handle = self.ctx.hass.loop.call_later(
                self.timings.picture_wait - idle, self._flush_pending
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
    def _log_bad(self, what: str, err: Exception | str) -> None:
        """Count and log one piece of input that was skipped."""
        self.counters["bad_parts"] += 1
        LOGGER.warning("Camera %s: skipped %s: %s", self.ctx.name, what, err)

    def _parser_stats(self) -> dict[str, Any] | None:
        """Return the current connection's assembler counts for diagnostics (None if closed)."""
        return asdict(self._assembler.stats) if self._assembler else None
