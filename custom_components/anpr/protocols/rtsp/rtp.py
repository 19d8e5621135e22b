"""RTP packets and their reassembly into ONVIF metadata documents (no Home Assistant import).

The RTP fixed header (RFC 3550 §5.1) is 12 bytes, decoded with :mod:`struct` in the hot path.
A metadata document spans any number of RTP payloads and ends with the packet whose marker bit
is set; the ``+gzip`` variant carries one GZIP member per document. Sources: ONVIF Streaming
Specification, "RTP for Metadata stream"; ``docs/protocols.md``, "ONVIF metadata over RTSP".
"""

from __future__ import annotations

from dataclasses import dataclass
import logging
import struct
import zlib

from .errors import RtspError

_LOGGER = logging.getLogger(__name__)

#: Largest XML document reassembled from RTP payloads (bytes, after gzip decompression).
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024

_RTP_HEADER = struct.Struct("!BBHII")


@dataclass(frozen=True, slots=True)
class RtpPacket:
    """One RTP packet (RFC 3550 fixed header); ``payload`` excludes CSRCs, extension, padding."""

    payload_type: int
    marker: bool
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes


def parse_rtp(data: bytes) -> RtpPacket:
    """Decode one RTP packet (RFC 3550 §5.1). Raises :class:`RtspError` when malformed."""
    if len(data) < 12:
        raise RtspError("RTP packet shorter than its 12-byte header")
    first, second, seq, ts, ssrc = _RTP_HEADER.unpack_from(data)
    if first >> 6 != 2:
        raise RtspError("RTP packet with a version other than 2")
    offset = 12 + 4 * (first & 0x0F)
    if first & 0x10:  # header extension
        if len(data) < offset + 4:
            raise RtspError("RTP header extension truncated")
        (ext_words,) = struct.unpack_from("!H", data, offset + 2)
        offset += 4 + 4 * ext_words
    end = len(data)
    if first & 0x20 and end > offset:  # padding
        end -= data[-1]
    if offset > end:
        raise RtspError("RTP packet header longer than the packet")
    return RtpPacket(
        payload_type=second & 0x7F,
        marker=bool(second & 0x80),
        sequence=seq,
        timestamp=ts,
        ssrc=ssrc,
        payload=bytes(data[offset:end]),
    )


@dataclass(slots=True)
class ReassemblyStats:
    """Counters of the reassembler (for diagnostics)."""

    packets: int = 0
    documents: int = 0
    dropped_gap: int = 0
    dropped_oversize: int = 0
    dropped_bad: int = 0


class MetadataReassembler:
    """Concatenate RTP payloads into ONVIF metadata documents ended by the marker bit.

    ONVIF Streaming Specification, "RTP for Metadata stream": a document may span any
    number of packets; the packet that closes it has the marker bit set. ``feed`` returns the
    complete document (bytes, gunzipped when ``gzip``) or None. A sequence-number gap inside a
    document drops that document only (up to its marker); a document above ``max_bytes`` is
    dropped. Never raises for bad packets: they are counted in :attr:`stats` and logged once per
    document at debug level.
    """

    def __init__(
        self,
        *,
        payload_type: int | None = None,
        gzip: bool = False,
        max_bytes: int = MAX_DOCUMENT_BYTES,
    ) -> None:
        """Configure the track's payload type (others are ignored) and the gzip variant."""
        self.payload_type = payload_type
        self.gzip = gzip
        self.max_bytes = max_bytes
        self.stats = ReassemblyStats()
        self._parts: list[bytes] = []
        self._size = 0
        self._expected: int | None = None
        self._broken: str | None = None

    def reset(self) -> None:
        """Forget any partial document (new session)."""
        self._parts.clear()
        self._size = 0
        self._expected = None
        self._broken = None

    def feed(self, packet: RtpPacket) -> bytes | None:
        """Add one packet; return a whole document when ``packet`` closes one."""
        if self.payload_type is not None and packet.payload_type != self.payload_type:
            return None
        self.stats.packets += 1
        if self._expected is not None and packet.sequence != self._expected:
            if _looks_like_document_start(packet.payload, self.gzip):
                # The lost packets ended the previous document (or were a whole document):
                # drop what we hold and start cleanly with this packet.
                if self._parts or self._broken is not None:
                    self.stats.dropped_gap += 1
                    _LOGGER.debug("Dropped an ONVIF metadata document: RTP packets were lost")
                self._parts.clear()
                self._size = 0
                self._broken = None
            else:
                # Lost packets inside a document: drop it up to its marker bit.
                self._broken = "gap"
        self._expected = (packet.sequence + 1) & 0xFFFF
        if self._broken is None:
            self._size += len(packet.payload)
            if self._size > self.max_bytes:
                self._broken = "oversize"
                self._parts.clear()
            else:
                self._parts.append(packet.payload)
        if not packet.marker:
            return None
        broken = self._broken
        data = b"".join(self._parts)
        self._parts.clear()
        self._size = 0
        self._broken = None
        if broken == "gap":
            self.stats.dropped_gap += 1
            _LOGGER.debug("Dropped an ONVIF metadata document: RTP packets were lost")
            return None
        if broken == "oversize":
            self.stats.dropped_oversize += 1
            _LOGGER.warning(
                "Dropped an ONVIF metadata document larger than %d bytes", self.max_bytes
            )
            return None
        if self.gzip or data[:2] == b"\x1f\x8b":
            try:
                data = gunzip_capped(data, self.max_bytes)
            except RtspError as err:
                self.stats.dropped_bad += 1
                _LOGGER.warning("Dropped an ONVIF metadata document: %s", err)
                return None
        if not data.strip():
            return None
        self.stats.documents += 1
        return data


def _looks_like_document_start(payload: bytes, gzip: bool) -> bool:
    """Tell whether ``payload`` begins an XML document (or a GZIP member when ``gzip``)."""
    if payload[:2] == b"\x1f\x8b":
        return True
    if gzip:
        return False
    head = payload[:64].lstrip()
    return head.startswith(b"<?xml") or head[:20].lower().startswith(
        (b"<tt:metadatastream", b"<tt:metadata", b"<metadatastream")
    )


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Decompress one GZIP member (RFC 1952) to at most ``max_bytes``; :class:`RtspError` else."""
    decomp = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header auto-detected
    try:
        out = decomp.decompress(data, max_bytes + 1)
    except zlib.error as err:
        raise RtspError(f"bad gzip payload ({err})") from err
    if len(out) > max_bytes or decomp.unconsumed_tail:
        raise RtspError(f"gzip payload inflates beyond {max_bytes} bytes")
    return out
