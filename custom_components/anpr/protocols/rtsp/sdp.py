"""SDP of an ONVIF stream: find the metadata track (pure module, no Home Assistant import).

The ``application`` media whose rtpmap encoding is ``vnd.onvif.metadata`` (case-insensitive, any
clock rate, ``+gzip`` variant; the EXI variant is refused). Sources: ONVIF Streaming
Specification, "RTP for Metadata stream"; RFC 4566 (SDP); RFC 2326 Appendix C (``a=control``);
``docs/protocols.md``, "ONVIF metadata over RTSP".
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urljoin

from .errors import NoMetadataTrackError


@dataclass(frozen=True, slots=True)
class MetadataTrack:
    """The ONVIF metadata media found in an SDP.

    - ``control_url``: absolute RTSP URL to SETUP (``a=control`` resolved against the base).
    - ``payload_type``: RTP payload type (normally dynamic, 96 to 127).
    - ``encoding``: the rtpmap encoding name as the camera wrote it (e.g. ``VND.ONVIF.METADATA``).
    - ``clock_rate``: rtpmap clock rate in Hz (90000 per spec; 8000 seen; not relied on).
    - ``gzip``: True for ``vnd.onvif.metadata+gzip`` (each document is a GZIP member).
    - ``aggregate_url``: the session URL used for PLAY/keep-alive/TEARDOWN (RFC 2326 C.1.1).
    """

    control_url: str
    payload_type: int
    encoding: str
    clock_rate: int | None = None
    gzip: bool = False
    aggregate_url: str = ""


def parse_sdp(sdp: str, base_url: str) -> MetadataTrack:
    """Find the ONVIF metadata track in an SDP (ONVIF Streaming Specification).

    ``base_url`` is the Content-Base (or Content-Location, or request URL) used to resolve a
    relative ``a=control``. Matching is case-insensitive and ignores the clock rate; when an SDP
    offers several metadata encodings the plain or gzip one is preferred over EXI.

    Raises :class:`NoMetadataTrackError` when no usable track is present.
    """
    session_control: str | None = None
    medias: list[dict[str, object]] = []
    current: dict[str, object] | None = None
    for raw_line in sdp.splitlines():
        line = raw_line.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:].strip()
        if kind == "m":
            parts = value.split()
            current = {
                "media": parts[0].lower() if parts else "",
                "formats": parts[3:] if len(parts) > 3 else [],
                "rtpmap": {},
                "control": None,
            }
            medias.append(current)
        elif kind == "a":
            name, _, attr = value.partition(":")
            name = name.strip().lower()
            if name == "control":
                if current is None:
                    session_control = attr.strip()
                else:
                    current["control"] = attr.strip()
            elif name == "rtpmap" and current is not None:
                pt_text, _, enc = attr.strip().partition(" ")
                rtpmap = current["rtpmap"]
                assert isinstance(rtpmap, dict)
                rtpmap[pt_text.strip()] = enc.strip()

    if session_control and session_control != "*":
        base = _resolve(base_url, session_control)
    else:
        base = base_url
    found: list[MetadataTrack] = []
    exi_seen = False
    for media in medias:
        if media["media"] != "application":
            continue
        rtpmap = media["rtpmap"]
        assert isinstance(rtpmap, dict)
        for pt_text, enc in rtpmap.items():
            name, _, rest = str(enc).partition("/")
            low = name.strip().lower()
            if not low.startswith("vnd.onvif.metadata"):
                continue
            if "exi" in low:
                exi_seen = True
                continue
            try:
                payload_type = int(pt_text)
            except ValueError:
                continue
            clock: int | None = None
            with suppress(ValueError):
                clock = int(rest.split("/")[0]) if rest else None
            control = media["control"]
            control_url = base if not control or control == "*" else _resolve(base, str(control))
            found.append(
                MetadataTrack(
                    control_url=control_url,
                    payload_type=payload_type,
                    encoding=name.strip(),
                    clock_rate=clock,
                    gzip="gzip" in low,
                    aggregate_url=base,
                )
            )
    if not found:
        if exi_seen:
            raise NoMetadataTrackError("only an EXI-encoded metadata track is offered")
        raise NoMetadataTrackError("the stream offers no vnd.onvif.metadata track")
    found.sort(key=lambda t: t.gzip)  # plain XML first
    return found[0]


def _resolve(base: str, control: str) -> str:
    """Resolve an SDP ``a=control`` against ``base`` (absolute controls win; RFC 2326 C.1.1)."""
    control = control.strip()
    if "://" in control:
        return control
    if not base.endswith("/"):
        base += "/"
    return urljoin(base, control)
