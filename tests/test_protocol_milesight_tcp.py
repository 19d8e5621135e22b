"""Milesight binary TCP: packet framing, every metadata revision, stream resynchronisation."""

from __future__ import annotations

from datetime import UTC, datetime
import json
import struct

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.anpr.protocols.milesight_tcp import (
    CHUNK_IMAGE,
    CHUNK_META,
    Command,
    MilesightTcpError,
    Packet,
    PacketDecoder,
    StreamIssue,
    build_login_request,
    build_packet,
    parse_login_reply,
    parse_metadata,
    parse_recog_post,
)
from custom_components.anpr.protocols.models import CameraListVerdict, Direction, ImageRole
from tools.emulators.milesight_packets import (
    build_chunk,
    build_metadata,
    build_recog_post,
    parse_login_request,
)
from tools.emulators.milesight_tcp import MilesightCamera, fake_jpeg

KOREAN = "부산 02가 1234"  # 17 UTF-8 bytes: the reason revision 1.3 added Plate Len
PLATE_PIC = fake_jpeg(240, 60)
FULL_PIC = fake_jpeg(1280, 720, 400)


def test_packet_layout_matches_the_vendor_layout() -> None:
    """CC FF | cmd u16 LE | DATA_SIZE u32 LE (= data + 2) | data | FF DD.

    Milesight, "Integration between LPR Camera and NVR(VMS)", "TCP Type" (docs/protocols.md,
    "Milesight TCP (COMM_RECOG_POST)").
    """
    packet = build_login_request("admin", "1234")
    assert packet[:2] == b"\xcc\xff"
    assert packet[2:4] == b"\x01\x00"
    body = packet[8:-2]
    assert struct.unpack("<I", packet[4:8])[0] == len(body) + 2
    assert packet[-2:] == b"\xff\xdd"
    assert json.loads(body) == {"id": "admin", "password": "1234"}
    assert parse_login_request(body) == ("admin", "1234")
    reply = build_packet(Command.LOGIN_REPLY, b'{"result": "200"}')
    assert reply[2:4] == b"\x01\x80"
    assert parse_login_reply(b'{"result": "200"}') == 200
    assert parse_login_reply(b'{"result": 401}') == 401
    # The vendor document prints typographic quotes; a device copying them is tolerated.
    assert parse_login_reply("{\u201cresult\u201d: \u201c200\u201d}".encode()) == 200
    for bad in (b"", b"[]", b'{"x": 1}', b'{"result": "ok"}'):
        with pytest.raises(MilesightTcpError):
            parse_login_reply(bad)


def test_vendor_example_time_and_guid() -> None:
    """The example time and device GUID of Milesight's "TCP Type" document decode as printed."""
    meta = parse_metadata(build_metadata(revision="1.6", plate="AB1234"))
    assert meta.time == datetime.fromtimestamp(1525867890, UTC)  # 0x16344D04550 ms
    assert meta.device_id == "04f912bb-ce94-6540-89af-e83cd88f70be"
    assert meta.plate == "AB1234"


@pytest.mark.parametrize(
    ("revision", "size"),
    [("1.0", 45), ("1.1", 46), ("1.2", 79), ("1.3", 80), ("1.4", 81), ("1.5", 98), ("1.6", 110)],
)
def test_every_revision(revision: str, size: int) -> None:
    """Sizes follow the revision table; from 1.3 the chunk is 'N + Number length'."""
    data = build_metadata(revision=revision, plate=KOREAN, direction=2, confidence=87.0)
    plate_len = len(KOREAN.encode()) if revision >= "1.3" else 0
    assert len(data) == size + plate_len
    meta = parse_metadata(data)
    assert meta.revision == revision
    if revision >= "1.3":
        assert meta.plate == KOREAN
    else:
        # The fixed 16-byte number cuts the last character (and never leaves half a character).
        assert meta.plate == "부산 02가 123"
    assert meta.direction == (None if revision == "1.0" else 2)
    assert meta.region == (None if revision < "1.2" else "GBR")
    assert meta.vehicle_type == (1 if revision >= "1.4" else None)
    assert meta.confidence == (87.0 if revision >= "1.5" else None)
    assert meta.box == ((473, 93, 676, 135) if revision == "1.6" else None)


def test_newer_fields_appended_are_ignored() -> None:
    data = build_metadata(revision="1.6", plate="AB12CDE") + b"\x01\x02\x03\x04"
    meta = parse_metadata(data)
    assert meta.revision == "1.6"
    assert meta.plate == "AB12CDE"


def test_plate_len_that_does_not_fit_falls_back_to_fixed_number() -> None:
    data = bytearray(build_metadata(revision="1.2", plate="OLD1234") + b"\xff")
    meta = parse_metadata(bytes(data))
    assert meta.revision == "1.2"
    assert meta.plate == "OLD1234"
    with pytest.raises(MilesightTcpError, match="too short"):
        parse_metadata(b"\x00" * 44)


def test_recog_post_to_read() -> None:
    meta = build_metadata(
        revision="1.6", plate="AB12CDE", direction=1, confidence=0.93, plate_type=2,
        image_count=2, vehicle_color=3, plate_color=8, speed=42,
    )  # fmt: skip
    packet = build_recog_post(meta, [FULL_PIC, PLATE_PIC])
    decoded = PacketDecoder().feed(packet)
    assert decoded == [Packet(Command.RECOG_POST, packet[8:-2])]
    read = parse_recog_post(decoded[0].data)
    assert read.plate == "AB12CDE"
    assert read.direction is Direction.IN
    assert read.confidence == pytest.approx(0.93)
    assert read.camera_list is CameraListVerdict.ALLOWED
    assert read.vehicle_colour == "cyan"
    assert read.plate_colour == "yellow"
    assert read.speed == 42
    assert read.vehicle_type == "car"
    assert read.plate_box == pytest.approx((473 / 1280, 93 / 720, 203 / 1280, 42 / 720))
    # Roles from pixel size, whatever the order.
    assert read.image(ImageRole.PLATE).data == PLATE_PIC
    assert read.image(ImageRole.FULL).data == FULL_PIC
    assert read.vendor_id == "04f912bb-ce94-6540-89af-e83cd88f70be:1525867890000"


def test_recog_post_chunk_quirks() -> None:
    meta = build_metadata(revision="1.1", plate="OLD", direction=0)
    # Unknown chunk skipped; image chunk id written with only its documented 3 bytes + junk.
    data = (
        build_chunk(b"\x33\xff\x00\x00", b"whatever")
        + build_chunk(CHUNK_META, meta)
        + build_chunk(b"\x22\xff\x00\x01", PLATE_PIC)
    )
    read = parse_recog_post(data)
    assert read.plate == "OLD"
    assert read.direction is Direction.UNKNOWN
    assert len(read.images) == 1
    # Truncated image chunk: metadata and earlier pictures kept, flagged.
    data = build_chunk(CHUNK_META, meta) + build_chunk(CHUNK_IMAGE, PLATE_PIC)
    truncated = data + build_chunk(CHUNK_IMAGE, FULL_PIC)[:-10]
    read = parse_recog_post(truncated)
    assert read.extra["truncated"] is True
    assert len(read.images) == 1
    # Metadata missing or truncated.
    with pytest.raises(MilesightTcpError, match="without a complete metadata"):
        parse_recog_post(build_chunk(CHUNK_IMAGE, PLATE_PIC))
    with pytest.raises(MilesightTcpError, match="truncated"):
        parse_recog_post(build_chunk(CHUNK_META, meta)[:-3])


def _packets(items: list[Packet | StreamIssue]) -> list[str]:
    return [parse_recog_post(i.data).plate for i in items if isinstance(i, Packet)]


def test_decoder_split_garbage_oversize_truncated() -> None:
    camera = MilesightCamera()
    one = camera.recog_packet("ONE111")
    two = camera.recog_packet("TWO222")
    three = camera.recog_packet("THREE3")
    decoder = PacketDecoder(max_packet=1_000_000)
    # Byte-by-byte delivery.
    out: list[Packet | StreamIssue] = []
    for byte in one:
        out += decoder.feed(bytes([byte]))
    assert _packets(out) == ["ONE111"]
    # Garbage (including a lone CC FF) between packets.
    out = decoder.feed(b"\x00\xcc\xff\x01junk" + two + b"\xcc" + b"noise" + three)
    assert _packets(out) == ["TWO222", "THREE3"]
    assert any(isinstance(i, StreamIssue) for i in out)
    # Oversize DATA_SIZE refused, next packet still decoded.
    out = decoder.feed(MilesightCamera.oversize_header() + one)
    assert _packets(out) == ["ONE111"]
    assert any("DATA_SIZE" in i.reason for i in out if isinstance(i, StreamIssue))
    # Truncated packet followed at once by a good one: recovered without waiting.
    out = decoder.feed(two[: len(two) // 2] + three)
    assert _packets(out) == ["THREE3"]
    assert any("truncated" in i.reason for i in out if isinstance(i, StreamIssue))
    # Wrong end signature.
    bad = bytearray(one)
    bad[-1] = 0x00
    out = decoder.feed(bytes(bad) + two)
    assert _packets(out) == ["TWO222"]
    assert decoder.buffered == 0
    # DATA_SIZE below 2.
    out = decoder.feed(b"\xcc\xff\x01\x88\x01\x00\x00\x00" + three)
    assert _packets(out) == ["THREE3"]


def test_decoder_truncated_then_slow_next_packet() -> None:
    """A cut packet whose claimed size swallows the next one arriving in pieces."""
    camera = MilesightCamera()
    cut = camera.recog_packet("CUT000")[:100]
    good = camera.recog_packet("GOOD11")
    decoder = PacketDecoder()
    out = decoder.feed(cut)
    out += decoder.feed(good[:20])
    assert _packets(out) == []
    out += decoder.feed(good[20:])
    assert _packets(out) == ["GOOD11"]


def test_decoder_is_linear_on_big_packets() -> None:
    camera = MilesightCamera()
    big = camera.recog_packet("BIG123", images=(fake_jpeg(4000, 3000, 3_000_000),))
    decoder = PacketDecoder()
    out: list[Packet | StreamIssue] = []
    for start in range(0, len(big), 1460):
        out += decoder.feed(big[start : start + 1460])
    assert _packets(out) == ["BIG123"]


@settings(max_examples=60, deadline=None)
@given(
    garbage=st.lists(st.binary(max_size=40), min_size=4, max_size=4),
    cuts=st.lists(st.integers(min_value=1, max_value=400), max_size=6),
)
def test_decoder_fuzz_garbage_and_splits(garbage: list[bytes], cuts: list[int]) -> None:
    """Random garbage between packets and random read boundaries never lose a packet."""
    camera = MilesightCamera()
    plates = ["AA11AAA", "BB22BBB", "CC33CCC"]
    stream = garbage[0]
    for plate, junk in zip(plates, garbage[1:], strict=True):
        # Garbage must not itself end in a partial signature glued to our packet header.
        stream += camera.recog_packet(plate) + junk.replace(b"\xcc", b"\x00")
    decoder = PacketDecoder()
    out: list[Packet | StreamIssue] = []
    pos = 0
    for cut in cuts:
        out += decoder.feed(stream[pos : pos + cut])
        pos += cut
    out += decoder.feed(stream[pos:])
    assert _packets(out) == plates


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400), meta_len=st.integers(min_value=0, max_value=200))
def test_recog_post_fuzz_only_protocol_errors(data: bytes, meta_len: int) -> None:
    """Random chunk contents never raise anything but MilesightTcpError."""
    for payload in (data, build_chunk(CHUNK_META, data[:meta_len]) + data[meta_len:]):
        try:
            read = parse_recog_post(payload)
        except MilesightTcpError:
            continue
        assert isinstance(read.plate, str)


def test_cut_packet_then_one_packet_then_silence() -> None:
    """A packet the camera cut short, then one complete packet and nothing more: decided when
    another header follows, or by flush_stalled() once the stream is quiet."""
    camera = MilesightCamera()
    cut = camera.recog_packet("CUT0000", images=(fake_jpeg(1280, 720, 5000),))[:200]
    good = camera.recog_packet("GOOD000")
    nxt = camera.recog_packet("NEXT000")
    decoder = PacketDecoder()
    assert _packets(decoder.feed(cut + good)) == []  # could still be picture bytes
    assert decoder.flush_stalled() != []
    assert decoder.buffered == 0
    decoder = PacketDecoder()
    out = decoder.feed(cut + good + nxt[:6])  # a second header right behind: a cut for sure
    assert _packets(out) == ["GOOD000"]
    assert _packets(decoder.feed(nxt[6:])) == ["NEXT000"]
    # Quiet inside a packet that simply arrives slowly: nothing is dropped.
    decoder = PacketDecoder()
    assert decoder.feed(good[:50]) == []
    assert decoder.flush_stalled() == []
    assert _packets(decoder.feed(good[50:])) == ["GOOD000"]
    assert PacketDecoder().flush_stalled() == []


def test_picture_containing_a_framed_packet_survives_any_split() -> None:
    inner = build_packet(Command.LOGIN_REPLY, b'{"result": "200"}')
    picture = b"\xff\xd8" + inner + b"\xff\xd9"
    outer = build_recog_post(build_metadata(plate="AB12CDE"), [picture])
    for cut in range(1, len(outer)):
        decoder = PacketDecoder()
        items = decoder.feed(outer[:cut]) + decoder.feed(outer[cut:])
        assert [i for i in items if isinstance(i, Packet)] == [
            Packet(Command.RECOG_POST, outer[8:-2])
        ], cut
