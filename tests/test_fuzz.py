"""Property-based fuzzing of every protocol parser (CI budget).

The targets live in ``tests/fuzz_targets.py``; this file runs each one under the hypothesis
profile ``ci`` (few examples, no deadline; ``HYPOTHESIS_PROFILE=long`` for more). The long
campaign with per-parser iteration counts is ``bench/fuzz.py --minutes N``.

Each target asserts that no exception other than the parser's documented ``ProtocolError``
subclass escapes, plus the invariants that exist (round trips, split-invariance, caps).
Regressions found by fuzzing are pinned below as plain tests.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import given, settings
import pytest

from tests.fuzz_targets import TARGETS, Target

#: Applied per fuzz test (not loaded globally, so other hypothesis tests keep their settings).
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _make(target: Target) -> Any:
    @settings(PROFILE)
    @given(target.strategy)
    def run(value: Any) -> None:
        target.check(value)

    return run


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz(name: str) -> None:
    """Run one fuzz target at the current profile's budget."""
    _make(TARGETS[name])()


def test_every_protocol_module_is_fuzzed() -> None:
    """Each parser module of protocols/ has at least one target (clients excepted).

    Modules of a package are named with a dot (``hikvision.alerts``).
    """
    from pathlib import Path  # noqa: PLC0415

    root = Path(__file__).parents[1] / "custom_components/anpr/protocols"
    modules = {
        ".".join(p.relative_to(root).with_suffix("").parts)
        for p in root.rglob("*.py")
        if p.stem != "__init__"
    } - {"models", "camera_http", "hikvision.client", "rtsp.errors"}
    assert modules <= {t.parser for t in TARGETS.values()}


# --- Regressions found by fuzzing (each failed before its fix) ---------------------------------

OUT_OF_RANGE_TIMES = [
    "0001-01-01T00:00:00+01:00",  # UTC would be year 0
    "9999-12-31T23:59:59-01:00",  # UTC would be year 10000
]


@pytest.mark.parametrize("text", OUT_OF_RANGE_TIMES)
def test_time_parsers_out_of_range_offset(text: str) -> None:
    """Camera times at the edge of datetime's range: "unparseable" (None), not OverflowError.

    Found by ``ff_datetime``/``hikvision_time``/``onvif_values``: ``astimezone(UTC)`` raised
    OverflowError from parsers documented as never raising (a camera with a broken clock would
    have crashed the read instead of falling back to the receive time).
    """
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    from custom_components.anpr.protocols import (  # noqa: PLC0415
        lpr_json,
        numberok,
        timestamps,
    )
    from custom_components.anpr.protocols.hikvision import documents  # noqa: PLC0415

    assert numberok.parse_ff_datetime(text) is None
    assert lpr_json.parse_camera_time(text) is None
    assert documents.parse_time(text) is None
    assert timestamps.parse_iso_time(text) is None
    # Naive times in a zone east of UTC at year 1 overflow the same way.
    tokyo = ZoneInfo("Asia/Tokyo")
    assert lpr_json.parse_camera_time("0001-01-01 00:00:00", tokyo) is None
    assert documents.parse_time("00010101000000", tokyo) is None


def test_ff_datetime_offset_of_a_day_or_more() -> None:
    """``20240101 000000+3000``: a ±HHMM offset ≥ 24 h raised ValueError from ``timezone()``."""
    from custom_components.anpr.protocols.numberok import parse_ff_datetime  # noqa: PLC0415

    assert parse_ff_datetime("20240101 000000+3000") is None
    assert parse_ff_datetime("00000000000000-3000") is None
    assert parse_ff_datetime("20240101 000000+0100") is not None


def test_lpr_webhook_with_year_one_time_still_delivers() -> None:
    """What the user sees: the read arrives (time = receive time) instead of an HTTP 500."""
    import json  # noqa: PLC0415

    from custom_components.anpr.protocols.push_detect import detect_payload  # noqa: PLC0415

    body = json.dumps({"plate": "AB12CDE", "time": "0001-01-01T00:00:00+01:00"}).encode()
    result = detect_payload("POST", "application/json", body)
    assert [r.plate for r in result.reads] == ["AB12CDE"]
    assert result.reads[0].time.year >= 2024


def test_milesight_recognition_post_without_pictures() -> None:
    """A COMM_RECOG_POST with only the metadata chunk (camera set to send no pictures).

    Found by ``milesight_split_invariance``: ``_image_roles([])`` called ``min([])`` and raised
    ValueError, which the source does not catch (it expects MilesightTcpError), so every read
    of such a camera was lost.
    """
    from custom_components.anpr.protocols import milesight_tcp as ms  # noqa: PLC0415
    from tools.emulators.milesight_packets import build_metadata, build_recog_post  # noqa: PLC0415

    packet = build_recog_post(build_metadata(plate="AB12CDE"), [])
    read = ms.parse_recog_post(packet[8:-2])
    assert read.plate == "AB12CDE"
    assert read.images == []


@pytest.mark.parametrize("regex", ["a{99999999999}(?P<plate>x)", "(?P<time>\\d{4294967296})"])
def test_filename_pattern_huge_repeat_count(regex: str) -> None:
    """A user regex with a repeat count over the C limit raised OverflowError (not re.error),
    escaping the config flow's validation as an unexpected error. Found by filename_garbage."""
    from custom_components.anpr.protocols.filename import (  # noqa: PLC0415
        FilenameError,
        FilenamePattern,
    )

    with pytest.raises(FilenameError):
        FilenamePattern(regex)


def test_filename_time_out_of_range_in_zone() -> None:
    """``00010101000000000_X_VEHICLE_DETECTION.jpg`` in a zone east of UTC: FilenameError."""
    from custom_components.anpr.protocols.filename import (  # noqa: PLC0415
        FilenameError,
        FilenamePattern,
        Preset,
    )

    pattern = FilenamePattern.from_preset(Preset.HIKVISION_CUSTOM, "Asia/Tokyo")
    with pytest.raises(FilenameError):
        pattern.parse("00010101000000000_AB12CDE_VEHICLE_DETECTION.jpg")


def test_ocr_corrections_huge_repeat_count() -> None:
    """Same OverflowError for OCR corrections typed by the user: the documented ValueError."""
    from custom_components.anpr.protocols import ocr  # noqa: PLC0415

    with pytest.raises(ValueError, match="invalid regular expression"):
        ocr.parse_corrections(["Forward=a{99999999999}"])
    with pytest.raises(ValueError, match="invalid regular expression"):
        ocr.OcrField(corrections=(("a{99999999999}", "Forward"),))


def test_nvr_text_encoding_with_nul() -> None:
    """An encoding name containing NUL raised ValueError from codecs.lookup (nvr_text_settings)."""
    from custom_components.anpr.protocols.nvr_text import (  # noqa: PLC0415
        NvrTextError,
        TextStreamDecoder,
        check_encoding,
    )

    with pytest.raises(NvrTextError):
        check_encoding("utf-8\x00")
    with pytest.raises(NvrTextError):
        TextStreamDecoder(encoding="\x00")


def test_nvr_text_good_read_after_overlong_one_in_the_same_segment() -> None:
    """``<LPR>`` + 3000 bytes without an end string, then ``<LPR>AB12CDE</LPR>`` in ONE TCP
    segment: the over-long read is dropped, the good one is kept (it was dropped with it when
    the size check ran before the resynchronisation; found by fault injection, nvr_text_resync).
    """
    from custom_components.anpr.protocols.nvr_text import (  # noqa: PLC0415
        TextIssue,
        TextStreamDecoder,
    )

    decoder = TextStreamDecoder()
    items = decoder.feed(b"<LPR>" + b"A" * 3000 + b"<LPR>AB12CDE</LPR>")
    assert [i for i in items if isinstance(i, str)] == ["AB12CDE"]
    split = TextStreamDecoder()
    first = split.feed(b"<LPR>" + b"A" * 3000)
    assert isinstance(first[0], TextIssue)
    assert split.feed(b"<LPR>AB12CDE</LPR>") == ["AB12CDE"]


@pytest.mark.parametrize("encoding", ["TTF-8", "no-such-codec"])
def test_xml_with_unknown_encoding_declaration(encoding: str) -> None:
    """``<?xml encoding="TTF-8"?>`` (one flipped byte): expat raised LookupError, which escaped
    the Hikvision and ONVIF parsers (found by hikvision_xml_mutations and onvif_xml)."""
    from custom_components.anpr.protocols import onvif_metadata  # noqa: PLC0415
    from custom_components.anpr.protocols.hikvision.alerts import (  # noqa: PLC0415
        parse_alert_xml,
    )
    from custom_components.anpr.protocols.hikvision.client import (  # noqa: PLC0415
        parse_response_status,
    )
    from custom_components.anpr.protocols.hikvision.documents import (  # noqa: PLC0415
        HikvisionError,
    )

    doc = f'<?xml version="1.0" encoding="{encoding}"?><EventNotificationAlert/>'.encode()
    with pytest.raises(HikvisionError):
        parse_alert_xml(doc)
    with pytest.raises(HikvisionError):
        parse_alert_xml(doc + doc)
    assert parse_response_status(doc) is None
    with pytest.raises(onvif_metadata.OnvifMetadataError):
        onvif_metadata.parse_plates(doc)
    with pytest.raises(onvif_metadata.OnvifMetadataError):
        onvif_metadata.parse_plates(doc + b"<tt:x/>")


def test_multipart_wrong_length_on_a_later_delimiter() -> None:
    """A Content-Length that is wrong by exactly the size of the following part landed on the
    NEXT delimiter: the reader returned one part whose body held the whole next part (found by
    multipart_split_invariance in the long campaign). Each part must come out on its own."""
    from custom_components.anpr.protocols.multipart import MultipartStreamParser  # noqa: PLC0415

    second = b'--0\r\nContent-Type: application/xml\r\n\r\n<b/>\r\n'
    stream = (
        b"--0\r\nContent-Type: application/xml\r\nContent-Length: "
        + str(len(b"<a/>\r\n") + len(second)).encode()
        + b"\r\n\r\n<a/>\r\n"
        + second
        + b"--0--\r\n"
    )
    parts = MultipartStreamParser("0").feed(stream)
    assert [p.body for p in parts] == [b"<a/>", b"<b/>"]


@pytest.mark.parametrize("encoding", ["undefined", "uu", "base64", "rot13"])
def test_nvr_text_unusable_codec(encoding: str) -> None:
    """Codecs that exist but cannot encode text (``undefined`` raises a plain UnicodeError,
    ``uu``/``base64`` a LookupError) escaped the decoder's constructor, i.e. the config flow's
    validation — found by nvr_text_settings."""
    from custom_components.anpr.protocols.nvr_text import (  # noqa: PLC0415
        NvrTextError,
        TextStreamDecoder,
    )

    with pytest.raises(NvrTextError):
        TextStreamDecoder(encoding=encoding)


def test_nvr_text_next_start_string_survives_an_overlong_read() -> None:
    """An over-long unterminated read overflows while the next read's start string is already
    buffered (or cut at the segment end): the next read must survive (nvr_text_resync)."""
    from custom_components.anpr.protocols.nvr_text import TextStreamDecoder  # noqa: PLC0415

    stream = b"<LPR>" + b"A" * 1044 + b"<LPR>AB12CDE</LPR>"
    for cut in range(len(stream) - 20, len(stream)):
        decoder = TextStreamDecoder()
        texts = [t for t in decoder.feed(stream[:cut]) + decoder.feed(stream[cut:])]
        assert [t for t in texts if isinstance(t, str)] == ["AB12CDE"], cut


# Fixed: an embedded framed packet only proves a cut when another header follows it or the
# stream went quiet (PacketDecoder._truncated_before / flush_stalled).
def test_milesight_payload_containing_a_packet_is_split_invariant() -> None:
    """A picture whose bytes contain ``CC FF 01 80 <len> {...} FF DD`` (found while reviewing
    the milesight_split_invariance target): the post must come out whole for any split."""
    from custom_components.anpr.protocols import milesight_tcp as ms  # noqa: PLC0415
    from tools.emulators.milesight_packets import build_metadata, build_recog_post  # noqa: PLC0415

    inner = ms.build_packet(ms.Command.LOGIN_REPLY, b'{"result": "200"}')
    picture = b"\xff\xd8" + inner + b"\xff\xd9"
    outer = build_recog_post(build_metadata(plate="AB12CDE"), [picture])
    cut = outer.index(inner) + len(inner)
    decoder = ms.PacketDecoder()
    items = decoder.feed(outer[:cut]) + decoder.feed(outer[cut:])
    packets = [i for i in items if isinstance(i, ms.Packet)]
    assert [(p.command, p.data) for p in packets] == [(ms.Command.RECOG_POST, outer[8:-2])]


def test_milesight_corrupt_packet_ending_on_the_next_signature_byte() -> None:
    """A packet whose DATA_SIZE is one too big ends (claimed) on the first byte of the next
    packet, and the TCP read ends right there: the next packet must survive (found by
    milesight_length_mutation in the long campaign; it was dropped with the corrupt one)."""
    import struct  # noqa: PLC0415

    from custom_components.anpr.protocols import milesight_tcp as ms  # noqa: PLC0415

    bad = bytearray(ms.build_packet(ms.Command.LOGIN_REQ, b"\x00\x00\x00"))
    bad[4:8] = struct.pack("<I", 6)  # claims one byte more than it has
    good = ms.build_packet(ms.Command.LOGIN_REQ, b"ok")
    stream = bytes(bad) + good
    for cut in range(1, len(stream)):
        decoder = ms.PacketDecoder()
        items = decoder.feed(stream[:cut]) + decoder.feed(stream[cut:])
        assert [i.data for i in items if isinstance(i, ms.Packet)] == [b"ok"], cut
