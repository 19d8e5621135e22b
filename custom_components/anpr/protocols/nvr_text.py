"""NVR "text device" stream: plates between start/end strings.

Sources: ``docs/protocols.md``, "NVR text device"; FF Group NumberOK EDGE "ANPR Application
Integration" slides, "Send LP to NVR".

Pure module (no Home Assistant import). NumberOK EDGE (and other LPR apps) connect to the NVR's
text-device TCP port (7001 for CH 1, …) and write the plate between a start and an end string,
``<LPR>`` / ``</LPR>`` by default, in the configured encoding (``US-ASCII`` by default). Several
reads may arrive in one TCP packet and one read may be split across packets. Bytes outside the
markers are ignored.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from .models import PlateRead, ProtocolError

DEFAULT_START = "<LPR>"
DEFAULT_END = "</LPR>"
DEFAULT_ENCODING = "US-ASCII"
#: Default cap on one read between the markers (bytes).
DEFAULT_MAX_READ = 1024


class NvrTextError(ProtocolError):
    """Invalid decoder settings (unknown encoding, missing end string)."""


@dataclass(frozen=True, slots=True)
class TextIssue:
    """Something the decoder skipped: ``reason`` (one log line) and ``dropped`` bytes."""

    reason: str
    dropped: int


def check_encoding(encoding: str) -> str:
    """Return the codec's canonical name; raise :class:`NvrTextError` for an unknown encoding."""
    try:
        return codecs.lookup(encoding.strip()).name
    except (LookupError, AttributeError, ValueError):  # ValueError: a NUL in the name
        raise NvrTextError(f"unknown encoding {encoding!r}") from None


def unescape_marker(value: str) -> str:
    r"""Turn the literal escapes ``\r``, ``\n``, ``\t`` typed in a form into the characters."""
    return value.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")


class TextStreamDecoder:
    """Incremental decoder: :meth:`feed` bytes, get plate texts (and skip notes) back.

    ``start`` may be empty (then each read ends at ``end``); ``end`` must not be empty.
    ``max_read`` caps the bytes between the markers: a longer read is dropped and the decoder
    resynchronises on the next start string. Memory is bounded by ``max_read`` plus the markers;
    each byte is searched at most twice (linear). Raises :class:`NvrTextError` for invalid
    settings only; bad input is reported as :class:`TextIssue` items.
    """

    def __init__(
        self,
        start: str = DEFAULT_START,
        end: str = DEFAULT_END,
        encoding: str = DEFAULT_ENCODING,
        max_read: int = DEFAULT_MAX_READ,
    ) -> None:
        """Encode the markers with ``encoding``."""
        self.encoding = check_encoding(encoding)
        if not end:
            raise NvrTextError("the end string must not be empty")
        try:
            self._start = start.encode(self.encoding)
            self._end = end.encode(self.encoding)
        except (UnicodeError, LookupError):  # "undefined" and bytes-to-bytes codecs such as "uu"
            raise NvrTextError("start/end strings cannot be written in this encoding") from None
        self.max_read = max_read
        self._buf = bytearray()
        self._in_read = not self._start
        self._scan = 0
        self.reads = 0

    def feed(self, data: bytes | bytearray | memoryview) -> list[str | TextIssue]:
        """Add stream bytes; return the completed plate texts (stripped) and skip notes."""
        buf = self._buf
        buf += data
        out: list[str | TextIssue] = []
        while True:
            if not self._in_read:
                idx = buf.find(self._start, self._scan)
                if idx < 0:
                    keep = len(self._start) - 1
                    if len(buf) > keep:
                        del buf[: len(buf) - keep]
                    self._scan = 0
                    break
                del buf[: idx + len(self._start)]
                self._in_read = True
                self._scan = 0
            idx = buf.find(self._end, self._scan)
            if idx < 0:
                if len(buf) > self.max_read + len(self._end):
                    out.append(
                        TextIssue(f"read over {self.max_read} bytes without end string", len(buf))
                    )
                    # Clear only what is before the next read's start string: it may already
                    # be buffered, or cut at the end of the TCP segment.
                    restart = buf.rfind(self._start) if self._start else -1
                    if restart >= 0:  # a new read began inside the over-long one
                        del buf[: restart + len(self._start)]
                        self._in_read = True
                    else:  # keep what may be the beginning of the next start string
                        del buf[: len(buf) - max(len(self._start) - 1, 0)]
                        self._in_read = not self._start
                    self._scan = 0
                    continue
                self._scan = max(0, len(buf) - len(self._end) + 1)
                break
            raw = bytes(buf[:idx])
            del buf[: idx + len(self._end)]
            self._in_read = not self._start
            self._scan = 0
            if self._start and self._start in raw:
                # A start string without its end: keep only the last read. This comes before
                # the size check, so a good read after an over-long unterminated one survives.
                cut = raw.rfind(self._start)
                if cut > self.max_read:  # the unterminated read was over the cap: say so
                    reason = f"read over {self.max_read} bytes without end string"
                    out.append(TextIssue(reason, cut))
                raw = raw[cut + len(self._start) :]
            if len(raw) > self.max_read:
                out.append(TextIssue(f"read over {self.max_read} bytes", len(raw)))
                continue
            try:
                text = raw.decode(self.encoding).strip().strip("\x00").strip()
            except UnicodeDecodeError:
                out.append(TextIssue(f"read not valid {self.encoding}", len(raw)))
                continue
            if not text:
                out.append(TextIssue("empty read", len(raw)))
                continue
            self.reads += 1
            out.append(text)
        return out


def plate_read(text: str) -> PlateRead:
    """Wrap one decoded text as a :class:`PlateRead` (time = receive time; no other fields)."""
    return PlateRead(plate=text)
