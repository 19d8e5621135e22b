"""Streaming, incremental multipart reader tolerant of camera quirks.

Pure module (no Home Assistant import). Used for the Hikvision ISAPI ``alertStream``
(``multipart/mixed``), Hikvision HTTP-listening POSTs and MNPR answers (``multipart/form-data``),
and any other camera that frames events as MIME multipart (``docs/protocols.md``, "Quirks every
parser accepts", "Multipart bodies").

Why not ``aiohttp.MultipartReader``: it is a pull reader over a ``StreamReader`` and insists on
RFC 2046 framing. Hikvision's ``Content-Length`` counts the CRLF that ends the body, so the next
``--boundary`` follows the counted bytes directly; aiohttp then reads ``--boundary`` where it
expects the CRLF and raises ``ValueError`` ("reader did not read all the data or it is malformed").
It also cannot adopt a boundary that differs from the header. ``tests/test_protocol_multipart.py``
proves both. This reader accepts every variant listed there:

* boundary from the ``Content-Type`` parameter (quoted or not, ``boundary:`` typo), the literal
  ``boundary`` when the header has none, or the delimiter actually seen in the body;
* ``Content-Length`` present (exact, or including the trailing CRLF), absent, zero or wrong.
  A plausible length ends the part as soon as its bytes are in, without waiting for the next
  delimiter (a camera sends that only with its next event), provided the body ends like a
  complete XML/JSON document or picture and any bytes already following look like a delimiter;
  otherwise (or without a length) the delimiter decides where the part ends. One trailing CRLF
  is removed from every body (Hikvision counts it; RFC 2046 gives it to the delimiter);
* parts and delimiters split across reads at any byte;
* a per-part size cap (oversize parts are skipped and reported, the stream continues).

The work is linear in the input: every byte is scanned for the delimiter at most once (a scan
position is kept across :meth:`MultipartStreamParser.feed` calls) and consumed bytes are dropped
from the front of the buffer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
import re

from .models import ProtocolError

#: Default cap for one part's body (bytes). A camera JPEG is 50-800 KB.
DEFAULT_MAX_PART_SIZE = 8 * 1024 * 1024
#: Cap for one part's header block (bytes).
DEFAULT_MAX_HEADER_SIZE = 16 * 1024
#: Boundary used by Hikvision devices when the header gives none.
DEFAULT_BOUNDARY = "boundary"

_BOUNDARY_RE = re.compile(r"""boundary\s*[=:]\s*(?:"([^"]*)"|([^;,\s]+))""", re.IGNORECASE)
_PARAM_RE = re.compile(r"""([A-Za-z0-9_*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))""")
_MAX_BOUNDARY_LEN = 200


class MultipartError(ProtocolError):
    """Malformed multipart input (the only exception this module raises for bad input)."""


def boundary_from_content_type(content_type: str | None) -> str:
    """Return the multipart boundary of a ``Content-Type`` header value.

    Accepts ``boundary=x``, ``boundary="x"`` and the ``boundary: x`` typo a user's Hikvision
    stream had. Returns the literal ``"boundary"`` when the header has no boundary parameter (real
    Hikvision devices). Never raises. Source: ``docs/protocols.md``, "Quirks every parser
    accepts", "Multipart bodies".
    """
    if content_type:
        match = _BOUNDARY_RE.search(content_type)
        if match:
            value = (match.group(1) or match.group(2) or "").strip()
            if 0 < len(value) <= _MAX_BOUNDARY_LEN:
                return value
    return DEFAULT_BOUNDARY


def header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split a header value like ``form-data; name="a"; filename=b`` into (``form-data``, params).

    Parameter names are lower-cased; quotes and backslash escapes are removed. Never raises.
    """
    main, params = _header_params(value[:4096])
    return main, dict(params)


@lru_cache(maxsize=512)
def _header_params(value: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for match in _PARAM_RE.finditer(rest):
        raw = match.group(2)
        params[match.group(1).lower()] = (
            re.sub(r"\\(.)", r"\1", raw) if raw is not None else (match.group(3) or "")
        )
    return main.strip().lower(), tuple(params.items())


@dataclass(frozen=True, slots=True)
class Part:
    """One body part.

    - ``headers``: header names lower-cased → value (last one wins).
    - ``body``: the part's bytes without the CRLF that precedes the next delimiter.
    - ``oversize``: True when the body exceeded the cap; ``body`` is then empty and
      ``size`` tells how many bytes were skipped.
    """

    headers: Mapping[str, str]
    body: bytes
    oversize: bool = False
    size: int = 0

    @property
    def content_type(self) -> str:
        """The lower-cased MIME type without parameters (``""`` when absent)."""
        return header_params(self.headers.get("content-type", ""))[0]

    @property
    def charset(self) -> str | None:
        """The ``charset`` parameter of ``Content-Type``, if any."""
        return header_params(self.headers.get("content-type", ""))[1].get("charset")

    @property
    def name(self) -> str | None:
        """``Content-Disposition`` ``name`` parameter (Hikvision: the picture's ``pId``)."""
        return header_params(self.headers.get("content-disposition", ""))[1].get("name")

    @property
    def filename(self) -> str | None:
        """``Content-Disposition`` ``filename`` parameter."""
        return header_params(self.headers.get("content-disposition", ""))[1].get("filename")

    @property
    def content_id(self) -> str | None:
        """``Content-ID`` without angle brackets."""
        value = self.headers.get("content-id")
        return value.strip().strip("<>") if value else None

    def __repr__(self) -> str:
        """Keep body bytes out of logs."""
        return f"Part(content_type={self.content_type!r}, name={self.name!r}, size={self.size})"


def _parse_headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_line in block.split(b"\n"):
        line = raw_line.rstrip(b"\r")
        if not line or b":" not in line:
            continue
        name, _, value = line.partition(b":")
        headers[name.strip().decode("latin-1").lower()] = value.strip().decode(
            "utf-8", "replace"
        )
    return headers


_COMPLETE_ENDINGS = (b">", b"}", b"]", b"\xff\xd9", b"IEND\xaeB`\x82")


def _looks_complete(tail: bytes | bytearray) -> bool:
    """Tell whether a body tail ends an XML/JSON document, a JPEG or a PNG (CRLF ignored)."""
    end = bytes(tail).rstrip(b"\r\n \t")
    return end.endswith(_COMPLETE_ENDINGS)


_PREAMBLE, _HEADERS, _BODY, _SKIP, _DONE = range(5)


@dataclass(slots=True)
class _State:
    mode: int = _PREAMBLE
    headers: dict[str, str] = field(default_factory=dict)
    scan: int = 0  # buffer index from which the delimiter has not been searched yet
    skipped: int = 0  # bytes dropped in _SKIP mode


class MultipartStreamParser:
    """Incremental multipart reader: :meth:`feed` bytes as they arrive, get complete parts back.

    ``boundary`` is the bare boundary (without the leading ``--``), as returned by
    :func:`boundary_from_content_type`. ``max_part_size`` caps each body (bytes); an oversize part
    is returned once as ``Part(oversize=True, body=b"")`` and the reader resynchronises on the next
    delimiter. ``max_header_size`` caps each header block. A stream that never sends the closing
    ``--boundary--`` (Hikvision alertStream) is fine; :attr:`finished` turns True when it does.
    Formats: ``docs/protocols.md``, "Quirks every parser accepts", "Multipart bodies".
    """

    def __init__(
        self,
        boundary: str | bytes = DEFAULT_BOUNDARY,
        max_part_size: int = DEFAULT_MAX_PART_SIZE,
        max_header_size: int = DEFAULT_MAX_HEADER_SIZE,
    ) -> None:
        """Prepare to read parts delimited by ``--<boundary>``."""
        raw = boundary.encode("latin-1") if isinstance(boundary, str) else bytes(boundary)
        if not raw or len(raw) > _MAX_BOUNDARY_LEN:
            raise MultipartError("invalid multipart boundary")
        self._set_boundary(raw)
        self.max_part_size = max_part_size
        self.max_header_size = max_header_size
        self._buf = bytearray()
        self._st = _State()
        self.bytes_fed = 0
        self.parts_read = 0
        self._adopted = False

    def _set_boundary(self, raw: bytes) -> None:
        self.boundary = raw
        self._delim = b"--" + raw

    @property
    def finished(self) -> bool:
        """True once the closing delimiter ``--boundary--`` was read."""
        return self._st.mode == _DONE

    @property
    def buffered(self) -> int:
        """Bytes currently held (bounded by the caps plus one read)."""
        return len(self._buf)

    def feed(self, data: bytes | bytearray | memoryview) -> list[Part]:
        """Add ``data`` (any split) and return the parts completed by it, in order.

        Never raises for malformed input: garbage is skipped until the next delimiter and oversize
        parts are reported via ``Part.oversize``.
        """
        if self._st.mode == _DONE or not data:
            return []
        self.bytes_fed += len(data)
        self._buf += data
        out: list[Part] = []
        while True:
            mode = self._st.mode
            if mode == _PREAMBLE:
                if not self._preamble():
                    break
            elif mode == _HEADERS:
                if not self._headers():
                    break
            elif mode == _BODY:
                part = self._body()
                if part is None:
                    break
                out.append(part)
            elif mode == _SKIP:
                part = self._skip()
                if part is None:
                    break
                out.append(part)
            else:  # _DONE
                self._buf.clear()
                break
        self.parts_read += len(out)
        return out

    # -- states -------------------------------------------------------------------------------

    def _preamble(self) -> bool:
        """Find the next delimiter; adopt the body's own boundary if the header's is absent."""
        buf = self._buf
        delim = self._delim
        idx = buf.find(delim, max(0, self._st.scan - len(delim) + 1))
        if idx < 0:
            if self.parts_read == 0 and not self._adopted:
                # A camera whose body uses another boundary than its header says: adopt the
                # first "--xxx" line of the body.
                stripped = bytes(buf[:512]).lstrip(b"\r\n \t")
                eol = stripped.find(b"\n")
                if stripped.startswith(b"--") and eol > 2:
                    candidate = stripped[2:eol].rstrip(b"\r \t")
                    if 0 < len(candidate) <= _MAX_BOUNDARY_LEN:
                        self._adopted = True
                        self._set_boundary(candidate)
                        self._st.scan = 0
                        return True
            if len(buf) > len(delim):
                del buf[: -len(delim)]
            self._st.scan = 0
            return False
        del buf[:idx]  # garbage or the CRLF before the delimiter
        pos = len(delim)
        if len(buf) < pos + 2:
            self._st.scan = 0
            return False
        if buf[pos : pos + 2] == b"--":
            self._st.mode = _DONE
            return True
        eol = buf.find(b"\n", pos, pos + 256)
        if eol < 0:
            if len(buf) - pos >= 256:  # "--boundary" + junk: not a delimiter line
                del buf[:pos]
                self._st.scan = 0
                return True
            self._st.scan = 0
            return False
        del buf[: eol + 1]
        self._st = _State(mode=_HEADERS)
        return True

    def _headers(self) -> bool:
        buf = self._buf
        # An immediately empty line means a part without headers.
        if buf[:2] == b"\r\n" or buf[:1] == b"\n":
            end, body_start = 0, (2 if buf[:1] == b"\r" else 1)
        else:
            start = max(0, self._st.scan - 3)
            end = buf.find(b"\r\n\r\n", start)
            body_start = end + 4
            lf_end = buf.find(b"\n\n", start, end if end >= 0 else len(buf))
            if lf_end >= 0 and (end < 0 or lf_end < end):
                end, body_start = lf_end, lf_end + 2
        if end < 0 or end > self.max_header_size:
            if len(buf) > self.max_header_size:
                # Not a header block: resynchronise on the next delimiter.
                self._st = _State(mode=_SKIP, headers={}, skipped=0)
                return True
            self._st.scan = len(buf)
            return False
        headers = _parse_headers(bytes(buf[:end]))
        del buf[:body_start]
        self._st = _State(mode=_BODY, headers=headers)
        return True

    def _declared_length(self) -> int | None:
        value = self._st.headers.get("content-length")
        if value is None:
            return None
        try:
            length = int(value.strip())
        except ValueError:
            return None
        return length if 0 <= length <= self.max_part_size else None

    def _body(self) -> Part | None:
        buf = self._buf
        delim = self._delim
        length = self._declared_length()
        end: int | None = None
        # Fast path: trust a plausible Content-Length when the delimiter sits right after it
        # (Hikvision: length includes the CRLF) or after one CRLF (RFC 2046).
        if length is not None and len(buf) >= length + len(delim) + 2:
            if buf.startswith(delim, length):
                end = length
            elif buf.startswith(b"\r\n" + delim, length):
                end = length + 2
            elif buf.startswith(b"\n" + delim, length):
                end = length + 1
        elif length is not None and len(buf) >= length:
            # All declared bytes are here but not yet what follows (the camera may send the
            # next delimiter only with the next event). Deliver now when what follows so far is
            # consistent with a delimiter and the body ends like a complete document/picture.
            look = bytes(buf[length:])
            if any(p.startswith(look) for p in (delim, b"\r\n" + delim, b"\n" + delim)) and (
                _looks_complete(buf[max(0, length - 16) : length])
            ):
                end = length
        scanned_to = max(0, self._st.scan - len(delim) + 1)  # earlier bytes held no delimiter
        if end is not None and buf.find(delim, scanned_to, end) >= 0:
            # A body never contains the delimiter: a wrong Content-Length that lands on a later
            # delimiter would swallow the parts in between, so scan for the delimiter instead.
            end = None
        if end is None:
            start = max(0, self._st.scan - len(delim) + 1)
            idx = buf.find(delim, start)
            if idx < 0:
                if len(buf) > self.max_part_size + len(delim) + 2:
                    self._st.skipped = len(buf) - len(delim)
                    del buf[: -len(delim)]
                    self._st.mode = _SKIP
                    self._st.scan = 0
                    return None if not self._buf else self._skip()
                self._st.scan = len(buf)
                return None
            end = idx
        body = bytes(buf[:end])
        if body.endswith(b"\r\n"):
            body = body[:-2]
        elif body.endswith(b"\n"):
            body = body[:-1]
        headers = self._st.headers
        del buf[:end]
        self._st = _State(mode=_PREAMBLE)
        if len(body) > self.max_part_size:
            return Part(headers=headers, body=b"", oversize=True, size=len(body))
        return Part(headers=headers, body=body, size=len(body))

    def _skip(self) -> Part | None:
        """Drop bytes until the next delimiter, then report the skipped part once."""
        buf = self._buf
        idx = buf.find(self._delim)
        if idx < 0:
            keep = len(self._delim)
            if len(buf) > keep:
                self._st.skipped += len(buf) - keep
                del buf[:-keep]
            return None
        skipped = self._st.skipped + idx
        headers = self._st.headers
        del buf[:idx]
        self._st = _State(mode=_PREAMBLE)
        return Part(headers=headers, body=b"", oversize=True, size=skipped)


def parse_multipart(
    body: bytes,
    content_type: str | None,
    max_part_size: int = DEFAULT_MAX_PART_SIZE,
) -> list[Part]:
    """Parse a complete multipart body (webhook POST, MNPR answer) into its parts.

    ``content_type`` is the request's ``Content-Type`` header (boundary read with
    :func:`boundary_from_content_type`). A missing closing delimiter is tolerated: the last part
    ends at the end of the body. Raises :class:`MultipartError` when no part at all is found.
    """
    parser = MultipartStreamParser(boundary_from_content_type(content_type), max_part_size)
    parts = parser.feed(body)
    if not parser.finished:
        lead = b"" if body.endswith(b"\n") else b"\r\n"
        parts.extend(parser.feed(lead + b"--" + parser.boundary + b"--\r\n"))
    parts = [p for p in parts if p.headers or p.body or p.oversize]
    if not parts:
        raise MultipartError("no multipart part found in body")
    return parts
