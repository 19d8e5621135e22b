"""A small asyncio RTSP client for the ONVIF metadata track (no Home Assistant import).

It does exactly what an ONVIF metadata consumer needs:

* ``DESCRIBE`` with Digest (RFC 2617, MD5, ``qop=auth`` or none) or Basic authentication,
  then :func:`~.sdp.parse_sdp` to find the metadata track,
* ``SETUP`` of that single track over TCP interleaved (``RTP/AVP/TCP;unicast;interleaved=0-1``),
  ``PLAY``, keep-alive with ``GET_PARAMETER`` (or ``OPTIONS`` when the server does not list
  GET_PARAMETER) well within the session timeout, ``TEARDOWN`` on close,
* demultiplexing of RTP-over-TCP interleaved frames (``$``, channel, 16-bit length) from RTSP
  responses on the same connection (RFC 2326 §10.12), and
* :class:`~.rtp.MetadataReassembler` to turn the RTP payloads into XML documents.

Why our own code: no maintained Python library delivers ONVIF metadata documents end to end
(aiortsp, LGPL, stops at raw RTP packets of one media; PyAV and the others are video/audio
oriented), so the client is ours and small. Source: ``docs/protocols.md``, "ONVIF metadata over
RTSP"; RFC 2326 (RTSP 1.0).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
import hashlib
import logging
import os
import re
import ssl
import struct
import time
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from .errors import RtspAuthError, RtspError, RtspStatusError
from .rtp import MAX_DOCUMENT_BYTES, MetadataReassembler, ReassemblyStats, parse_rtp
from .sdp import MetadataTrack, parse_sdp

_LOGGER = logging.getLogger(__name__)

#: Largest RTSP response header block and body (SDP, errors) accepted.
MAX_RTSP_HEADER_BYTES = 64 * 1024
MAX_RTSP_BODY_BYTES = 256 * 1024
#: Session timeout assumed when the server's ``Session`` header gives none (RFC 2326 default).
DEFAULT_SESSION_TIMEOUT = 60.0
USER_AGENT = "anpr-homeassistant/1.0"


# --- RTSP-over-TCP framing (RFC 2326 §10.12 interleaved binary data) ------------------------


@dataclass(slots=True)
class RtspResponse:
    """An RTSP response: status, reason, headers (lower-case names) and body bytes."""

    status: int
    reason: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def cseq(self) -> int | None:
        """The response's CSeq as an int (None when absent or not numeric)."""
        try:
            return int(self.headers.get("cseq", "").strip())
        except ValueError:
            return None


@dataclass(slots=True)
class InterleavedFrame:
    """One ``$``-framed binary packet: ``channel`` and the packet bytes."""

    channel: int
    data: bytes


class InterleavedDemuxer:
    """Split a TCP byte stream into interleaved frames and RTSP messages (RFC 2326 §10.12).

    ``feed(chunk)`` yields :class:`InterleavedFrame` and :class:`RtspResponse` objects as soon as
    each is complete; input may be cut anywhere. Work is linear in the input (a consumed prefix
    is dropped, the buffer is never re-scanned from the start). Server *requests* (e.g. a
    server-sent ``ANNOUNCE``/``OPTIONS``) are yielded as an :class:`RtspResponse` with status 0.
    Raises :class:`RtspError` for garbage it cannot resynchronise or oversize messages.
    """

    def __init__(self) -> None:
        """Start with an empty buffer."""
        self._buf = bytearray()
        self._pending: tuple[RtspResponse, int] | None = None

    def feed(self, chunk: bytes) -> Iterator[InterleavedFrame | RtspResponse]:
        """Add bytes and yield every complete frame or message."""
        buf = self._buf
        buf += chunk
        pos = 0
        try:
            while True:
                if self._pending is not None:
                    message, length = self._pending
                    if len(buf) - pos < length:
                        break
                    message.body = bytes(buf[pos : pos + length])
                    pos += length
                    self._pending = None
                    yield message
                    continue
                if len(buf) - pos < 1:
                    break
                if buf[pos] == 0x24:  # '$'
                    if len(buf) - pos < 4:
                        break
                    channel = buf[pos + 1]
                    (length,) = struct.unpack_from("!H", buf, pos + 2)
                    if len(buf) - pos < 4 + length:
                        break
                    data = bytes(buf[pos + 4 : pos + 4 + length])
                    pos += 4 + length
                    yield InterleavedFrame(channel, data)
                    continue
                if buf[pos] in (0x0D, 0x0A):  # stray line ending between messages
                    pos += 1
                    continue
                end = buf.find(b"\r\n\r\n", pos)
                if end < 0:
                    if len(buf) - pos > MAX_RTSP_HEADER_BYTES:
                        raise RtspError("RTSP header block too large or garbage in stream")
                    break
                head = bytes(buf[pos:end]).decode("utf-8", "replace")
                pos = end + 4
                message = _parse_head(head)
                length = _content_length(message.headers)
                if length:
                    self._pending = (message, length)
                    continue
                yield message
        finally:
            del buf[:pos]


def _content_length(headers: dict[str, str]) -> int:
    try:
        length = int(headers.get("content-length", "0").strip() or 0)
    except ValueError as err:
        raise RtspError("bad Content-Length in RTSP message") from err
    if length < 0 or length > MAX_RTSP_BODY_BYTES:
        raise RtspError("RTSP message body too large")
    return length


def _parse_head(head: str) -> RtspResponse:
    lines = head.split("\r\n")
    start = lines[0].strip()
    if start.startswith("RTSP/"):
        parts = start.split(" ", 2)
        try:
            status = int(parts[1])
        except (IndexError, ValueError) as err:
            raise RtspError(f"bad RTSP status line {start[:60]!r}") from err
        reason = parts[2] if len(parts) > 2 else ""
    elif start.endswith("RTSP/1.0"):
        status, reason = 0, start.split(" ", 1)[0]  # a request from the server
    else:
        raise RtspError(f"unexpected data in RTSP stream {start[:40]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            continue
        key = name.strip().lower()
        value = value.strip()
        if key == "www-authenticate" and key in headers:
            headers[key] += "\n" + value  # keep every challenge
        else:
            headers[key] = value
    return RtspResponse(status=status, reason=reason, headers=headers)


# --- Authentication -------------------------------------------------------------------------

_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


@dataclass(slots=True)
class _Authenticator:
    """Digest (RFC 2617, MD5/MD5-sess, qop auth) or Basic credentials for RTSP requests."""

    username: str
    password: str
    scheme: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    nonce_count: int = 0

    def challenge(self, header: str) -> bool:
        """Take the server's WWW-Authenticate challenges; prefer Digest. False if none usable."""
        best: tuple[str, dict[str, str]] | None = None
        for raw in header.split("\n"):
            scheme, _, rest = raw.strip().partition(" ")
            low = scheme.lower()
            params = {
                m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
                for m in _CHALLENGE_PARAM.finditer(rest)
            }
            if low == "digest" and "nonce" in params:
                best = ("digest", params)
                break
            if low == "basic" and best is None:
                best = ("basic", params)
        if best is None:
            return False
        self.scheme, self.params = best
        self.nonce_count = 0
        return True

    def header(self, method: str, uri: str) -> str | None:
        """Return the Authorization header value for one request (None before a challenge)."""
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return f"Basic {token}"
        if self.scheme != "digest":
            return None
        realm = self.params.get("realm", "")
        nonce = self.params.get("nonce", "")
        algorithm = self.params.get("algorithm", "MD5")
        qop_options = [q.strip() for q in self.params.get("qop", "").split(",") if q.strip()]

        def md5(text: str) -> str:
            return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

        ha1 = md5(f"{self.username}:{realm}:{self.password}")
        cnonce = os.urandom(8).hex()
        if algorithm.lower() == "md5-sess":
            ha1 = md5(f"{ha1}:{nonce}:{cnonce}")
        ha2 = md5(f"{method}:{uri}")
        parts = [
            f'username="{self.username}"',
            f'realm="{realm}"',
            f'nonce="{nonce}"',
            f'uri="{uri}"',
        ]
        if "auth" in qop_options:
            self.nonce_count += 1
            nc = f"{self.nonce_count:08x}"
            response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            parts += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            response = md5(f"{ha1}:{nonce}:{ha2}")
        parts.append(f'response="{response}"')
        if "opaque" in self.params:
            parts.append(f'opaque="{self.params["opaque"]}"')
        if "algorithm" in self.params:
            parts.append(f"algorithm={algorithm}")
        return "Digest " + ", ".join(parts)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """Return ``(url without userinfo, username, password)`` for an ``rtsp://`` URL."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return clean, user, password


def redact_url(url: str) -> str:
    """Return ``url`` without its userinfo, for logs."""
    return split_credentials(url)[0]


def with_credentials(url: str, username: str, password: str) -> str:
    """Return ``url`` with percent-encoded userinfo (used by tools, never logged)."""
    parts = urlsplit(url)
    netloc = f"{quote(username, safe='')}:{quote(password, safe='')}@{parts.netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


# --- The client -----------------------------------------------------------------------------


@dataclass(slots=True)
class RtspSessionInfo:
    """What the client negotiated: the track, the session id and its timeout (seconds)."""

    track: MetadataTrack
    session_id: str
    timeout: float
    keepalive_method: str


@dataclass(slots=True)
class RtspClientStats:
    """Counters for diagnostics."""

    keepalives: int = 0
    documents: int = 0
    bytes_received: int = 0


class RtspMetadataClient:
    """Receive ONVIF metadata documents from one RTSP URL (ONVIF Streaming Specification).

    Usage::

        client = RtspMetadataClient(url, username, password, on_document=handle)
        info = await client.start()      # DESCRIBE, SETUP (TCP interleaved), PLAY
        await client.wait_closed()       # returns/raises when the connection ends
        await client.close()             # TEARDOWN (best effort) and close

    ``on_document(bytes)`` is called in the event loop for every complete XML document (gzip
    already inflated). Credentials may also come from the URL's userinfo; they never appear in
    logs or exceptions. ``timeout`` bounds the connect and every request (seconds).
    ``ssl_context`` is used for ``rtsps://`` (pass one built outside the event loop; cameras
    usually have self-signed certificates).

    Raises (from :meth:`start` and :meth:`wait_closed`): :class:`RtspAuthError`,
    :class:`NoMetadataTrackError`, :class:`RtspStatusError`, :class:`RtspError` (connection
    refused/lost, keep-alive unanswered, malformed stream).
    """

    def __init__(
        self,
        url: str,
        username: str | None = None,
        password: str | None = None,
        *,
        on_document: Callable[[bytes], None],
        timeout: float = 10.0,
        max_document_bytes: int = MAX_DOCUMENT_BYTES,
        keepalive_interval: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """Store the target; nothing is connected before :meth:`start`."""
        clean, url_user, url_pass = split_credentials(url)
        self.url = clean
        self._auth = _Authenticator(
            username if username is not None else (url_user or ""),
            password if password is not None else (url_pass or ""),
        )
        self._has_credentials = bool(self._auth.username or self._auth.password)
        self._on_document = on_document
        self._timeout = timeout
        self._max_document = max_document_bytes
        self._keepalive_override = keepalive_interval
        self._ssl_context = ssl_context
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._demux = InterleavedDemuxer()
        self._cseq = 0
        self._waiters: dict[int, asyncio.Future[RtspResponse]] = {}
        self._read_task: asyncio.Task[None] | None = None
        self._keepalive_task: asyncio.Task[None] | None = None
        self._closed: asyncio.Future[None] | None = None
        self._session: str | None = None
        self._session_url = self.url
        self._public: set[str] = set()
        self._rtp_channel = 0
        self._reassembler: MetadataReassembler | None = None
        self.info: RtspSessionInfo | None = None
        self.stats = RtspClientStats()

    @property
    def reassembly_stats(self) -> ReassemblyStats | None:
        """Reassembler counters (None before SETUP)."""
        return self._reassembler.stats if self._reassembler else None

    async def start(self) -> RtspSessionInfo:
        """Connect, DESCRIBE, SETUP the metadata track over TCP interleaved and PLAY."""
        parts = urlsplit(self.url)
        if parts.scheme.lower() not in ("rtsp", "rtsps"):
            raise RtspError("the stream URL must start with rtsp://")
        host = parts.hostname
        if not host:
            raise RtspError("the stream URL has no host")
        port = parts.port or (322 if parts.scheme.lower() == "rtsps" else 554)
        loop = asyncio.get_running_loop()
        self._closed = loop.create_future()
        try:
            async with asyncio.timeout(self._timeout):
                secure = parts.scheme.lower() == "rtsps"
                self._reader, self._writer = await asyncio.open_connection(
                    host, port, ssl=(self._ssl_context or True) if secure else None
                )
        except (OSError, TimeoutError) as err:
            raise RtspError(f"cannot connect to {host}:{port} ({err or 'timeout'})") from err
        self._read_task = loop.create_task(self._read_loop(), name="anpr rtsp reader")
        try:
            return await self._negotiate()
        except BaseException:
            await self._abort()
            raise

    async def _negotiate(self) -> RtspSessionInfo:
        options = await self._request("OPTIONS", self.url, allow_error=True)
        if 200 <= options.status < 300:
            self._public = {p.strip().upper() for p in options.headers.get("public", "").split(",")}
        describe = await self._request("DESCRIBE", self.url, {"Accept": "application/sdp"})
        base = (
            describe.headers.get("content-base")
            or describe.headers.get("content-location")
            or self.url
        )
        sdp = describe.body.decode("utf-8", "replace")
        track = parse_sdp(sdp, base)
        self._reassembler = MetadataReassembler(
            payload_type=track.payload_type, gzip=track.gzip, max_bytes=self._max_document
        )
        setup = await self._request(
            "SETUP",
            track.control_url,
            {"Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"},
        )
        session_header = setup.headers.get("session", "")
        session_id, _, params = session_header.partition(";")
        session_id = session_id.strip()
        if not session_id:
            raise RtspError("SETUP answer carries no Session")
        timeout = DEFAULT_SESSION_TIMEOUT
        match = re.search(r"timeout\s*=\s*(\d+)", params, re.IGNORECASE)
        if match:
            timeout = max(float(match.group(1)), 1.0)
        transport = setup.headers.get("transport", "")
        match = re.search(r"interleaved\s*=\s*(\d+)", transport, re.IGNORECASE)
        if transport and "tcp" not in transport.lower():
            raise RtspError("the camera refused RTP over TCP interleaved")
        self._rtp_channel = int(match.group(1)) if match else 0
        self._session = session_id
        self._session_url = track.aggregate_url or self.url
        await self._request("PLAY", self._session_url, {"Range": "npt=0.000-"})
        method = "GET_PARAMETER" if "GET_PARAMETER" in self._public else "OPTIONS"
        self.info = RtspSessionInfo(
            track=track, session_id=session_id, timeout=timeout, keepalive_method=method
        )
        interval = self._keepalive_override or max(min(timeout * 0.5, timeout - 5.0), 0.5)
        self._keepalive_task = asyncio.get_running_loop().create_task(
            self._keepalive_loop(method, interval), name="anpr rtsp keepalive"
        )
        return self.info

    async def wait_closed(self) -> None:
        """Wait until the connection ends; raise :class:`RtspError` unless closed by us."""
        if self._closed is None:
            raise RtspError("not started")
        await asyncio.shield(self._closed)

    async def close(self) -> None:
        """Send TEARDOWN (best effort, short timeout) and close the connection."""
        if self._writer is not None and self._session and not self._is_done():
            with suppress(RtspError, OSError, TimeoutError):
                async with asyncio.timeout(min(self._timeout, 2.0)):
                    await self._request("TEARDOWN", self._session_url, allow_error=True)
        await self._abort()

    def _is_done(self) -> bool:
        return self._closed is None or self._closed.done()

    async def _abort(self, error: BaseException | None = None) -> None:
        if self._closed is not None and not self._closed.done():
            if error is None:
                self._closed.set_result(None)
            else:
                self._closed.set_exception(error)
                self._closed.exception()  # mark retrieved; wait_closed re-raises it
        current = asyncio.current_task()
        for task in (self._keepalive_task, self._read_task):
            if task is not None and task is not current and not task.done():
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
        for waiter in self._waiters.values():
            if not waiter.done():
                waiter.set_exception(RtspError("connection closed"))
                waiter.exception()
        self._waiters.clear()
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
            with suppress(OSError, ConnectionError):
                # Shielded: the close waiter is shared, and cancelling another task that
                # waits on it (the reader) must not cancel it for us.
                await asyncio.shield(writer.wait_closed())

    async def _request(
        self,
        method: str,
        url: str,
        headers: dict[str, str] | None = None,
        *,
        allow_error: bool = False,
    ) -> RtspResponse:
        response = await self._send(method, url, headers)
        if response.status == 401:
            # First challenge, a stale nonce, or a camera that rotates its nonce during a long
            # session: answer the (new) challenge once; a second 401 means refused credentials.
            challenge = response.headers.get("www-authenticate", "")
            if not self._has_credentials or not self._auth.challenge(challenge):
                raise RtspAuthError("the camera refused the RTSP credentials")
            response = await self._send(method, url, headers)
            if response.status == 401:
                raise RtspAuthError("the camera refused the RTSP credentials")
        if not 200 <= response.status < 300 and not allow_error:
            raise RtspStatusError(method, response.status, response.reason)
        return response

    async def _send(self, method: str, url: str, headers: dict[str, str] | None) -> RtspResponse:
        writer = self._writer
        if writer is None or self._is_done():
            raise RtspError("connection closed")
        self._cseq += 1
        cseq = self._cseq
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {cseq}", f"User-Agent: {USER_AGENT}"]
        auth = self._auth.header(method, url)
        if auth:
            lines.append(f"Authorization: {auth}")
        if self._session:
            lines.append(f"Session: {self._session}")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        waiter: asyncio.Future[RtspResponse] = asyncio.get_running_loop().create_future()
        self._waiters[cseq] = waiter
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            async with asyncio.timeout(self._timeout):
                await writer.drain()
                return await waiter
        except TimeoutError as err:
            raise RtspError(f"no answer to RTSP {method} within {self._timeout:g} s") from err
        except (OSError, ConnectionError) as err:
            raise RtspError(f"connection lost during RTSP {method} ({err})") from err
        finally:
            self._waiters.pop(cseq, None)

    async def _read_loop(self) -> None:
        reader = self._reader
        assert reader is not None
        error: BaseException | None = None
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    error = RtspError("the camera closed the RTSP connection")
                    break
                self.stats.bytes_received += len(chunk)
                for item in self._demux.feed(chunk):
                    if isinstance(item, InterleavedFrame):
                        self._on_frame(item)
                    else:
                        self._on_response(item)
        except asyncio.CancelledError:
            raise
        except (OSError, ConnectionError) as err:
            error = RtspError(f"RTSP connection lost ({err})")
        except RtspError as err:
            error = err
        await self._abort(error)

    def _on_response(self, response: RtspResponse) -> None:
        if response.status == 0:
            _LOGGER.debug("Ignoring a request sent by the RTSP server: %s", response.reason)
            return
        cseq = response.cseq
        waiter = self._waiters.get(cseq) if cseq is not None else None
        if waiter is None and cseq is None and len(self._waiters) == 1:
            waiter = next(iter(self._waiters.values()))  # servers that drop CSeq
        if waiter is not None and not waiter.done():
            waiter.set_result(response)

    def _on_frame(self, frame: InterleavedFrame) -> None:
        if frame.channel != self._rtp_channel or self._reassembler is None:
            return  # RTCP or another channel
        try:
            packet = parse_rtp(frame.data)
        except RtspError as err:
            _LOGGER.debug("Skipping a malformed RTP packet: %s", err)
            return
        document = self._reassembler.feed(packet)
        if document is None:
            return
        self.stats.documents += 1
        try:
            self._on_document(document)
        except Exception:
            _LOGGER.exception("Error while handling an ONVIF metadata document")

    async def _keepalive_loop(self, method: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            started = time.monotonic()
            try:
                response = await self._request(method, self._session_url, allow_error=True)
            except RtspError as err:
                await self._abort(RtspError(f"RTSP keep-alive failed ({err})"))
                return
            if response.status in (454, 408):  # session not found / timed out
                await self._abort(RtspError("the camera ended the RTSP session"))
                return
            if response.status == 405 and method == "GET_PARAMETER":
                method = "OPTIONS"
            self.stats.keepalives += 1
            _LOGGER.debug(
                "RTSP keep-alive %s answered %d in %.1f ms",
                method,
                response.status,
                (time.monotonic() - started) * 1000,
            )
