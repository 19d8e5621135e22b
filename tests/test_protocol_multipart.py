"""Tests for the streaming multipart reader (docs/protocols.md, "Multipart bodies")."""

from __future__ import annotations

import asyncio
from pathlib import Path
import time
from unittest.mock import Mock

from aiohttp import MultipartReader, StreamReader
from hypothesis import given, settings, strategies as st
import pytest

from custom_components.anpr.protocols.multipart import (
    MultipartError,
    MultipartStreamParser,
    Part,
    boundary_from_content_type,
    header_params,
    parse_multipart,
)

FIXTURES = Path(__file__).parent / "fixtures" / "hikvision"
JPEG = (FIXTURES / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg").read_bytes()
XML = (FIXTURES / "anpr_alert_isapi_ver20.xml").read_bytes().strip().replace(b"\n", b"\r\n")
HEARTBEAT = (
    b'<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">'
    b"<eventType>videoloss</eventType><eventState>inactive</eventState></EventNotificationAlert>"
)


def frame(
    ctype: str, body: bytes, mode: str, boundary: bytes = b"boundary", extra: str = ""
) -> bytes:
    """One part as a camera frames it. mode: crlf (Hikvision), exact (RFC), absent, wrong, small."""
    delim = b"--" + boundary + b"\r\n"
    head = f"Content-Type: {ctype}\r\n{extra}"
    if mode == "crlf":
        head += f"Content-Length: {len(body) + 2}\r\n"
        return delim + head.encode() + b"\r\n" + body + b"\r\n"
    if mode == "exact":
        head += f"Content-Length: {len(body)}\r\n"
    elif mode == "wrong":
        head += f"Content-Length: {len(body) + 700}\r\n"
    elif mode == "small":
        head += f"Content-Length: {max(len(body) - 9, 0)}\r\n"
    return delim + head.encode() + b"\r\n" + body + b"\r\n"


def stream(mode: str) -> bytes:
    return (
        frame('application/xml; charset="UTF-8"', HEARTBEAT, mode)
        + frame('application/xml; charset="UTF-8"', XML, mode)
        + frame(
            "image/pjpeg",
            JPEG,
            mode,
            extra='Content-Disposition: form-data; name="2025060210304540700000000000001"; '
            'filename="licensePlatePicture.jpg"\r\n',
        )
        + frame("image/jpeg", JPEG[:1000], mode, extra="Content-ID: <detectionPicture>\r\n")
    )


def feed_in(parser: MultipartStreamParser, data: bytes, size: int) -> list[Part]:
    out: list[Part] = []
    for i in range(0, len(data), size):
        out.extend(parser.feed(data[i : i + size]))
    return out


def check_parts(parts: list[Part]) -> None:
    assert [p.content_type for p in parts] == [
        "application/xml",
        "application/xml",
        "image/pjpeg",
        "image/jpeg",
    ]
    assert parts[0].body == HEARTBEAT
    assert parts[1].body == XML
    assert parts[2].body == JPEG  # byte-exact, no trailing CRLF
    assert parts[2].name == "2025060210304540700000000000001"
    assert parts[2].filename == "licensePlatePicture.jpg"
    assert parts[3].body == JPEG[:1000]
    assert parts[3].content_id == "detectionPicture"
    assert parts[1].charset == "UTF-8"


@pytest.mark.parametrize("mode", ["crlf", "exact", "absent", "wrong", "small"])
@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 1000, 4096, 1 << 20])
def test_every_content_length_variant_and_split(mode: str, size: int) -> None:
    """Content-Length including CRLF / exact / absent / too big / too small, any TCP split.

    A stream never sends the closing delimiter: the last part is complete only once the next
    delimiter arrives, which the next alert brings.
    """
    data = stream(mode) + b"--boundary\r\n"
    parser = MultipartStreamParser("boundary")
    parts = feed_in(parser, data, size)
    check_parts(parts)
    assert not parser.finished
    assert parser.buffered < 64  # consumed bytes are dropped


@pytest.mark.parametrize("mode", ["crlf", "exact"])
def test_part_with_length_delivered_without_waiting_for_next_delimiter(mode: str) -> None:
    """The camera sends the next delimiter only with its next event (maybe 10 s later)."""
    parser = MultipartStreamParser("boundary")
    data = frame("application/xml", HEARTBEAT, mode) + frame("image/jpeg", JPEG, mode)
    if mode == "exact":
        data = data[:-2]  # RFC: the CRLF comes with the next delimiter
    parts = parser.feed(data)
    assert [p.body for p in parts] == [HEARTBEAT, JPEG]
    parts = parser.feed(b"\r\n--boundary\r\n" if mode == "exact" else b"--boundary\r\n")
    assert parts == []


def test_part_without_length_waits_for_next_delimiter() -> None:
    parser = MultipartStreamParser("boundary")
    assert parser.feed(frame("application/xml", HEARTBEAT, "absent")) == []
    assert [p.body for p in parser.feed(b"--boundary\r\n")] == [HEARTBEAT]


def test_truncated_body_with_length_is_not_delivered_early() -> None:
    """A length that ends mid-document is not trusted until the delimiter shows up."""
    parser = MultipartStreamParser("boundary")
    data = frame("application/xml", HEARTBEAT, "small")
    cut = data.index(HEARTBEAT) + len(HEARTBEAT) - 9
    assert parser.feed(data[:cut]) == []
    assert [p.body for p in parser.feed(data[cut:] + b"--boundary\r\n")] == [HEARTBEAT]


def test_rfc_body_ending_in_crlf_loses_only_that_crlf() -> None:
    """Documented ambiguity: an exact length whose body ends in CRLF looks like Hikvision's."""
    parser = MultipartStreamParser("boundary")
    (part,) = parser.feed(frame("application/xml", HEARTBEAT + b"\r\n", "exact"))
    assert part.body == HEARTBEAT


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("multipart/mixed; boundary=boundary", "boundary"),
        ('multipart/mixed; boundary="AaB03x"', "AaB03x"),
        ("multipart/form-data;boundary=----x", "----x"),
        ("multipart/mixed; boundary: -----x", "-----x"),  # a user's Hikvision stream
        ("multipart/mixed", "boundary"),  # real Hikvision devices
        ("", "boundary"),
        (None, "boundary"),
    ],
)
def test_boundary_from_header(header: str | None, expected: str) -> None:
    assert boundary_from_content_type(header) == expected


def test_body_boundary_differs_from_header_is_adopted() -> None:
    """The header says <frontier> (guide example) but the body uses the literal ``boundary``."""
    parser = MultipartStreamParser(boundary_from_content_type("multipart/mixed; boundary=frontier"))
    parts = feed_in(parser, stream("crlf") + b"--boundary\r\n", 100)
    check_parts(parts)


def test_preamble_and_closing_delimiter() -> None:
    body = b"junk before\r\n" + stream("exact") + b"--boundary--\r\nepilogue"
    parser = MultipartStreamParser("boundary")
    check_parts(parser.feed(body))
    assert parser.finished
    assert parser.feed(b"--boundary\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--boundary\r\n") == []


def test_parse_multipart_one_shot_with_and_without_close() -> None:
    ctype = "multipart/form-data; boundary=boundary"
    check_parts(parse_multipart(stream("crlf") + b"--boundary--\r\n", ctype))
    check_parts(parse_multipart(stream("crlf"), ctype))  # no closing delimiter at all
    with pytest.raises(MultipartError):
        parse_multipart(b"not multipart at all", ctype)


def test_content_length_zero_picture() -> None:
    """pastebin z5Bzjthh: a picture part with Content-Length 0."""
    body = (
        frame("text/xml", XML, "exact")
        + b'--boundary\r\nContent-Type: image/pjpeg\r\nContent-Length: 0\r\n'
        b"Content-ID: licensePlatePicture\r\n\r\n\r\n--boundary--\r\n"
    )
    parts = parse_multipart(body, "multipart/form-data; boundary=boundary")
    assert [len(p.body) for p in parts] == [len(XML), 0]
    assert parts[1].content_id == "licensePlatePicture"


def test_oversize_part_skipped_and_next_part_arrives() -> None:
    parser = MultipartStreamParser("boundary", max_part_size=10_000)
    big = frame("image/jpeg", JPEG, "crlf")  # 148 KB > 10 KB cap
    data = big + frame("application/xml", HEARTBEAT, "crlf") + b"--boundary\r\n"
    parts = feed_in(parser, data, 4096)
    assert parts[0].oversize and parts[0].body == b"" and parts[0].size >= len(JPEG)
    assert parts[1].body == HEARTBEAT
    assert parser.buffered < 20_000  # memory stayed bounded while skipping


def test_oversize_with_no_delimiter_stays_bounded() -> None:
    parser = MultipartStreamParser("boundary", max_part_size=1000)
    parser.feed(b"--boundary\r\nContent-Type: image/jpeg\r\n\r\n")
    for _ in range(100):
        parser.feed(b"\xff" * 1000)
    assert parser.buffered < 3000
    parts = parser.feed(b"\r\n--boundary\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--boundary\r\n")
    assert parts[0].oversize and parts[0].size >= 100_000
    assert parts[1].body == b"<a/>"


def test_garbage_header_block_is_skipped() -> None:
    parser = MultipartStreamParser("boundary", max_header_size=256)
    data = (
        b"--boundary\r\n"
        + b"X" * 2000
        + b"\r\n"
        + frame("text/xml", b"<a/>", "crlf")
        + b"--boundary\r\n"
    )
    parts = parser.feed(data)
    assert parts[-1].body == b"<a/>"
    assert parts[0].oversize


def test_lf_only_line_endings() -> None:
    data = (
        b"--boundary\nContent-Type: text/xml\n\n<a/>\n"
        b"--boundary\nContent-Type: text/xml\n\n<b/>\n--boundary--\n"
    )
    assert [p.body for p in MultipartStreamParser("boundary").feed(data)] == [b"<a/>", b"<b/>"]


def test_header_params_and_repr() -> None:
    main, params = header_params('form-data; name="anpr.xml";filename="anpr.xml"')
    assert main == "form-data"
    assert params == {"name": "anpr.xml", "filename": "anpr.xml"}
    part = Part(headers={"content-type": "image/jpeg"}, body=JPEG, size=len(JPEG))
    assert "\\xff" not in repr(part) and str(len(JPEG)) in repr(part)
    with pytest.raises(MultipartError):
        MultipartStreamParser("")


@given(cuts=st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=60))
@settings(max_examples=60, deadline=None)
def test_random_splits_give_identical_parts(cuts: list[int]) -> None:
    data = stream("crlf")[:6000] + frame("application/xml", HEARTBEAT, "exact") + b"--boundary\r\n"
    expected = MultipartStreamParser("boundary").feed(data)
    parser = MultipartStreamParser("boundary")
    got: list[Part] = []
    pos = 0
    for cut in cuts:
        got.extend(parser.feed(data[pos : pos + cut]))
        pos += cut
    got.extend(parser.feed(data[pos:]))
    assert [(p.headers, p.body, p.oversize) for p in got] == [
        (p.headers, p.body, p.oversize) for p in expected
    ]


@given(noise=st.binary(max_size=3000))
@settings(max_examples=80, deadline=None)
def test_arbitrary_bytes_never_raise(noise: bytes) -> None:
    parser = MultipartStreamParser("boundary", max_part_size=1000, max_header_size=200)
    parser.feed(b"--boundary\r\n" + noise)
    parser.feed(noise)


def test_linear_time_in_stream_and_part_size() -> None:
    """1 KB reads: 8x the data must cost about 8x the time (buffer-and-find would be ~64x)."""

    def run(size: int) -> float:
        body = b"\xab" * size
        data = frame("image/jpeg", body, "absent") + b"--boundary\r\n"
        parser = MultipartStreamParser("boundary", max_part_size=64 << 20)
        start = time.perf_counter()
        parts = feed_in(parser, data, 1024)
        elapsed = time.perf_counter() - start
        assert len(parts) == 1 and len(parts[0].body) == size
        return elapsed

    run(1 << 20)  # warm up
    small = min(run(2 << 20) for _ in range(3))
    big = min(run(16 << 20) for _ in range(2))
    assert big / small < 32, (small, big)


# --- Why not aiohttp's MultipartReader ---------------------------------------------------------


async def _aiohttp_parts(body: bytes, content_type: str) -> list[bytes]:
    protocol = Mock(_reading_paused=False)
    reader = StreamReader(protocol, 2**16, loop=asyncio.get_running_loop())
    reader.feed_data(body)
    reader.feed_eof()
    multipart = MultipartReader({"Content-Type": content_type}, reader)
    out: list[bytes] = []
    while (part := await multipart.next()) is not None:
        out.append(await part.read())  # type: ignore[union-attr]
    return out


async def test_aiohttp_reader_handles_rfc_framing() -> None:
    """Fair comparison: aiohttp is fine with RFC 2046 framing..."""
    body = stream("exact") + b"--boundary--\r\n"
    parts = await _aiohttp_parts(body, "multipart/mixed; boundary=boundary")
    assert parts[1] == XML


async def test_aiohttp_reader_fails_on_hikvision_content_length() -> None:
    """...but Hikvision's Content-Length counts the CRLF ("Multipart bodies"): aiohttp fails.

    aiohttp 3.11 trips a bare ``assert`` ("reader did not read all the data or it is
    malformed"), which would even vanish under ``python -O`` and read garbage.
    """
    body = stream("crlf") + b"--boundary--\r\n"
    with pytest.raises((AssertionError, ValueError), match=r"malformed|did not read all"):
        await _aiohttp_parts(body, "multipart/mixed; boundary=boundary")
    check_parts(parse_multipart(body, "multipart/mixed; boundary=boundary"))


async def test_aiohttp_reader_cannot_use_body_boundary() -> None:
    """The guide's header says boundary=<frontier> while devices use ``boundary``."""
    body = stream("exact") + b"--boundary--\r\n"
    try:
        parts = await _aiohttp_parts(body, "multipart/mixed; boundary=frontier")
    except ValueError:
        parts = []
    assert XML not in parts
    check_parts(parse_multipart(body, "multipart/mixed; boundary=frontier"))


async def test_aiohttp_reader_fails_on_too_small_content_length() -> None:
    body = stream("small") + b"--boundary--\r\n"
    try:
        parts = await _aiohttp_parts(body, "multipart/mixed; boundary=boundary")
    except (AssertionError, ValueError):
        parts = []
    assert XML not in parts
    check_parts(parse_multipart(body, "multipart/mixed; boundary=boundary"))


@pytest.mark.parametrize("size", [1, 5, 64, 1 << 20])
def test_length_landing_on_a_later_delimiter(size: int) -> None:
    """A Content-Length too big by exactly the next part."""
    second = frame("image/jpeg", JPEG[:500], "crlf")
    first_body = HEARTBEAT + b"\r\n"
    data = (
        b"--boundary\r\nContent-Type: application/xml\r\nContent-Length: "
        + str(len(first_body) + len(second)).encode()
        + b"\r\n\r\n"
        + first_body
        + second
        + b"--boundary\r\n"
    )
    parts = feed_in(MultipartStreamParser("boundary"), data, size)
    assert [p.body for p in parts] == [HEARTBEAT, JPEG[:500]]


def test_more_framing_oddities() -> None:
    # A boundary parameter that is empty or absurdly long: fall back to the literal.
    assert boundary_from_content_type('multipart/mixed; boundary=""') == "boundary"
    assert boundary_from_content_type("multipart/mixed; boundary=" + "x" * 300) == "boundary"
    # Header lines without a colon are ignored; a non-numeric Content-Length is ignored.
    data = (
        b"--boundary\r\nContent-Type: text/xml\r\ngarbage line\r\nContent-Length: many\r\n\r\n"
        b"<a/>\r\n--boundary\r\n"
    )
    (part,) = MultipartStreamParser("boundary").feed(data)
    assert part.body == b"<a/>" and part.headers == {
        "content-type": "text/xml",
        "content-length": "many",
    }
    # A part without any header line.
    (part,) = MultipartStreamParser("boundary").feed(b"--boundary\r\n\r\n<a/>\r\n--boundary\r\n")
    assert part.body == b"<a/>" and part.headers == {}
    # LF-only framing with an exact Content-Length.
    data = b"--boundary\nContent-Length: 4\n\n<a/>\n--boundary\n"
    assert [p.body for p in MultipartStreamParser("boundary").feed(data)] == [b"<a/>"]
    # "--boundary" followed by 300 bytes without a line end is not a delimiter line.
    parser = MultipartStreamParser("boundary")
    data = b"--boundary" + b"x" * 300 + b"\r\n--boundary\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n"
    assert [p.body for p in parser.feed(data + b"--boundary\r\n")] == [b"<a/>"]


def test_oversize_part_found_in_one_read() -> None:
    parser = MultipartStreamParser("boundary", max_part_size=100)
    data = b"--boundary\r\nContent-Type: image/jpeg\r\n\r\n" + b"\xff" * 150 + b"\r\n--boundary\r\n"
    (part,) = parser.feed(data)
    assert part.oversize and part.size == 150 and part.body == b""


def test_adopting_a_body_boundary_only_when_sane() -> None:
    parser = MultipartStreamParser("frontier")
    data = b"--" + b"y" * 300 + b"\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n"
    assert parser.feed(data) == []  # 300-character "boundary": not adopted
    assert parser.boundary == b"frontier"
