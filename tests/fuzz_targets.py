"""Fuzz targets for every protocol parser (property-based, hypothesis).

Each target is a hypothesis strategy plus a check function. The check feeds the generated input to
a parser and lets any exception other than the parser's documented ``ProtocolError`` subclass
escape (the finding); invariants (round trips, split-invariance, caps) are asserted.

Used by ``tests/test_fuzz.py`` (CI budget, hypothesis profile ``ci``) and ``bench/fuzz.py`` (long
campaign, profile ``long``). Pure: no Home Assistant import, no sockets.
"""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import gzip
import json
import string
import struct
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings, strategies as st

from custom_components.anpr.protocols import (
    filename as fn,
    imageinfo,
    lpr_json,
    milesight_tcp as ms,
    models,
    multipart as mp,
    numberok,
    nvr_text,
    ocr,
    onvif_metadata as om,
    onvif_pullpoint as opp,
    plate_query,
    push_detect,
    safejson,
    timestamps,
)
from custom_components.anpr.protocols.hikvision import (
    alerts as hv_alerts,
    assembler as hv_assembler,
    client as hv_client,
    documents as hv_documents,
    plate_log as hv_plate_log,
)
from custom_components.anpr.protocols.rtsp import (
    client as rtsp_client,
    errors as rtsp_errors,
    rtp as rtsp_rtp,
    sdp as rtsp_sdp,
)
from tools.emulators import milesight_packets as msp

# --- Hypothesis profiles ------------------------------------------------------------------------
# "ci": the per-test budget that keeps tests/test_fuzz.py under a minute on 2 busy cores.
# "long": the campaign profile used by bench/fuzz.py (time-boxed there, not by max_examples).
_COMMON: dict[str, Any] = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
    "database": None,
}
settings.register_profile("ci", max_examples=40, derandomize=False, **_COMMON)
settings.register_profile("long", max_examples=5_000, **_COMMON)


# --- Shared strategies ------------------------------------------------------------------------

#: Unicode text that includes surrogates, NULs, controls and combining marks.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=80)

DATE_REGEXES = (
    r"-?\d{1,5}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?([+-]\d{2}:?\d{2}|Z)?",
    r"\d{8}T?\d{6}\d{0,6}([+-]\d{2}:?\d{2}|Z)?",
    r"\d{8}[ T_]?\d{6}\d{0,9} ?([+-]\d{2}:?\d{2}|Z)?",
    r"\d{10}|\d{13}|\d{14,30}",
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\d{2}:\d{2}",
)
#: Time strings shaped like the vendors' formats, including impossible dates and offsets.
time_text = st.one_of(
    *(st.from_regex(r, fullmatch=True) for r in DATE_REGEXES),
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.timezones()
    ).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "00010101 000000000+0100",
            "99991231 235959999-2359",
            "20240101 000000+9999",
            "1e400",
            "nan",
            "-1",
        ]
    ),
    any_text,
)

#: JSON scalar values of every type, including huge numbers and odd strings.
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**4000), max_value=10**4000),
    st.floats(allow_nan=False, allow_infinity=False),
    any_text,
    time_text,
    st.sampled_from(["", " ", "-", "NaN", "Infinity", "1e999", "0x10", "87%", "0.7", "200"]),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)
    ),
    max_leaves=12,
)


def splits(data: bytes, cuts: list[int]) -> list[bytes]:
    """Cut ``data`` at the (sorted, de-duplicated) positions ``cuts``."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    out: list[bytes] = []
    last = 0
    for p in points:
        out.append(data[last:p])
        last = p
    out.append(data[last:])
    return out


cut_points = st.lists(st.integers(min_value=0, max_value=1 << 20), max_size=24)


def mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (kind, position, bytes) mutations: 0 flip, 1 delete, 2 insert, 3 truncate."""
    buf = bytearray(data)
    for kind, pos, blob in ops:
        if not buf:
            buf += blob
            continue
        i = pos % len(buf)
        if kind == 0:
            buf[i] ^= (blob[:1] or b"\x01")[0] or 1
        elif kind == 1:
            del buf[i : i + 1 + (len(blob) % 8)]
        elif kind == 2:
            buf[i:i] = blob
        else:
            del buf[i:]
    return bytes(buf)


XML_TOKENS = [
    b"<",
    b">",
    b"</",
    b"/>",
    b"&amp;",
    b"&lt;",
    b"&#0;",
    b"&#x110000;",
    b"&unknown;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<?xml version='1.0'?>",
    b'<!DOCTYPE x [<!ENTITY a "aaaa">]>',
    b"<!ENTITY",
    b"xmlns:tt=",
    b'"',
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
]
mutations = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 1 << 20),
        st.one_of(st.binary(min_size=1, max_size=12), st.sampled_from(XML_TOKENS)),
    ),
    max_size=6,
)


def _check_only(error: type[BaseException], func: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    """Call ``func``; swallow only ``error`` (the documented one). Anything else escapes."""
    try:
        return func(*args, **kw)
    except error:
        return None


@dataclass(frozen=True)
class Target:
    """One fuzz target: ``strategy`` draws an input, ``check`` runs the parser on it."""

    parser: str
    strategy: st.SearchStrategy[Any]
    check: Callable[[Any], None]


TARGETS: dict[str, Target] = {}


def target(
    name: str, parser: str, strategy: st.SearchStrategy[Any]
) -> Callable[[Callable[[Any], None]], Callable[[Any], None]]:
    """Register ``check`` as target ``name`` (``parser`` names the module under test)."""

    def wrap(check: Callable[[Any], None]) -> Callable[[Any], None]:
        TARGETS[name] = Target(parser, strategy, check)
        return check

    return wrap


# --- multipart ("Multipart bodies") ---------------------------------------------------------------

BOUNDARY_ALPHABET = string.ascii_letters + string.digits + "'()+_,-./:=?"


@st.composite
def multipart_streams(
    draw: st.DrawFn,
) -> tuple[str, bytes, list[tuple[dict[str, str], bytes]], bool]:
    """A valid multipart stream in any of the camera framings, the parts it carries and whether
    it ends with the closing delimiter (an alertStream never does)."""
    boundary = draw(st.text(BOUNDARY_ALPHABET, min_size=1, max_size=40))
    delim = b"--" + boundary.encode()
    out = bytearray(draw(st.sampled_from([b"", b"\r\n", b"This is a preamble.\r\n"])))
    expected: list[tuple[dict[str, str], bytes]] = []
    for i in range(draw(st.integers(0, 5))):
        body = draw(
            st.one_of(
                st.binary(max_size=300),
                st.sampled_from([b"", b"\r\n", b"\n", b"x\r\n", b"--", b"\r\n\r\n", b"<a/>"]),
            ).filter(lambda b: delim not in b)
        )
        ctype = draw(
            st.sampled_from(["application/xml", "image/jpeg", "application/json", "text/plain"])
        )
        framing = draw(st.sampled_from(["rfc", "hikvision", "none", "wrong", "zero"]))
        headers = {
            "content-type": ctype,
            "content-disposition": f'form-data; name="part{i}"; filename="f{i}.bin"',
        }
        lines = [f"Content-Type: {ctype}", f"Content-Disposition: {headers['content-disposition']}"]
        if framing == "rfc":
            headers["content-length"] = str(len(body))
        elif framing == "hikvision":  # Content-Length counts the CRLF that ends the body
            headers["content-length"] = str(len(body) + 2)
        elif framing == "wrong":
            headers["content-length"] = str(draw(st.integers(0, 1000)))
        elif framing == "zero":
            headers["content-length"] = "0"
        if "content-length" in headers:
            lines.append(f"Content-Length: {headers['content-length']}")
        out += delim + b"\r\n" + "\r\n".join(lines).encode() + b"\r\n\r\n" + body + b"\r\n"
        expected.append((headers, body))
    closed = draw(st.booleans())
    if closed:
        out += delim + b"--\r\n"
    return boundary, bytes(out), expected, closed


def _norm(body: bytes) -> bytes:
    """A body without one trailing line ending.

    A part is delivered as soon as its Content-Length bytes are in when they end like a complete
    document (the camera sends the next delimiter only with the next event); the reader cannot
    then tell whether a final CRLF belongs to the body (RFC 2046) or is counted by the length
    (Hikvision), so it drops it. Bodies are compared modulo that one line ending.
    """
    if body.endswith(b"\r\n"):
        return body[:-2]
    return body[:-1] if body.endswith(b"\n") else body


def _parts_key(parts: list[mp.Part]) -> list[tuple[dict[str, str], bytes, bool]]:
    return [(dict(p.headers), _norm(p.body), p.oversize) for p in parts]


def _expect(got: list[mp.Part], expected: list[tuple[dict[str, str], bytes]], closed: bool) -> None:
    """``got`` are the framed parts; an unclosed stream's last part may still be open."""
    want = [(h, _norm(b), False) for h, b in expected]
    have = _parts_key(got)
    if closed or len(have) == len(want):
        assert have == want
    else:
        assert have == want[:-1]


@target("multipart_split_invariance", "multipart", st.tuples(multipart_streams(), cut_points))
def check_multipart_split(args: Any) -> None:
    """Any split of a valid stream gives exactly the parts that were framed (round trip)."""
    (boundary, data, expected, closed), cuts = args
    whole = mp.MultipartStreamParser(boundary)
    _expect(whole.feed(data), expected, closed)
    parser = mp.MultipartStreamParser(boundary)
    pieces: list[mp.Part] = []
    for chunk in splits(data, cuts):
        pieces.extend(parser.feed(chunk))
    _expect(pieces, expected, closed)
    assert parser.finished == whole.finished == closed
    if expected:
        complete = mp.parse_multipart(data, f'multipart/mixed; boundary="{boundary}"')
        assert _parts_key(complete) == [(h, _norm(b), False) for h, b in expected if h or b]


@target(
    "multipart_caps",
    "multipart",
    st.tuples(multipart_streams(), cut_points, st.integers(1, 400)),
)
def check_multipart_caps(args: Any) -> None:
    """A small part cap: oversize parts flagged (body dropped) in any split, the others kept."""
    (boundary, data, expected, closed), cuts, cap = args
    parser = mp.MultipartStreamParser(boundary, max_part_size=cap)
    parts: list[mp.Part] = []
    for chunk in splits(data, cuts):
        parts.extend(parser.feed(chunk))
        assert parser.buffered <= cap + len(boundary) + 2 + mp.DEFAULT_MAX_HEADER_SIZE + 260
    want = [(b"", True) if len(body) > cap else (_norm(body), False) for _h, body in expected]
    have = [(_norm(p.body), p.oversize) for p in parts]
    if closed or len(have) == len(want):
        assert have == want
    else:
        assert have == want[:-1]


multipart_soup = st.lists(
    st.one_of(
        st.binary(max_size=40),
        st.sampled_from(
            [
                b"--B",
                b"--B\r\n",
                b"--B--",
                b"\r\n",
                b"\r\n\r\n",
                b"\n\n",
                b"Content-Length: 5\r\n",
                b"Content-Length: -1\r\n",
                b"Content-Length: 999999999999999999999999\r\n",
                b"Content-Length: \xff\r\n",
                b"Content-Type: image/jpeg\r\n",
                b"--other\r\n",
                b"\x00" * 64,
            ]
        ),
    ),
    max_size=40,
).map(b"".join)


@target(
    "multipart_garbage",
    "multipart",
    st.tuples(
        st.one_of(st.just("B"), st.text(BOUNDARY_ALPHABET, min_size=1, max_size=8)),
        multipart_soup,
        cut_points,
        st.integers(1, 64),
        st.integers(1, 64),
    ),
)
def check_multipart_garbage(args: Any) -> None:
    """Garbage never raises from feed(); buffering stays bounded by the caps."""
    boundary, data, cuts, cap, header_cap = args
    parser = mp.MultipartStreamParser(boundary, max_part_size=cap, max_header_size=header_cap)
    for chunk in splits(data, cuts):
        parser.feed(chunk)
        assert parser.buffered <= cap + header_cap + 2 * mp._MAX_BOUNDARY_LEN + 520
    _check_only(mp.MultipartError, mp.parse_multipart, data, "multipart/form-data; boundary=B")
    mp.boundary_from_content_type(data.decode("latin-1"))
    mp.header_params(data.decode("latin-1"))


# --- Hikvision ISAPI XML/JSON ("Hikvision ISAPI") -------------------------------------------------


def _fixture(path: str) -> bytes:
    from pathlib import Path  # noqa: PLC0415

    return (Path(__file__).parent / "fixtures" / path).read_bytes()


HIK_XML_SEEDS = [
    _fixture("hikvision/anpr_alert_isapi_ver20.xml"),
    _fixture("hikvision/plates_vehicleDetect_response_xml1.xml"),
    _fixture("hikvision/plates_vehicleDetect_response_xml2.xml"),
]
HIK_JSON_SEED = _fixture("hikvision/mixed_target_detection.json")


def _xml_escape(text: str) -> str:
    """Drop characters XML 1.0 cannot carry, escape the markup ones."""
    cleaned = "".join(
        c
        for c in text
        if c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"
    )
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


HIK_FIELDS = [
    "licensePlate",
    "direction",
    "confidenceLevel",
    "country",
    "line",
    "plateType",
    "plateColor",
    "vehicleType",
    "vehicleListName",
    "listType",
    "originalLicensePlate",
    "detectDir",
]


@st.composite
def hik_alerts(draw: st.DrawFn) -> tuple[bytes, str]:
    """An ANPR ``EventNotificationAlert`` with random values in every field it reads."""
    plate = draw(st.from_regex(r"[A-Z0-9]{1,10}", fullmatch=True))
    fields = {name: _xml_escape(draw(st.one_of(any_text, time_text))) for name in HIK_FIELDS[1:]}
    vehicle = {
        name: _xml_escape(draw(st.one_of(any_text, time_text)))
        for name in ("speed", "color", "vehicleLogoRecog", "vehileModel")
    }
    odd_numbers = st.one_of(any_text, st.sampled_from(["1e999", "-5", "nan"]))
    rect = "".join(
        f"<{k}>{_xml_escape(draw(odd_numbers))}</{k}>" for k in ("X", "Y", "width", "height")
    )
    pics = draw(st.integers(0, 3))
    pic_xml = "".join(
        f"<pictureInfo><fileName>{_xml_escape(draw(any_text))}</fileName>"
        f"<type>{_xml_escape(draw(any_text))}</type><dataType>{draw(st.sampled_from(['0', '1']))}"
        f"</dataType><pictureURL>{_xml_escape(draw(any_text))}</pictureURL>"
        f"<plateRect>{rect}</plateRect></pictureInfo>"
        for _ in range(pics)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">'
        f"<channelID>{_xml_escape(draw(any_text))}</channelID>"
        f"<dateTime>{_xml_escape(draw(time_text))}</dateTime>"
        f"<eventType>ANPR</eventType><UUID>{_xml_escape(draw(any_text))}</UUID>"
        f"<picNum>{_xml_escape(draw(st.one_of(any_text, st.integers().map(str))))}</picNum>"
        f"<ANPR><licensePlate>{plate}</licensePlate>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
        + "<vehicleInfo>"
        + "".join(f"<{k}>{v}</{k}>" for k, v in vehicle.items())
        + f"</vehicleInfo><pictureInfoList>{pic_xml}</pictureInfoList></ANPR>"
        "</EventNotificationAlert>"
    )
    return xml.encode("utf-8", "surrogatepass"), plate


@target(
    "hikvision_alert_fields",
    "hikvision.alerts",
    st.tuples(
        hik_alerts(),
        st.sampled_from(
            ["UTC", "Europe/London", "Asia/Kolkata", "Pacific/Kiritimati", "America/St_Johns"]
        ),
    ),
)
def check_hik_alert_fields(args: Any) -> None:
    """Random field values in a well-formed ANPR alert: one read with the plate, never a crash."""
    (xml, plate), zone = args
    alerts = hv_alerts.parse_alert_xml(xml, tz=ZoneInfo(zone))
    assert len(alerts) == 1
    read = alerts[0].read
    assert read is not None and read.plate == plate
    assert read.time.tzinfo is not None
    assert read.confidence is None or 0.0 <= read.confidence <= 1.0
    if read.plate_box is not None:
        assert all(0.0 <= v <= 1.0 for v in read.plate_box)


@target(
    "hikvision_xml_mutations",
    "hikvision.documents",
    st.tuples(st.sampled_from(HIK_XML_SEEDS), mutations),
)
def check_hik_xml_mutations(args: Any) -> None:
    """Mutated ISAPI documents raise only HikvisionError from every XML entry point."""
    seed, ops = args
    data = mutate(seed, ops)
    _check_only(hv_documents.HikvisionError, hv_alerts.parse_alert_xml, data)
    _check_only(hv_documents.HikvisionError, hv_plate_log.parse_plates, data)
    _check_only(hv_documents.HikvisionError, hv_client.parse_device_info, data)
    hv_client.parse_response_status(data)  # never raises


@target(
    "hikvision_json",
    "hikvision.alerts",
    st.one_of(
        json_value.map(lambda v: json.dumps(v).encode()),
        st.tuples(st.just(HIK_JSON_SEED), mutations).map(lambda a: mutate(*a)),
        json_value.map(
            lambda v: json.dumps(
                {"eventType": "mixedTargetDetection", "dateTime": "x", "CaptureResult": v}
            ).encode()
        ),
        st.tuples(json_value, json_value, json_value).map(
            lambda v: json.dumps(
                {
                    "eventType": "mixedTargetDetection",
                    "dateTime": v[2] if isinstance(v[2], str) else "2024-01-01T00:00:00Z",
                    "CaptureResult": [
                        {
                            "Vehicle": {
                                "Property": [
                                    {"description": "plateNo", "value": v[0]},
                                    {"description": "confidence", "value": v[1]},
                                ],
                                "PlateRect": v[1],
                                "pId1": v[0],
                            }
                        }
                    ],
                }
            ).encode()
        ),
    ),
)
def check_hik_json(data: bytes) -> None:
    """ISAPI JSON events: only HikvisionError; ``parse_response_status`` never raises."""
    _check_only(hv_documents.HikvisionError, hv_alerts.parse_alert_json, data)
    hv_client.parse_response_status(data)


hik_parts = st.lists(
    st.tuples(
        st.sampled_from(["application/xml", "image/jpeg", "application/json", "", "text/plain"]),
        st.one_of(st.none(), st.sampled_from(["licensePlatePicture.jpg", "detectionPicture.jpg"])),
        st.one_of(
            st.sampled_from([*HIK_XML_SEEDS[:1], HIK_JSON_SEED, b"", b"\xff\xd8\xff"]),
            st.binary(max_size=64),
            st.tuples(st.sampled_from(HIK_XML_SEEDS[:1]), mutations).map(lambda a: mutate(*a)),
        ),
        st.booleans(),
    ),
    max_size=8,
)


@target("hikvision_assembler", "hikvision.assembler", hik_parts)
def check_hik_assembler(raw_parts: list[tuple[str, str | None, bytes, bool]]) -> None:
    """Any part sequence: ``add`` raises only HikvisionError; every read is returned once."""
    assembler = hv_assembler.HikvisionEventAssembler()
    reads: list[models.PlateRead] = []
    for ctype, name, body, oversize in raw_parts:
        headers = {"content-type": ctype}
        if name:
            headers["content-disposition"] = f'form-data; name="{name}"; filename="{name}"'
        part = mp.Part(headers=headers, body=b"" if oversize else body, oversize=oversize)
        with contextlib.suppress(hv_documents.HikvisionError):
            reads.extend(assembler.add(part))
    reads.extend(assembler.flush())
    assert len({id(r) for r in reads}) == len(reads)
    assert not assembler.has_pending


@target(
    "iso_time",
    "timestamps",
    st.tuples(
        st.one_of(time_text, json_value),
        st.sampled_from(["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kolkata"]),
    ),
)
def check_iso_time(args: Any) -> None:
    """The shared parser never raises: UTC or None; as written: a datetime or None."""
    value, zone = args
    parsed = timestamps.parse_iso_time(value, ZoneInfo(zone))
    assert parsed is None or parsed.utcoffset() == timedelta(0)
    as_written = timestamps.parse_iso(value)
    assert as_written is None or isinstance(as_written, datetime)
    if isinstance(value, str):
        timestamps.parse_epoch_digits(value)


@target(
    "hikvision_time",
    "hikvision.plate_log",
    st.tuples(
        time_text, st.sampled_from(["UTC", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kolkata"])
    ),
)
def check_hik_time(args: Any) -> None:
    """``parse_time`` never raises: a datetime in UTC or None."""
    text, zone = args
    value = hv_documents.parse_time(text, ZoneInfo(zone))
    assert value is None or value.utcoffset() is not None
    hv_plate_log.pic_name_key(text)


# --- Milesight TCP ("Milesight TCP (COMM_RECOG_POST)") --------------------------------------------

COMMANDS = sorted(ms.KNOWN_COMMANDS)
REVISIONS = ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]


@st.composite
def milesight_packets(draw: st.DrawFn) -> bytes:
    """One well-framed packet: a recognition post (any revision), a login or a heartbeat."""
    kind = draw(st.sampled_from(["recog", "login", "raw"]))
    if kind == "recog":
        meta = msp.build_metadata(
            revision=draw(st.sampled_from(REVISIONS)),
            plate=draw(st.text(max_size=20)),
            time_ms=draw(st.integers(0, 2**64 - 1)),
            confidence=draw(st.floats(width=32)),
            azimuth=draw(st.floats(width=32)),
            width=draw(st.integers(0, 0xFFFF)),
            height=draw(st.integers(0, 0xFFFF)),
            box=draw(st.tuples(*[st.integers(0, 0xFFFF)] * 4)),
            direction=draw(st.integers(0, 255)),
            vehicle_type=draw(st.integers(0, 255)),
            plate_type=draw(st.integers(0, 255)),
        )
        images = draw(st.lists(st.binary(max_size=40), max_size=2))
        return msp.build_recog_post(meta, images)
    if kind == "login":
        return ms.build_login_request(draw(st.text(max_size=10)), draw(st.text(max_size=10)))
    return ms.build_packet(draw(st.sampled_from(COMMANDS)), draw(st.binary(max_size=60)))


def _feed_all(decoder: ms.PacketDecoder, chunks: list[bytes]) -> list[ms.Packet]:
    out: list[ms.Packet] = []
    for chunk in chunks:
        for item in decoder.feed(chunk):
            if isinstance(item, ms.Packet):
                out.append(item)
        assert decoder.buffered <= decoder.max_packet + ms.HEADER_SIZE + len(chunk)
    # End of input = the camera went quiet: the source then calls flush_stalled(), which
    # resolves a packet cut short by the camera (see
    # test_milesight_payload_containing_a_packet_is_split_invariant).
    out += [item for item in decoder.flush_stalled() if isinstance(item, ms.Packet)]
    return out


@target(
    "milesight_split_invariance",
    "milesight_tcp",
    st.tuples(st.lists(milesight_packets(), min_size=1, max_size=5), cut_points, st.booleans()),
)
def check_milesight_split(args: Any) -> None:
    """Valid packets come out identical for any split, including one byte at a time."""
    packets, cuts, bytewise = args
    stream = b"".join(packets)
    expected = [(struct.unpack_from("<H", p, 2)[0], p[8:-2]) for p in packets]
    whole = _feed_all(ms.PacketDecoder(), [stream])
    assert [(p.command, p.data) for p in whole] == expected
    chunks = [stream[i : i + 1] for i in range(len(stream))] if bytewise else splits(stream, cuts)
    split = _feed_all(ms.PacketDecoder(), chunks)
    assert [(p.command, p.data) for p in split] == expected
    for packet in whole:
        if packet.command == ms.Command.RECOG_POST:
            read = _check_only(ms.MilesightTcpError, ms.parse_recog_post, packet.data)
            if read is None:
                continue
            assert read.confidence is None or 0.0 <= read.confidence <= 1.0
            assert read.time.tzinfo is not None


@target(
    "milesight_length_mutation",
    "milesight_tcp",
    st.tuples(
        st.lists(milesight_packets(), min_size=2, max_size=5),
        st.integers(0, 10),
        st.one_of(st.integers(0, 2**32 - 1), st.integers(0, 300)),
        cut_points,
    ),
)
def check_milesight_length(args: Any) -> None:
    """One packet's DATA_SIZE mutated: no exception; packets before it intact; every packet
    after it is delivered or swallowed whole by the mis-sized frame (never torn)."""
    packets, index, size, cuts = args
    index %= len(packets)
    bad = bytearray(packets[index])
    bad[4:8] = struct.pack("<I", size)
    stream = b"".join(packets[:index]) + bytes(bad) + b"".join(packets[index + 1 :])
    decoder = ms.PacketDecoder(max_packet=1 << 16)
    got = _feed_all(decoder, splits(stream, cuts))
    datas = [p.data for p in got]
    expected = [p[8:-2] for p in packets]
    assert datas[:index] == expected[:index]
    rest = b"".join(datas[index:])
    for original in packets[index + 1 :]:
        assert original[8:-2] in datas or original[:-2] in rest
    if size + 8 == len(packets[index]) and size >= 2:
        assert datas == expected


@target(
    "milesight_garbage",
    "milesight_tcp",
    st.tuples(
        st.lists(
            st.one_of(
                st.binary(max_size=32),
                milesight_packets(),
                st.sampled_from([ms.SIG_START, ms.SIG_END, b"\xcc", b"\xff\xdd" * 3]),
            ),
            max_size=12,
        ).map(b"".join),
        cut_points,
    ),
)
def check_milesight_garbage(args: Any) -> None:
    """Random bytes never raise from the framer; packet bodies parse or raise MilesightTcpError."""
    data, cuts = args
    decoder = ms.PacketDecoder(max_packet=4096)
    for packet in _feed_all(decoder, splits(data, cuts)):
        _check_only(ms.MilesightTcpError, ms.parse_recog_post, packet.data)
        _check_only(ms.MilesightTcpError, ms.parse_login_reply, packet.data)
        _check_only(ms.MilesightTcpError, msp.parse_login_request, packet.data)
    _check_only(ms.MilesightTcpError, ms.parse_recog_post, data)
    _check_only(ms.MilesightTcpError, ms.parse_metadata, data)


@target("milesight_metadata", "milesight_tcp", st.binary(min_size=40, max_size=200))
def check_milesight_metadata(data: bytes) -> None:
    """Any metadata chunk of any size: a RecogMetadata or MilesightTcpError."""
    _check_only(ms.MilesightTcpError, ms.parse_metadata, data)
    chunk = msp.build_chunk(ms.CHUNK_META, data) + msp.build_chunk(ms.CHUNK_IMAGE, data[:10])
    _check_only(ms.MilesightTcpError, ms.parse_recog_post, chunk)


# --- NVR text ("NVR text device") -----------------------------------------------------------------

nvr_plate = st.text(
    st.characters(codec="ascii", exclude_characters="<>\x00"), min_size=1, max_size=20
).filter(lambda t: t.strip().strip("\x00").strip())


@target(
    "nvr_text_split_invariance",
    "nvr_text",
    st.tuples(
        st.lists(nvr_plate, min_size=1, max_size=8),
        st.lists(st.sampled_from([b"", b"\r\n", b"junk", b" "]), min_size=9, max_size=9),
        cut_points,
        st.booleans(),
    ),
)
def check_nvr_split(args: Any) -> None:
    """Reads between the markers come out identical for any split (also byte by byte)."""
    plates, gaps, cuts, bytewise = args
    stream = (
        b"".join(gaps[i] + b"<LPR>" + p.encode() + b"</LPR>" for i, p in enumerate(plates))
        + gaps[-1]
    )
    chunks = [stream[i : i + 1] for i in range(len(stream))] if bytewise else splits(stream, cuts)
    decoder = nvr_text.TextStreamDecoder()
    got: list[str] = []
    for chunk in chunks:
        got.extend(t for t in decoder.feed(chunk) if isinstance(t, str))
    assert got == [p.strip().strip("\x00").strip() for p in plates]


@target(
    "nvr_text_garbage",
    "nvr_text",
    st.tuples(
        st.lists(
            st.one_of(
                st.binary(max_size=20),
                st.sampled_from([b"<LPR>", b"</LPR>", b"<LP", b"R>", b"\x00", b"\xff"]),
            ),
            max_size=30,
        ).map(b"".join),
        cut_points,
        st.sampled_from(["US-ASCII", "utf-8", "utf-16", "latin-1", "cp1251", "gb2312"]),
        st.sampled_from([("<LPR>", "</LPR>"), ("", "\\r\\n"), ("[", "]"), ("\\n", "\\r")]),
        st.integers(1, 64),
    ),
)
def check_nvr_garbage(args: Any) -> None:
    """Random bytes, any encoding and markers: never raises; buffer bounded by the cap."""
    data, cuts, encoding, (start, end), cap = args
    decoder = nvr_text.TextStreamDecoder(
        nvr_text.unescape_marker(start), nvr_text.unescape_marker(end), encoding, cap
    )
    for chunk in splits(data, cuts):
        for item in decoder.feed(chunk):
            if isinstance(item, str):
                assert item and len(item.encode(decoder.encoding)) <= cap
        assert len(decoder._buf) <= cap + 2 * len(decoder._end) + len(decoder._start)


@target(
    "nvr_text_resync",
    "nvr_text",
    st.tuples(
        st.lists(
            st.tuples(
                nvr_plate,
                st.one_of(
                    st.just(b""),
                    st.binary(max_size=40).map(lambda b: b"<LPR>" + b.replace(b"<", b"")),
                    st.integers(1, 3000).map(lambda n: b"<LPR>" + b"A" * n),
                ),
            ),
            min_size=1,
            max_size=6,
        ),
        cut_points,
    ),
)
def check_nvr_resync(args: Any) -> None:
    """Unterminated or over-long reads before a good one never take the good one with them, in
    any split (the decoder resynchronises on the next start string)."""
    items, cuts = args
    stream = b"".join(noise + b"<LPR>" + p.encode() + b"</LPR>" for p, noise in items)
    decoder = nvr_text.TextStreamDecoder()
    got: list[str] = []
    for chunk in splits(stream, cuts):
        got.extend(t for t in decoder.feed(chunk) if isinstance(t, str))
    assert got == [p.strip().strip("\x00").strip() for p, _noise in items]


@target("nvr_text_settings", "nvr_text", st.tuples(any_text, any_text, any_text))
def check_nvr_settings(args: Any) -> None:
    """Any user-typed markers/encoding: a decoder or NvrTextError."""
    start, end, encoding = args
    _check_only(nvr_text.NvrTextError, nvr_text.TextStreamDecoder, start, end, encoding)
    _check_only(nvr_text.NvrTextError, nvr_text.check_encoding, encoding)


# --- FF/NumberOK, Milesight JSON, plate query, push auto-detect -----------------------------------

LPR_KEYS = [
    "plate",
    "license_plate",
    "time",
    "direction",
    "confidence",
    "plate_confidence",
    "resolution_width",
    "resolution_height",
    "coordinate_x1",
    "coordinate_y1",
    "coordinate_x2",
    "coordinate_y2",
    "speed",
    "detection_region",
    "type",
    "plate_type",
    "region",
    "plate_image",
    "full_image",
    "license_plate_snapshot",
    "vehicle_snapshot",
    "full_snapshot",
]
FF_KEYS = [
    "plateASCII",
    "plateUTF8",
    "plateUnicode",
    "plateText",
    "datetime",
    "datetimezone",
    "timeDetection",
    "capture_timestamp",
    "carMoveDirection",
    "plateConfidence",
    "vehicle_info",
    "plateListMode",
    "plateList",
    "recognitionZone",
    "roiID",
    "sensorProviderID",
    "carID",
    "carState",
    "packetCounter",
    "geotag",
    "plateCoordinates",
    "imageType",
    "plateImageType",
]
b64_values = st.one_of(
    st.binary(max_size=64).map(lambda b: __import__("base64").b64encode(b).decode()),
    st.sampled_from(["data:image/jpeg;base64,/9j/4AAQ", "data:", "====", "-_-_", "\u00e9"]),
)


def _objects(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.sampled_from(keys), st.one_of(json_value, b64_values), min_size=1, max_size=len(keys)
    )


@target(
    "lpr_json",
    "lpr_json",
    st.one_of(_objects(LPR_KEYS), st.binary(max_size=200), json_value.map(json.dumps)),
)
def check_lpr_json(value: Any) -> None:
    """Milesight/LPR JSON objects with random values: a read or LprJsonError, never else."""
    if isinstance(value, (bytes, str)):
        obj = _check_only(lpr_json.LprJsonError, lpr_json.load_json_object, value)
        if obj is None:
            return
        value = obj
    read = _check_only(lpr_json.LprJsonError, lpr_json.parse_lpr_json, value)
    if read is not None:
        assert read.time.tzinfo is not None
        assert read.confidence is None or 0.0 <= read.confidence <= 1.0


@target(
    "numberok",
    "numberok",
    st.tuples(
        _objects(FF_KEYS),
        st.lists(
            st.tuples(
                st.binary(max_size=40),
                st.sampled_from(["image/jpeg", "", "x"]),
                st.one_of(st.none(), any_text),
            ),
            max_size=3,
        ),
    ),
)
def check_numberok(args: Any) -> None:
    """FF/NumberOK objects with random values: a read or NumberOkError; the merger never raises."""
    obj, images = args
    event_images = [numberok.EventImage(d, c, n, n) for d, c, n in images]
    read = _check_only(numberok.NumberOkError, numberok.parse_numberok_event, obj, event_images)
    if read is not None:
        assert read.time.tzinfo is not None
        merger = numberok.CarStateMerger(ttl=1.0, max_vehicles=2)
        merger.feed(read, 0.0)
        merger.feed(read, 0.5)
        merger.feed(read, 5.0)
        assert len(merger) <= 2


@target("ff_datetime", "numberok", st.one_of(time_text, json_value))
def check_ff_datetime(value: Any) -> None:
    """Documented "never raises": parse_ff_datetime and parse_camera_time."""
    for parse in (numberok.parse_ff_datetime, lpr_json.parse_camera_time):
        result = parse(value)
        assert result is None or result.utcoffset() is not None


@target(
    "plate_query",
    "plate_query",
    st.one_of(
        any_text,
        st.lists(
            st.tuples(
                st.sampled_from(
                    ["Caption", "caption ", "description", "plate", "x", "%20description"]
                ),
                any_text,
            ),
            max_size=4,
        ).map(lambda kv: "&".join(f"{k}={v}" for k, v in kv)),
    ),
)
def check_plate_query(query: str) -> None:
    """Any query: a read with a non-empty plate or PlateQueryError."""
    read = _check_only(plate_query.PlateQueryError, plate_query.parse_plate_query, query)
    if read is not None:
        assert read.plate
    plate_query.looks_like_plate_query(query)


@st.composite
def push_requests(draw: st.DrawFn) -> tuple[str, str | None, bytes, str]:
    """A webhook request: valid formats mutated, random JSON/multipart bodies, random bytes."""
    from tools.emulators import http_pusher  # noqa: PLC0415

    kind = draw(st.sampled_from(["format", "json", "multipart", "raw", "xml"]))
    if kind == "format":
        fmt = draw(st.sampled_from(sorted(http_pusher.FORMATS)))
        method, query, headers, body = http_pusher.build_request(fmt, draw(nvr_plate))
        if draw(st.booleans()):
            body = mutate(body, draw(mutations))
        return method, headers.get("Content-Type"), body, query.lstrip("?")
    if kind == "json":
        obj = draw(st.one_of(_objects(LPR_KEYS), _objects(FF_KEYS), json_value))
        return (
            "POST",
            draw(st.sampled_from([None, "application/json", "text/plain"])),
            (json.dumps(obj).encode()),
            "",
        )
    if kind == "multipart":
        parts = draw(
            st.lists(
                st.tuples(
                    any_text.map(lambda t: t.encode("utf-8", "replace").decode()),
                    st.sampled_from(
                        ["application/json", "image/jpeg", "application/xml", "text/plain"]
                    ),
                    st.none(),
                    st.one_of(
                        st.binary(max_size=64),
                        json_value.map(lambda v: json.dumps(v).encode()),
                        _objects(FF_KEYS).map(lambda v: json.dumps(v).encode()),
                        st.sampled_from(HIK_XML_SEEDS[:1]),
                    ),
                ),
                max_size=4,
            )
        )
        safe: list[tuple[str, str, str | None, bytes]] = [
            (n.replace('"', "").replace("\r", "").replace("\n", ""), c, f, d)
            for n, c, f, d in parts
        ]
        body = http_pusher.multipart(safe, "B")
        return (
            "POST",
            draw(
                st.sampled_from(
                    [
                        "multipart/form-data; boundary=B",
                        "multipart/mixed",
                        "multipart/form-data; boundary=X",
                    ]
                )
            ),
            body,
            "",
        )
    if kind == "xml":
        return "POST", "application/xml", mutate(HIK_XML_SEEDS[0], draw(mutations)), ""
    return (
        draw(st.sampled_from(["GET", "POST", "PUT"])),
        draw(st.one_of(st.none(), any_text)),
        draw(st.binary(max_size=200)),
        draw(any_text),
    )


@target("push_detect", "push_detect", push_requests())
def check_push_detect(args: Any) -> None:
    """The webhook auto-detect: a PushResult with ≥ 1 read, or UnknownPayload — nothing else."""
    method, ctype, body, query = args
    try:
        result = push_detect.detect_payload(
            method, ctype, body, query, tz=ZoneInfo("Europe/London")
        )
    except push_detect.UnknownPayload as err:
        assert err.reason
        return
    assert result.reads
    for read in result.reads:
        assert isinstance(read.plate, str)
        assert read.time.tzinfo is not None


# --- ONVIF RTP/RTSP/XML ("ONVIF metadata over RTSP") ----------------------------------------------


def rtp_packet(seq: int, payload: bytes, marker: bool, pt: int = 107, **kw: int) -> bytes:
    """Build an RTP packet (RFC 3550) with optional CSRCs, extension words and padding."""
    csrc = kw.get("csrc", 0)
    ext = kw.get("ext", -1)
    pad = kw.get("pad", 0)
    first = 0x80 | csrc | (0x10 if ext >= 0 else 0) | (0x20 if pad else 0)
    out = struct.pack("!BBHII", first, pt | (0x80 if marker else 0), seq & 0xFFFF, 1234, 42)
    out += b"\x00\x00\x00\x01" * csrc
    if ext >= 0:
        out += struct.pack("!HH", 0xABAC, ext) + b"\x00" * 4 * ext
    out += payload
    if pad:
        out += b"\x00" * (pad - 1) + bytes([pad])
    return out


@st.composite
def metadata_documents(draw: st.DrawFn) -> bytes:
    """An ONVIF metadata document from the camera emulator with random plate/fields."""
    from tools.emulators import onvif as emu  # noqa: PLC0415

    plate = emu.Plate(
        plate=draw(st.from_regex(r"[A-Z0-9][A-Z0-9 -]{0,9}", fullmatch=True)),
        fmt=draw(st.sampled_from(["milesight", "hikvision", "onvif", "scene"])),
        direction=_xml_escape(draw(any_text)) or None,
        likelihood=_xml_escape(draw(st.one_of(any_text, json_scalar.map(str)))) or None,
        picture_name=draw(st.one_of(st.none(), st.text(string.ascii_letters, max_size=8))),
        operation=draw(st.sampled_from(["Changed", "Initialized", "Deleted", ""])),
        object_id=draw(st.integers(0, 2**40)),
        country=_xml_escape(draw(any_text)) or None,
    )
    return emu.metadata_document(plate, "127.0.0.1")


@target(
    "rtp_reassembly",
    "rtsp.rtp",
    st.tuples(
        st.lists(metadata_documents(), min_size=1, max_size=3),
        st.integers(0, 0xFFFF),
        cut_points,
        st.booleans(),
        st.lists(st.tuples(st.integers(0, 15), st.integers(-1, 3), st.integers(0, 20)), min_size=1),
    ),
)
def check_rtp_reassembly(args: Any) -> None:
    """Documents cut into RTP packets (sequence wrap, CSRCs, extensions, padding) reassemble
    byte-exact, plain or gzip; the documents parse to the plates they carry."""
    docs, seq, cuts, use_gzip, shapes = args
    reasm = rtsp_rtp.MetadataReassembler(payload_type=107, gzip=use_gzip)
    got: list[bytes] = []
    n = 0
    for doc in docs:
        wire = gzip.compress(doc) if use_gzip else doc
        pieces = [p for p in splits(wire, cuts) if p] or [wire]
        for i, piece in enumerate(pieces):
            csrc, ext, pad = shapes[n % len(shapes)]
            raw = rtp_packet(seq + n, piece, i == len(pieces) - 1, csrc=csrc, ext=ext, pad=pad)
            packet = rtsp_rtp.parse_rtp(raw)
            assert packet.payload == piece
            n += 1
            out = reasm.feed(packet)
            if out is not None:
                got.append(out)
    assert got == docs
    for doc in got:
        assert len(om.parse_plates(doc)) == 1


@target(
    "rtp_garbage",
    "rtsp.rtp",
    st.lists(
        st.tuples(st.binary(max_size=40), st.integers(0, 0xFFFF), st.booleans(), st.booleans()),
        max_size=12,
    ),
)
def check_rtp_garbage(packets: list[tuple[bytes, int, bool, bool]]) -> None:
    """Random packets/payloads/sequence numbers: parse_rtp raises only RtspError, the
    reassembler never raises and stays under its cap."""
    reasm = rtsp_rtp.MetadataReassembler(max_bytes=64, gzip=False)
    reasm_gz = rtsp_rtp.MetadataReassembler(max_bytes=64, gzip=True)
    for raw, seq, marker, as_packet in packets:
        _check_only(rtsp_errors.RtspError, rtsp_rtp.parse_rtp, raw)
        data = rtp_packet(seq, raw, marker) if as_packet else raw
        packet = _check_only(rtsp_errors.RtspError, rtsp_rtp.parse_rtp, data)
        if packet is None:
            continue
        for r in (reasm, reasm_gz):
            doc = r.feed(packet)
            assert doc is None or len(doc) <= 64
            assert r._size <= 64 + 40 + 12
    _check_only(rtsp_errors.RtspError, rtsp_rtp.gunzip_capped, b"".join(p[0] for p in packets), 64)


@st.composite
def interleaved_streams(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, Any]]]:
    """An RTSP-over-TCP stream: ``$`` frames, responses with bodies, server requests."""
    out = bytearray()
    expected: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["frame", "response", "request", "crlf"]))
        if kind == "frame":
            channel = draw(st.integers(0, 255))
            data = draw(st.binary(max_size=100))
            out += b"$" + bytes([channel]) + struct.pack("!H", len(data)) + data
            expected.append(("frame", (channel, data)))
        elif kind == "response":
            body = draw(st.binary(max_size=80))
            status = draw(st.integers(100, 599))
            head = f"RTSP/1.0 {status} OK\r\nCSeq: {draw(st.integers(0, 99))}\r\n"
            if body:
                head += f"Content-Length: {len(body)}\r\n"
            out += head.encode() + b"\r\n" + body
            expected.append(("response", (status, body)))
        elif kind == "request":
            out += b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"
            expected.append(("response", (0, b"")))
        else:
            out += b"\r\n"
    return bytes(out), expected


def _demux(chunks: list[bytes]) -> list[tuple[str, Any]]:
    demuxer = rtsp_client.InterleavedDemuxer()
    got: list[tuple[str, Any]] = []
    for chunk in chunks:
        for item in demuxer.feed(chunk):
            if isinstance(item, rtsp_client.InterleavedFrame):
                got.append(("frame", (item.channel, item.data)))
            else:
                got.append(("response", (item.status, item.body)))
    return got


@target("rtsp_interleaved", "rtsp.client", st.tuples(interleaved_streams(), cut_points, st.booleans()))
def check_rtsp_interleaved(args: Any) -> None:
    """Interleaved frames and RTSP messages come out identical for any split."""
    (stream, expected), cuts, bytewise = args
    assert _demux([stream]) == expected
    chunks = [stream[i : i + 1] for i in range(len(stream))] if bytewise else splits(stream, cuts)
    assert _demux(chunks) == expected


@target(
    "rtsp_garbage",
    "rtsp.sdp",
    st.tuples(
        st.lists(
            st.one_of(
                st.binary(max_size=30),
                st.sampled_from(
                    [
                        b"$",
                        b"RTSP/1.0 ",
                        b"200 OK\r\n",
                        b"\r\n\r\n",
                        b"Content-Length: 5\r\n",
                        b"Content-Length: x\r\n",
                        b"Content-Length: -4\r\n",
                        b" RTSP/1.0\r\n",
                    ]
                ),
            ),
            max_size=20,
        ).map(b"".join),
        cut_points,
        any_text,
    ),
)
def check_rtsp_garbage(args: Any) -> None:
    """Garbage on the RTSP socket or in an SDP: RtspError only."""
    data, cuts, sdp = args
    demuxer = rtsp_client.InterleavedDemuxer()
    for chunk in splits(data, cuts):
        try:
            list(demuxer.feed(chunk))
        except rtsp_errors.RtspError:
            break
    text = data.decode("utf-8", "replace")
    for candidate in (sdp, text, "m=application 0 RTP/AVP 107\r\n" + text):
        track = _check_only(
            rtsp_errors.RtspError, rtsp_sdp.parse_sdp, candidate, "rtsp://127.0.0.1/x"
        )
        assert track is None or track.control_url
    rtsp_client.redact_url(sdp)
    _check_only(ValueError, rtsp_client.split_credentials, sdp)


ONVIF_SEEDS = [
    _fixture("onvif/hikvision_pullmessages_vehicle_forward.xml"),
    _fixture("onvif/spec_Analytics_LicensePlateInfo_frame_example.xml"),
    _fixture("onvif/spec_Analytics_vehicle_plate_parent_frames_example.xml"),
    _fixture("onvif/spec_Streaming_MetadataStream_documents_example.txt"),
    _fixture("onvif/hikvision_createpullpoint_response.xml"),
]


@target(
    "onvif_xml",
    "onvif_metadata",
    st.one_of(
        st.tuples(st.sampled_from(ONVIF_SEEDS), mutations).map(lambda a: mutate(*a)),
        metadata_documents().flatmap(lambda d: mutations.map(lambda m: mutate(d, m))),
        st.binary(max_size=200),
    ),
)
def check_onvif_xml(data: bytes) -> None:
    """Mutated metadata/PullPoint documents: OnvifMetadataError only; filter never raises."""
    events = _check_only(om.OnvifMetadataError, om.parse_plates, data)
    flt = om.PlateEventFilter(memory=2)
    for event in events or []:
        flt.accept(event)
    _check_only(om.OnvifMetadataError, om.parse_plates, data, topic_filter=["*plate*", "x"])


@target("onvif_values", "onvif_pullpoint", st.tuples(any_text, time_text, any_text))
def check_onvif_values(args: Any) -> None:
    """Durations, times, topics and URLs from the camera: documented "None if bad", no raise."""
    text, when, url = args
    opp.parse_duration(text)
    value = timestamps.parse_iso_time(when)
    assert value is None or value.utcoffset() is not None
    om.likelihood(text)
    om.topic_matches(text, [url])
    om.normalise_topic(text)
    _check_only(opp.OnvifError, opp.resolve_picture_url, url, "http://127.0.0.1:8080/")
    _check_only(opp.OnvifError, opp.rebase_url, url, "http://127.0.0.1:8080/")


# --- File names and OCR ("Folder uploads (file names)") -------------------------------------------

plate_in_name = st.text(
    st.characters(exclude_characters="_/\\", exclude_categories=("Cs", "Cc")),
    min_size=1,
    max_size=12,
).filter(lambda t: t.strip() and not models.is_no_plate(t))


@target(
    "filename_round_trip",
    "filename",
    st.tuples(
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
        plate_in_name,
        st.sampled_from(["jpg", "JPEG", "png"]),
        st.sampled_from(["UTC", "Europe/London", "Australia/Lord_Howe", "America/Havana"]),
        st.integers(0, 99),
    ),
)
def check_filename_round_trip(args: Any) -> None:
    """A name written from (time, plate) parses back to the same plate and UTC instant."""
    when, plate, ext, zone, seq = args
    # Ambiguous local times (DST fall-back) resolve with fold=0, as documented.
    when = when.replace(microsecond=when.microsecond // 1000 * 1000, fold=0)
    digits = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}" + f"{seq:02d}"
    name = f"{digits}_{plate}_VEHICLE_DETECTION.{ext}"
    pattern = fn.FilenamePattern.from_preset(fn.Preset.HIKVISION_CUSTOM, zone)
    parsed = pattern.parse(name)
    assert parsed.plate == plate.strip()
    assert parsed.time == when.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    assert parsed.fields.get("sequence") == f"{seq:02d}"


@target(
    "filename_garbage",
    "filename",
    st.tuples(
        st.one_of(
            any_text,
            st.from_regex(r"[0-9]{14,20}(_[^/]{0,10})?_VEHICLE_DETECTION\.jpg", fullmatch=True),
        ),
        st.sampled_from(list(fn.Preset)),
        st.one_of(
            any_text,
            st.sampled_from(
                [
                    "(?P<plate>.*)",
                    "(?P<time>\\d+)_(?P<plate>.+)",
                    "a{99999999999}(?P<plate>x)",
                    "(?P<dt>.*)",
                ]
            ),
        ),
        st.one_of(any_text, st.sampled_from(["UTC", "Europe/London", "../etc/passwd"])),
    ),
)
def check_filename_garbage(args: Any) -> None:
    """Any name, preset, user regex and zone: FilenameError only."""
    name, preset, regex, zone = args
    pattern = _check_only(fn.FilenameError, fn.FilenamePattern.from_preset, preset, zone, regex)
    if pattern is not None:
        _check_only(fn.FilenameError, pattern.parse, name)
    _check_only(fn.FilenameError, fn.parse_compact_time, name, UTC)
    fn.has_image_extension(name)


@target(
    "ocr_text",
    "ocr",
    st.tuples(any_text, any_text, st.lists(any_text, max_size=4), st.binary(max_size=64)),
)
def check_ocr_text(args: Any) -> None:
    """Overlay text, user corrections and picture bytes: ValueError for corrections (documented),
    OcrError for pictures, never anything else; parse() never raises."""
    text, label, lines, data = args
    corrections = _check_only(ValueError, ocr.parse_corrections, lines)
    fld = ocr.OcrField(label=label, corrections=corrections or ocr.DEFAULT_CORRECTIONS)
    value, _raw = fld.parse(text)
    assert value is None or value in fld.values
    # Round trip for what a multi-line text field can hold (a pattern with a line break, e.g.
    # "\r", does not survive format -> parse: reported, not reachable from the form).
    if corrections is not None and all(len(line.splitlines()) <= 1 for line in lines):
        assert ocr.parse_corrections(ocr.format_corrections(corrections)) == corrections
    _check_only(ocr.OcrError, ocr.decode_image, data)


@target(
    "image_info",
    "imageinfo",
    st.one_of(
        st.binary(max_size=80),
        st.binary(max_size=60).map(lambda b: b"\xff\xd8" + b),
        st.binary(max_size=60).map(lambda b: b"\x89PNG\r\n\x1a\n" + b),
        st.binary(max_size=60).map(lambda b: b"BM" + b),
    ),
)
def check_image_info(data: bytes) -> None:
    """Header sniffing never raises; base64 pictures raise ImageDataError only."""
    imageinfo.image_content_type(data)
    size = imageinfo.image_size(data)
    assert size is None or (size[0] >= 0 and size[1] >= 0)
    text = data.decode("latin-1")
    _check_only(imageinfo.ImageDataError, imageinfo.decode_base64_image, text, 32)


_JSON_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))


@target(
    "safe_json",
    "safejson",
    st.one_of(
        st.recursive(
            _JSON_LEAF,
            lambda inner: st.lists(inner, max_size=3)
            | st.dictionaries(st.text(max_size=4), inner, max_size=3),
            max_leaves=40,
        ).map(json.dumps),
        st.tuples(st.integers(0, 200), st.sampled_from(["[", "{\"a\":", "[\"]\","])).map(
            lambda t: t[1] * t[0]
        ),
        st.binary(max_size=120).map(lambda b: b.decode("latin-1")),
    ),
)
def check_safe_json(text: str) -> None:
    """Depth-limited JSON: the same value as json.loads within the limit, ValueError beyond."""
    try:
        expected: Any = json.loads(text)
        error = None
    except (ValueError, RecursionError) as err:
        error = err
    try:
        value = safejson.loads(text)
    except safejson.JsonDepthError:
        assert not safejson.json_depth_ok(text)
        return
    except ValueError:
        assert error is not None
        return
    assert error is None
    assert json.dumps(value) == json.dumps(expected)  # NaN-safe comparison
# --- Dahua ITC (docs/protocols.md "Dahua") -----------------------------------------------------

from custom_components.anpr.protocols import dahua  # noqa: E402

DAHUA_WIRE = _fixture("dahua/eventManager_attach_TrafficJunction_reconstructed.wire")
DAHUA_FLAT = (
    b"Events[0].EventBaseInfo.Code=TrafficJunction\r\nEvents[0].EventBaseInfo.Action=Pulse\r\n"
    b"Events[0].TrafficCar.PlateNumber=AB12CDE\r\nEvents[0].TrafficCar.DrivingDirection[0]=Leave"
    b"\r\nEvents[0].Object.BoundingBox[0]=3000\r\nEvents[0].Object.BoundingBox[1]=4000\r\n"
    b"Events[0].Object.BoundingBox[2]=3600\r\nEvents[0].Object.BoundingBox[3]=4300\r\n"
    b"Events[0].UTC=1718373876\r\nEvents[0].JunctionDirection=Obverse\r\n"
)
DAHUA_SNAP_STREAM = (
    b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length: "
    + str(len(DAHUA_FLAT)).encode() + b"\r\n\r\n" + DAHUA_FLAT + b"\r\n"
    + b"--myboundary\r\nContent-Type: image/jpeg\r\nContent-Length: 8\r\n\r\n\xff\xd8abcd\xff\xd9\r\n"
    + b"--myboundary\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nHeartbeat\r\n"
)
DAHUA_TOKENS = [b"Code=", b";data=", b"Events[0].", b"[99999]", b"=", b"\r\n", b"{", b"}",
                b"Heartbeat", b"--myboundary\r\n", b"\xff\xd9"]
dahua_mutations = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 1 << 20),
        st.one_of(st.binary(min_size=1, max_size=12), st.sampled_from(DAHUA_TOKENS)),
    ),
    max_size=6,
)


def _check_dahua_read(read: Any) -> None:
    assert read.time.tzinfo is not None
    assert read.confidence is None or 0.0 <= read.confidence <= 1.0
    if read.plate_box is not None:
        assert all(0.0 <= v <= 1.0 for v in read.plate_box)


@target(
    "dahua_stream",
    "dahua",
    st.tuples(
        st.sampled_from([DAHUA_WIRE.partition(b"\r\n\r\n")[2], DAHUA_SNAP_STREAM]),
        dahua_mutations,
        cut_points,
        st.booleans(),
    ),
)
def check_dahua_stream(args: Any) -> None:
    """Mutated, split snapManager/eventManager streams: only DahuaError, sane reads."""
    seed, ops, cuts, pictures = args
    parser = mp.MultipartStreamParser("myboundary", 4096)
    assembler = dahua.DahuaEventAssembler(with_pictures=pictures)
    reads: list[Any] = []
    for chunk in splits(mutate(seed, ops), cuts):
        for part in parser.feed(chunk):
            reads.extend(_check_only(dahua.DahuaError, assembler.add, part) or [])
    reads.extend(assembler.flush())
    for read in reads:
        assert read.has_plate
        _check_dahua_read(read)


@target(
    "dahua_fields",
    "dahua",
    st.tuples(
        st.dictionaries(
            st.sampled_from(
                ["TrafficCar", "trafficCar", "Object", "Plate", "Vehicle", "CommInfo", "Lane",
                 "JunctionDirection", "VehicleDirection", "UTC", "UTCMS", "LocaleTime",
                 "GroupID", "IndexInGroup", "PlateNumber"]
            ),
            json_value,
            max_size=8,
        ),
        st.sampled_from(["TrafficJunction", "TrafficManualSnap", "VideoMotion", ""]),
        st.sampled_from(["Pulse", "Start", "Stop"]),
    ),
)
def check_dahua_fields(args: Any) -> None:
    """Any JSON values in the fields read: event_to_read never raises; JSON and flat text
    built from them parse back or raise DahuaError only."""
    data, code, action = args
    read = dahua.event_to_read(
        dahua.DahuaEvent(code=code, action=action, index=0, data=data),
        obverse=models.Direction.OUT,
    )
    if read is not None:
        _check_dahua_read(read)
    body = f"Code={code};action={action};index=0;data={json.dumps(data)}".encode()
    events = _check_only(dahua.DahuaError, dahua.parse_code_events, body)
    if events is not None and code:
        assert events[0].data == data


@target("dahua_flat_text", "dahua", st.tuples(st.just(DAHUA_FLAT), dahua_mutations))
def check_dahua_flat_text(args: Any) -> None:
    """Mutated flattened snapManager text: parse_flat_events raises DahuaError only."""
    seed, ops = args
    data = mutate(seed, ops)
    for event in _check_only(dahua.DahuaError, dahua.parse_flat_events, data) or []:
        read = dahua.event_to_read(event)
        if read is not None:
            _check_dahua_read(read)
    dahua.parse_key_values(data)  # never raises
    dahua.is_heartbeat(data)
# --- AXIS License Plate Verifier push, Frigate MQTT, Home Assistant entity states -------------

AXIS_KEYS = ["camera_info", "Brand", "ProdShortName", "SerialNumber", "imagesURI", "imageFile",
             "imageFile2", "sensorProviderID", "plateUTF8", "carState", "carID"]  # fmt: skip


@target(
    "axis_alpv_fields",
    "axis_alpv",
    st.dictionaries(st.sampled_from(AXIS_KEYS), json_value, max_size=8),
)
def check_axis_alpv(obj: dict[str, Any]) -> None:
    """Any FF-shaped object: ``is_axis_alpv`` and ``apply_axis_fields`` never raise."""
    from custom_components.anpr.protocols import axis_alpv  # noqa: PLC0415
    from custom_components.anpr.protocols.models import PlateRead  # noqa: PLC0415

    axis_alpv.is_axis_alpv(obj)
    read = PlateRead(plate="X")
    axis_alpv.apply_axis_fields(read, obj)
    assert all(len(str(v)) <= 1000 for v in read.extra.values())


FRIGATE_KEYS = ["id", "camera", "label", "sub_label", "recognized_license_plate",
                "recognized_license_plate_score", "has_snapshot", "start_time", "frame_time",
                "current_zones", "false_positive", "plate", "score", "name", "timestamp",
                "type"]  # fmt: skip


@st.composite
def frigate_messages(draw: st.DrawFn) -> bytes:
    """Frigate ``events`` / ``tracked_object_update`` payloads: random field values, mutated."""
    fields = draw(st.dictionaries(st.sampled_from(FRIGATE_KEYS), json_value, max_size=10))
    kind = draw(st.sampled_from(["new", "update", "end", "lpr", "face", None]))
    message: Any = draw(
        st.sampled_from(
            [
                {"type": kind, "after": fields, "before": fields},
                fields | {"type": kind},
                fields,
                [fields],
            ]
        )
    )
    data = json.dumps(message).encode()
    return mutate(data, draw(mutations)) if draw(st.booleans()) else data


@target("frigate_messages", "frigate", frigate_messages())
def check_frigate(payload: bytes) -> None:
    """Both parsers raise only FrigateError; what they return feeds the tracker safely."""
    from custom_components.anpr.protocols import frigate  # noqa: PLC0415

    tracker = frigate.BestReadTracker(max_objects=4)
    for parse in (frigate.parse_events, frigate.parse_tracked_object_update):
        update = _check_only(frigate.FrigateError, parse, payload)
        if update is not None:
            tracker.offer(update, now=0.0)
            read = tracker.take(update.event_id)
            assert read is None or (read.plate and read.vendor_id == update.event_id)


@st.composite
def entity_states(draw: st.DrawFn) -> tuple[str, str, dict[str, Any], str | None, str | None]:
    domain = draw(st.sampled_from(["event", "sensor", "input_text"]))
    platform = draw(st.sampled_from([None, "unifiprotect", "frigate", "template"]))
    attributes = draw(
        st.dictionaries(
            st.sampled_from(["license_plate", "plate", "confidence", "event_id",
                             "clock_best_wall", "attributes", "number"]),
            json_value,
            max_size=6,
        )
    )  # fmt: skip
    state = draw(st.one_of(any_text, st.sampled_from(["unknown", "unavailable", "AB12CDE"])))
    attribute = draw(st.sampled_from([None, "number", "plate"]))
    return domain, state, attributes, platform, attribute


@target("ha_entity_states", "ha_entity", entity_states())
def check_ha_entity(args: tuple[str, str, dict[str, Any], str | None, str | None]) -> None:
    """Any state and attributes: only HaEntityError; a read always carries a plate."""
    from custom_components.anpr.protocols import ha_entity  # noqa: PLC0415

    domain, state, attributes, platform, attribute = args
    profile = ha_entity.profile_for(platform, domain, attributes)
    read = _check_only(
        ha_entity.HaEntityError,
        ha_entity.read_from_state,
        f"{domain}.x",
        state,
        attributes,
        profile,
        plate_attribute=attribute,
    )
    assert read is None or (read.has_plate and len(read.plate) <= ha_entity.MAX_PLATE)
