"""RTSP metadata client: SDP, RTP reassembly, interleaved demux, and real sockets.

The socket tests run the client against ``tools.emulators.onvif`` (a real RTSP server on
127.0.0.1 speaking RTP-over-TCP interleaved, Digest auth, session timeouts).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import gzip
from pathlib import Path
import socket
import ssl
import struct
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.anpr.protocols.onvif_metadata import PlateEventFilter, parse_plates
from custom_components.anpr.protocols.rtsp.client import (
    InterleavedDemuxer,
    InterleavedFrame,
    RtspMetadataClient,
    RtspResponse,
    redact_url,
    split_credentials,
)
from custom_components.anpr.protocols.rtsp.errors import (
    NoMetadataTrackError,
    RtspAuthError,
    RtspError,
)
from custom_components.anpr.protocols.rtsp.rtp import (
    MetadataReassembler,
    RtpPacket,
    gunzip_capped,
    parse_rtp,
)
from custom_components.anpr.protocols.rtsp.sdp import parse_sdp
from tools.emulators.onvif import OnvifCameraEmulator

FIXTURES = Path(__file__).parent / "fixtures" / "onvif"


# -- SDP ------------------------------------------------------------------------------------


def test_sdp_spec_example() -> None:
    text = (FIXTURES / "spec_Streaming_metadata_DESCRIBE_SDP_example.txt").read_text()
    sdp = text[text.index("v=0") :]
    track = parse_sdp(sdp, "rtsp://example.com/onvif_camera")
    assert track.control_url == "rtsp://example.com/onvif_camera/metadata"
    assert track.payload_type == 107
    assert track.clock_rate == 90000
    assert not track.gzip


def test_sdp_upper_case_8000_relative_control() -> None:
    sdp = (
        "v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n"
        "m=application 0 RTP/AVP 98\r\na=control:trackID=3?transportmode=unicast\r\n"
        "a=rtpmap:98 VND.ONVIF.METADATA/8000\r\n"
    )
    track = parse_sdp(sdp, "rtsp://10.0.0.5:554/Streaming/Channels/101/")
    assert track.control_url == (
        "rtsp://10.0.0.5:554/Streaming/Channels/101/trackID=3?transportmode=unicast"
    )
    assert track.encoding == "VND.ONVIF.METADATA"
    assert track.clock_rate == 8000
    assert track.payload_type == 98


def test_sdp_gzip_and_exi() -> None:
    gz = "m=application 0 RTP/AVP 100\na=rtpmap:100 vnd.onvif.metadata+gzip/90000\n"
    assert parse_sdp(gz, "rtsp://h/s").gzip
    exi = "m=application 0 RTP/AVP 100\na=rtpmap:100 vnd.onvif.metadata.exi.ext/90000\n"
    with pytest.raises(NoMetadataTrackError, match="EXI"):
        parse_sdp(exi, "rtsp://h/s")
    with pytest.raises(NoMetadataTrackError):
        parse_sdp("v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n", "rtsp://h/s")
    # Plain XML is preferred when both are offered.
    both = gz + "m=application 0 RTP/AVP 101\na=rtpmap:101 vnd.onvif.metadata/90000\n"
    assert parse_sdp(both, "rtsp://h/s").payload_type == 101


def test_sdp_skips_other_application_formats_and_keeps_absolute_controls() -> None:
    """Other application encodings, an unreadable payload type and junk lines are skipped; an
    absolute ``a=control`` is used as written, a relative session-level one is resolved below
    the base URL and becomes the aggregate URL."""
    sdp = (
        "v=0\r\njunk\r\na=control:session\r\n"
        "m=application 0 RTP/AVP 97 x 99\r\na=control:rtsp://10.0.0.6/meta\r\n"
        "a=rtpmap:97 vnd.vendor.data/90000\r\n"
        "a=rtpmap:x vnd.onvif.metadata/90000\r\n"
        "a=rtpmap:99 vnd.onvif.metadata/90000\r\n"
    )
    track = parse_sdp(sdp, "rtsp://10.0.0.5/cam")
    assert track.payload_type == 99
    assert track.control_url == "rtsp://10.0.0.6/meta"
    assert track.aggregate_url == "rtsp://10.0.0.5/cam/session"


def test_credentials_never_in_url() -> None:
    clean, user, password = split_credentials("rtsp://ad%40min:p%3Ass@10.0.0.5:554/x?y=1")
    assert clean == "rtsp://10.0.0.5:554/x?y=1"
    assert (user, password) == ("ad@min", "p:ss")
    assert "p:ss" not in redact_url("rtsp://admin:p:ss@h/x")


# -- RTP and reassembly --------------------------------------------------------------------


def rtp(seq: int, payload: bytes, marker: bool = False, pt: int = 107) -> RtpPacket:
    raw = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, 1, 2)
    return parse_rtp(raw + payload)


def packets(doc: bytes, start: int, size: int) -> list[RtpPacket]:
    chunks = [doc[i : i + size] for i in range(0, len(doc), size)]
    return [rtp(start + i, c, i == len(chunks) - 1) for i, c in enumerate(chunks)]


DOC1 = (
    b'<?xml version="1.0"?><tt:MetadataStream xmlns:tt="urn:x">'
    + b"A" * 300
    + b"</tt:MetadataStream>"
)
DOC2 = (
    b'<?xml version="1.0"?><tt:MetadataStream xmlns:tt="urn:x">'
    + b"B" * 300
    + b"</tt:MetadataStream>"
)


def feed_all(r: MetadataReassembler, pkts: list[RtpPacket]) -> list[bytes]:
    return [d for p in pkts if (d := r.feed(p)) is not None]


def test_parse_rtp_header_fields() -> None:
    raw = struct.pack("!BBHII", 0xA1, 0x80 | 107, 65535, 90000, 7)  # padding + 1 CSRC
    raw += b"\x00\x00\x00\x09" + b"hello" + b"\x00\x00\x03"
    packet = parse_rtp(raw)
    assert packet.marker and packet.sequence == 65535 and packet.payload == b"hello"
    with pytest.raises(RtspError):
        parse_rtp(b"\x80\x00")
    with pytest.raises(RtspError):
        parse_rtp(b"\x40" + b"\x00" * 11)


def test_reassembly_many_packets_and_wraparound() -> None:
    r = MetadataReassembler(payload_type=107)
    docs = feed_all(r, packets(DOC1, 65530, 10) + packets(DOC2, (65530 + 37) & 0xFFFF, 7))
    assert docs == [DOC1, DOC2]


def test_gap_drops_only_the_broken_document() -> None:
    r = MetadataReassembler(payload_type=107)
    first = packets(DOC1, 100, 50)
    del first[2]  # lost in the middle of DOC1
    second = packets(DOC2, 100 + len(first) + 1, 50)
    assert feed_all(r, first + second) == [DOC2]
    assert r.stats.dropped_gap == 1


def test_gap_that_ate_a_marker_keeps_the_next_document() -> None:
    r = MetadataReassembler(payload_type=107)
    first = packets(DOC1, 10, 50)
    lost_tail = first[:-1]  # the marker packet of DOC1 is lost
    second = packets(DOC2, 10 + len(first), 50)
    assert feed_all(r, lost_tail + second) == [DOC2]
    assert r.stats.dropped_gap == 1


def test_size_cap_and_other_payload_types() -> None:
    r = MetadataReassembler(payload_type=107, max_bytes=200)
    assert feed_all(r, packets(DOC1, 1, 50)) == []
    assert r.stats.dropped_oversize == 1
    small = b"<?xml version='1.0'?><a/>"
    assert feed_all(r, packets(small, 20, 50)) == [small]
    assert r.feed(rtp(21, small, True, pt=96)) is None  # not our track


def test_gzip_documents_and_bombs() -> None:
    r = MetadataReassembler(payload_type=107, gzip=True, max_bytes=10_000)
    assert feed_all(r, packets(gzip.compress(DOC1), 1, 40)) == [DOC1]
    bomb = gzip.compress(b"<" + b"a" * 1_000_000)
    assert feed_all(r, packets(bomb, 500, 400)) == []
    assert r.stats.dropped_bad == 1
    with pytest.raises(RtspError):
        gunzip_capped(b"\x1f\x8bnot gzip", 100)


# -- interleaved demux ---------------------------------------------------------------------


def stream_bytes() -> bytes:
    resp = b"RTSP/1.0 200 OK\r\nCSeq: 5\r\nContent-Length: 4\r\n\r\nbody"
    frame = b"$\x00" + struct.pack("!H", 6) + b"abcdef"
    rtcp = b"$\x01" + struct.pack("!H", 2) + b"xy"
    return frame + resp + rtcp + b"\r\n" + frame


def collect(chunks: list[bytes]) -> list[object]:
    demux = InterleavedDemuxer()
    out: list[object] = []
    for chunk in chunks:
        for item in demux.feed(chunk):
            out.append(
                (item.channel, item.data)
                if isinstance(item, InterleavedFrame)
                else (item.status, item.cseq, item.body)
            )
    return out


def test_demux_whole_and_split() -> None:
    data = stream_bytes()
    expected = [(0, b"abcdef"), (200, 5, b"body"), (1, b"xy"), (0, b"abcdef")]
    assert collect([data]) == expected
    assert collect([bytes([b]) for b in data]) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=20))
def test_demux_any_split(cuts: list[int]) -> None:
    data = stream_bytes() * 3
    chunks, pos = [], 0
    for cut in cuts:
        chunks.append(data[pos : pos + cut])
        pos += cut
    chunks.append(data[pos:])
    assert collect(chunks) == collect([data])


def test_demux_rejects_garbage() -> None:
    demux = InterleavedDemuxer()
    with pytest.raises(RtspError):
        list(demux.feed(b"HTTP/1.1 200 OK\r\n\r\n"))
    assert isinstance(
        next(InterleavedDemuxer().feed(b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n\r\n")),
        RtspResponse,
    )


# -- real sockets --------------------------------------------------------------------------


@pytest.fixture
async def camera() -> AsyncIterator[OnvifCameraEmulator]:
    emulator = OnvifCameraEmulator(chunk_size=64)
    await emulator.start()
    yield emulator
    await emulator.stop()


class Receiver:
    def __init__(self) -> None:
        self.docs: list[bytes] = []
        self.event = asyncio.Event()

    def __call__(self, doc: bytes) -> None:
        self.docs.append(doc)
        self.event.set()

    async def wait(self, count: int, within: float = 5.0) -> list[bytes]:
        async with asyncio.timeout(within):
            while len(self.docs) < count:
                self.event.clear()
                await self.event.wait()
        return self.docs

    def plates(self) -> list[str]:
        filt = PlateEventFilter()
        return [e.read.plate for d in self.docs for e in filt.filter(parse_plates(d))]


async def connect(
    emu: OnvifCameraEmulator, password: str = "secret", **kwargs: object
) -> tuple[RtspMetadataClient, Receiver]:
    receiver = Receiver()
    client = RtspMetadataClient(
        emu.rtsp_url,
        "admin",
        password,
        on_document=receiver,
        timeout=3.0,
        **kwargs,  # type: ignore[arg-type]
    )
    await client.start()
    await emu.wait_playing()
    return client, receiver


@pytest.mark.enable_socket
async def test_documents_split_across_many_packets(camera: OnvifCameraEmulator) -> None:
    camera.chunk_size = 16
    client, rx = await connect(camera)
    try:
        for plate in ("AB12CDE", "KX21ABC", "43 거 6510"):
            camera.send_plate(plate, fmt="hikvision")
        await rx.wait(3)
        assert rx.plates() == ["AB12CDE", "KX21ABC", "43 거 6510"]
        assert camera.stats.packets_sent > 3 * 20  # really many packets per document
        assert client.info is not None and client.info.track.payload_type == 107
    finally:
        await client.close()
    assert camera.stats.teardowns == 1
    assert "TEARDOWN" in camera.stats.methods


@pytest.mark.enable_socket
async def test_lost_packets_drop_only_that_document(camera: OnvifCameraEmulator) -> None:
    client, rx = await connect(camera)
    try:
        camera.drop_packets = {2}
        camera.send_plate("LOST1", fmt="milesight")
        camera.send_plate("KEPT2", fmt="milesight")
        camera.drop_packets = set()
        await rx.wait(1)
        await asyncio.sleep(0.1)
        assert rx.plates() == ["KEPT2"]
        assert client.reassembly_stats is not None
        assert client.reassembly_stats.dropped_gap == 1
    finally:
        await client.close()


@pytest.mark.enable_socket
async def test_gzip_and_upper_case_encoding() -> None:
    async with OnvifCameraEmulator(
        gzip=True, encoding="VND.ONVIF.METADATA", clock_rate=8000
    ) as emu:
        client, rx = await connect(emu)
        try:
            assert client.info is not None
            assert client.info.track.gzip
            assert client.info.track.encoding == "VND.ONVIF.METADATA+gzip"
            emu.send_plate("GZ1P", fmt="onvif")
            await rx.wait(1)
            assert rx.plates() == ["GZ1P"]
        finally:
            await client.close()


@pytest.mark.enable_socket
async def test_wrong_password(camera: OnvifCameraEmulator) -> None:
    client = RtspMetadataClient(
        camera.rtsp_url, "admin", "wrong", on_document=lambda d: None, timeout=3.0
    )
    with pytest.raises(RtspAuthError):
        await client.start()
    await client.close()
    assert camera.stats.auth_failures >= 1


@pytest.mark.enable_socket
async def test_basic_auth_and_credentials_in_url() -> None:
    async with OnvifCameraEmulator(rtsp_auth="basic") as emu:
        url = emu.rtsp_url.replace("rtsp://", "rtsp://admin:secret@")
        rx = Receiver()
        client = RtspMetadataClient(url, on_document=rx, timeout=3.0)
        await client.start()
        try:
            assert "secret" not in client.url
            await emu.wait_playing()
            emu.send_plate("BAS1C", fmt="hikvision")
            await rx.wait(1)
        finally:
            await client.close()


@pytest.mark.enable_socket
async def test_session_keepalive_keeps_the_stream_alive() -> None:
    async with OnvifCameraEmulator(session_timeout=1) as emu:
        client, rx = await connect(emu)
        try:
            assert client.info is not None and client.info.timeout == 1.0
            assert client.info.keepalive_method == "GET_PARAMETER"
            await asyncio.sleep(2.5)  # well past the 1 s session timeout
            emu.send_plate("ALIVE1", fmt="hikvision")
            await rx.wait(1)
            assert emu.stats.sessions_expired == 0
            assert client.stats.keepalives >= 2
        finally:
            await client.close()


@pytest.mark.enable_socket
async def test_without_keepalive_the_camera_ends_the_session() -> None:
    """Proves the emulator enforces the timeout the previous test relies on."""
    async with OnvifCameraEmulator(session_timeout=1) as emu:
        client, _rx = await connect(emu, keepalive_interval=30.0)
        with pytest.raises(RtspError):
            async with asyncio.timeout(5):
                await client.wait_closed()
        await client.close()
        assert emu.stats.sessions_expired == 1


@pytest.mark.enable_socket
async def test_camera_restart_ends_the_session(camera: OnvifCameraEmulator) -> None:
    client, _rx = await connect(camera)
    await camera.restart()
    with pytest.raises(RtspError, match="closed"):
        async with asyncio.timeout(5):
            await client.wait_closed()
    await client.close()
    # A new session works after the restart.
    client, rx = await connect(camera)
    try:
        camera.send_plate("AFTER1", fmt="hikvision")
        await rx.wait(1)
    finally:
        await client.close()


@pytest.mark.enable_socket
async def test_no_metadata_track_and_unreachable() -> None:
    refusing = socket.socket()  # bound, not listening: connections are refused
    refusing.bind(("127.0.0.1", 0))
    async with OnvifCameraEmulator(metadata_track=False) as emu:
        client = RtspMetadataClient(emu.rtsp_url, "admin", "secret", on_document=lambda d: None)
        with pytest.raises(NoMetadataTrackError):
            await client.start()
        await client.close()
    port = refusing.getsockname()[1]
    client = RtspMetadataClient(
        f"rtsp://127.0.0.1:{port}/x", on_document=lambda d: None, timeout=2.0
    )
    with pytest.raises(RtspError, match="cannot connect"):
        await client.start()
    refusing.close()


@pytest.mark.enable_socket
async def test_initialized_state_on_play_is_not_a_new_plate(camera: OnvifCameraEmulator) -> None:
    camera.send_plate("OLD1", fmt="milesight")  # before anyone is connected
    client, rx = await connect(camera)
    try:
        await rx.wait(1)  # the camera re-sends its state with PropertyOperation=Initialized
        assert b'PropertyOperation="Initialized"' in rx.docs[0]
        camera.send_plate("NEW2", fmt="milesight")
        await rx.wait(2)
        assert rx.plates() == ["NEW2"]
    finally:
        await client.close()


# -- more quirks -----------------------------------------------------------------------------


def test_rtp_header_extension() -> None:
    raw = struct.pack("!BBHII", 0x90, 107, 1, 2, 3) + b"\xbe\xde\x00\x01" + b"\x00" * 4 + b"xml"
    assert parse_rtp(raw).payload == b"xml"
    with pytest.raises(RtspError, match="extension"):
        parse_rtp(struct.pack("!BBHII", 0x90, 107, 1, 2, 3) + b"\xbe")


def test_demux_quirks() -> None:
    # A request sent by the server (status 0), a response without CSeq, header folding.
    items = list(
        InterleavedDemuxer().feed(
            b"ANNOUNCE rtsp://h/x RTSP/1.0\r\nCSeq: 9\r\n\r\n"
            b"RTSP/1.0 200 OK\r\nWWW-Authenticate: Basic realm=a\r\n"
            b"WWW-Authenticate: Digest realm=a, nonce=b\r\nJunk line\r\n\r\n"
        )
    )
    assert isinstance(items[0], RtspResponse) and items[0].status == 0
    assert isinstance(items[1], RtspResponse) and items[1].cseq is None
    assert items[1].headers["www-authenticate"].count("\n") == 1
    for bad in (
        b"RTSP/1.0 xx OK\r\n\r\n",
        b"RTSP/1.0 200 OK\r\nContent-Length: many\r\n\r\n",
        b"RTSP/1.0 200 OK\r\nContent-Length: 99999999\r\n\r\n",
        b"x" * 70_000,
    ):
        with pytest.raises(RtspError):
            list(InterleavedDemuxer().feed(bad))


def test_digest_and_basic_answers_are_accepted_by_a_server() -> None:
    from custom_components.anpr.protocols.rtsp.client import _Authenticator  # noqa: PLC0415
    from tools.emulators.onvif import DigestChecker  # noqa: PLC0415

    checker = DigestChecker("admin", "pw", "cam")
    auth = _Authenticator("admin", "pw")
    assert auth.header("DESCRIBE", "rtsp://h/x") is None  # nothing before a challenge
    assert not auth.challenge("Bearer realm=x")
    assert auth.challenge(checker.challenge())
    assert checker.check("DESCRIBE", auth.header("DESCRIBE", "rtsp://h/x"))
    # RFC 2069 (no qop) with opaque and an explicit algorithm.
    assert auth.challenge(f'Digest realm="cam", nonce="{checker.nonce}", opaque="o", algorithm=MD5')
    header = auth.header("SETUP", "rtsp://h/x/trackID=3")
    assert header is not None and 'opaque="o"' in header and "qop" not in header
    assert checker.check("SETUP", header)
    assert auth.challenge('Digest realm="cam", nonce="n", qop="auth", algorithm=MD5-sess')
    assert "algorithm=MD5-sess" in (auth.header("PLAY", "rtsp://h/x") or "")
    basic = DigestChecker("admin", "pw", "cam", scheme="basic")
    assert auth.challenge(basic.challenge())
    assert basic.check("PLAY", auth.header("PLAY", "rtsp://h/x"))


def test_url_helpers() -> None:
    from custom_components.anpr.protocols.rtsp.client import with_credentials  # noqa: PLC0415

    url = with_credentials("rtsp://[fe80::1]:554/x", "ad@m", "p:w")
    assert url == "rtsp://ad%40m:p%3Aw@[fe80::1]:554/x"
    assert split_credentials(url) == ("rtsp://[fe80::1]:554/x", "ad@m", "p:w")
    assert split_credentials("rtsp://h/x") == ("rtsp://h/x", None, None)


async def test_bad_urls() -> None:
    for url in ("http://h/x", "rtsp:///x"):
        client = RtspMetadataClient(url, on_document=lambda d: None)
        with pytest.raises(RtspError):
            await client.start()
    with pytest.raises(RtspError, match="not started"):
        await RtspMetadataClient("rtsp://h/x", on_document=lambda d: None).wait_closed()


@pytest.mark.enable_socket
async def test_keepalive_with_options_when_get_parameter_is_not_offered() -> None:
    async with OnvifCameraEmulator(
        session_timeout=1, public="OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN"
    ) as emu:
        client, rx = await connect(emu)
        try:
            assert client.info is not None and client.info.keepalive_method == "OPTIONS"
            await asyncio.sleep(2.0)
            assert emu.stats.sessions_expired == 0
            assert emu.stats.methods.count("OPTIONS") >= 3  # the first one + keep-alives
            assert "GET_PARAMETER" not in emu.stats.methods
            emu.send_plate("OPT1", fmt="hikvision")
            await rx.wait(1)
        finally:
            await client.close()


@pytest.mark.enable_socket
async def test_session_lost_on_the_camera_is_noticed(camera: OnvifCameraEmulator) -> None:
    client, _rx = await connect(camera, keepalive_interval=0.2)
    camera.forget_sessions()  # the camera answers 454 Session Not Found from now on
    with pytest.raises(RtspError, match="ended the RTSP session"):
        async with asyncio.timeout(5):
            await client.wait_closed()
    await client.close()


@pytest.mark.enable_socket
async def test_wrong_stream_path_is_a_status_error(camera: OnvifCameraEmulator) -> None:
    from custom_components.anpr.protocols.rtsp.errors import RtspStatusError  # noqa: PLC0415

    url = camera.rtsp_url.replace("/Streaming/Channels/101", "/nope")
    client = RtspMetadataClient(url, "admin", "secret", on_document=lambda d: None)
    with pytest.raises(RtspStatusError) as err:
        await client.start()
    assert err.value.status == 404 and err.value.method == "DESCRIBE"


@pytest.mark.enable_socket
async def test_a_failing_document_handler_does_not_stop_the_stream(
    camera: OnvifCameraEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[bytes] = []

    def handler(doc: bytes) -> None:
        seen.append(doc)
        if len(seen) == 1:
            raise ValueError("boom")

    client = RtspMetadataClient(camera.rtsp_url, "admin", "secret", on_document=handler)
    await client.start()
    await camera.wait_playing()
    try:
        camera.send_plate("ONE", fmt="hikvision")
        camera.send_plate("TWO", fmt="hikvision")
        async with asyncio.timeout(5):
            while len(seen) < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        assert "Error while handling" in caplog.text
    finally:
        await client.close()


# -- cameras with odd RTSP servers (scripted on a real socket) -------------------------------

SDP = (
    "v=0\r\nm=application 0 RTP/AVP 107\r\na=control:trackID=3\r\n"
    "a=rtpmap:107 vnd.onvif.metadata/90000\r\n"
)


class ScriptedCamera:
    """A raw RTSP server whose answers a test scripts: ``answer(method, cseq, n) -> bytes``."""

    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.requests: list[str] = []
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> ScriptedCamera:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"rtsp://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/cam"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
                method = head.split(" ", 1)[0]
                cseq = next(
                    line.split(":", 1)[1].strip()
                    for line in head.split("\r\n")
                    if line.lower().startswith("cseq")
                )
                self.requests.append(head)
                out = self.answer(method, cseq, self.requests.count(head))  # type: ignore[operator]
                if out:
                    writer.write(out)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass


def ok(cseq: str, extra: str = "", body: str = "") -> bytes:
    length = f"Content-Length: {len(body.encode())}\r\n" if body else ""
    return f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}{length}\r\n{body}".encode()


def frame(channel: int, payload: bytes) -> bytes:
    return b"$" + bytes([channel]) + struct.pack("!H", len(payload)) + payload


def standard(method: str, cseq: str, setup_extra: str = "Session: 12;timeout=60\r\n") -> bytes:
    if method == "OPTIONS":
        return ok(cseq, "Public: DESCRIBE, SETUP, PLAY\r\n")
    if method == "DESCRIBE":
        return ok(cseq, "Content-Base: rtsp://127.0.0.1/cam/\r\n", SDP)
    if method == "SETUP":
        return ok(cseq, setup_extra + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n")
    return ok(cseq)


@pytest.mark.enable_socket
@pytest.mark.parametrize(
    ("setup_extra", "message"),
    [
        ("Transport: RTP/AVP;unicast;client_port=5000-5001\r\nSession: 1\r\n", "over TCP"),
        ("", "no Session"),
    ],
)
async def test_setup_answers_we_cannot_use(setup_extra: str, message: str) -> None:
    def answer(method: str, cseq: str, _n: int) -> bytes:
        if method == "SETUP":
            return ok(cseq, setup_extra)
        return standard(method, cseq)

    async with ScriptedCamera(answer) as cam:
        client = RtspMetadataClient(cam.url, on_document=lambda d: None, timeout=2)
        with pytest.raises(RtspError, match=message):
            await client.start()


@pytest.mark.enable_socket
async def test_odd_but_usable_camera() -> None:
    """No CSeq in answers, no session timeout, a stale nonce, RTCP and junk RTP frames."""
    doc = b'<?xml version="1.0"?><tt:MetadataStream xmlns:tt="u"/>'
    nonces = iter(["n1", "n2", "n3", "n4", "n5", "n6"])
    authorized: set[str] = set()

    def answer(method: str, cseq: str, _n: int) -> bytes:
        if method == "DESCRIBE" and "DESCRIBE" not in authorized:
            authorized.add("DESCRIBE")
            return (
                f"RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: Digest "
                f'realm="r", nonce="{next(nonces)}"\r\n\r\n'
            ).encode()
        if method == "SETUP" and "SETUP" not in authorized:
            authorized.add("SETUP")
            return (
                f"RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\nWWW-Authenticate: Digest "
                f'realm="r", nonce="{next(nonces)}", stale=true\r\n\r\n'
            ).encode()
        out = standard(method, cseq, "Session: 77\r\n").replace(f"CSeq: {cseq}\r\n".encode(), b"")
        if method == "PLAY":
            junk_rtp = frame(0, b"\x00" * 4)
            rtcp = frame(1, b"\x80\xc8\x00\x06" + b"\x00" * 24)
            pkt = struct.pack("!BBHII", 0x80, 0x80 | 107, 1, 0, 1) + doc
            out += junk_rtp + rtcp + frame(0, pkt)
        return out

    rx = Receiver()
    async with ScriptedCamera(answer) as cam:
        client = RtspMetadataClient(cam.url, "u", "p", on_document=rx, timeout=2)
        info = await client.start()
        try:
            assert info.timeout == 60.0 and info.keepalive_method == "OPTIONS"
            assert await rx.wait(1) == [doc]
            setups = [r for r in cam.requests if r.startswith("SETUP")]
            assert len(setups) == 2 and 'nonce="n2"' in setups[1]  # retried after stale
        finally:
            await client.close()


@pytest.mark.enable_socket
async def test_camera_that_stops_answering_keepalives() -> None:
    def answer(method: str, cseq: str, _n: int) -> bytes:
        if method == "OPTIONS" and any(r.startswith("PLAY") for r in cam.requests):
            return b""  # silence: a hung camera
        return standard(method, cseq)

    async with ScriptedCamera(answer) as cam:
        client = RtspMetadataClient(
            cam.url, on_document=lambda d: None, timeout=0.5, keepalive_interval=0.1
        )
        await client.start()
        with pytest.raises(RtspError, match="keep-alive failed"):
            async with asyncio.timeout(5):
                await client.wait_closed()
        await client.close()


@pytest.mark.enable_socket
async def test_camera_closing_during_a_request() -> None:
    def answer(method: str, cseq: str, _n: int) -> bytes:
        if method == "SETUP":
            for writer in cam.writers:
                writer.close()
            return b""
        return standard(method, cseq)

    async with ScriptedCamera(answer) as cam:
        client = RtspMetadataClient(cam.url, on_document=lambda d: None, timeout=2)
        with pytest.raises(RtspError):
            await client.start()


@pytest.mark.enable_socket
async def test_nonce_rotated_during_a_long_session() -> None:
    """Cameras change their Digest nonce while a session runs (no stale flag)."""
    async with OnvifCameraEmulator(session_timeout=1) as emu:
        client, rx = await connect(emu)
        try:
            emu.rtsp_auth.nonce = "rotated-nonce"
            await asyncio.sleep(1.5)  # keep-alives meet a 401 with the new nonce, answer it
            emu.send_plate("NONCE1", fmt="hikvision")
            await rx.wait(1)
            assert emu.stats.rtsp_connections == 1 and emu.stats.sessions_expired == 0
            assert emu.stats.auth_failures >= 1  # the old nonce was refused once, then answered
        finally:
            await client.close()


def self_signed_server_context(tmp_path: Path) -> ssl.SSLContext:
    """A TLS server context with a throw-away self-signed certificate (like cameras have)."""
    from datetime import UTC, datetime, timedelta  # noqa: PLC0415

    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.x509.oid import NameOID  # noqa: PLC0415

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "camera")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


@pytest.mark.enable_socket
async def test_rtsps_with_a_self_signed_camera(tmp_path: Path) -> None:
    async with OnvifCameraEmulator(rtsp_ssl=self_signed_server_context(tmp_path)) as emu:
        assert emu.rtsp_url.startswith("rtsps://")
        # The default (verifying) context refuses the camera's self-signed certificate ...
        loop = asyncio.get_running_loop()
        previous = loop.get_exception_handler()

        def camera_side(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            # The emulator's server reports the handshake we aborted: expected, not a failure.
            if isinstance(context.get("exception"), (ConnectionResetError, ssl.SSLError)):
                return
            (previous or asyncio.AbstractEventLoop.default_exception_handler)(loop, context)  # type: ignore[arg-type]

        loop.set_exception_handler(camera_side)
        try:
            strict = RtspMetadataClient(emu.rtsp_url, "admin", "secret", on_document=lambda d: None)
            with pytest.raises(RtspError, match="cannot connect"):
                await strict.start()
            await asyncio.sleep(0.2)
        finally:
            loop.set_exception_handler(previous)
        # ... a no-verify context (what the source passes) works.
        no_verify = ssl.create_default_context()
        no_verify.check_hostname = False
        no_verify.verify_mode = ssl.CERT_NONE
        rx = Receiver()
        client = RtspMetadataClient(
            emu.rtsp_url, "admin", "secret", on_document=rx, ssl_context=no_verify
        )
        await client.start()
        try:
            await emu.wait_playing()
            emu.send_plate("TLS1", fmt="hikvision")
            await rx.wait(1)
            assert rx.plates() == ["TLS1"]
        finally:
            await client.close()
