"""Pure parsers for webhook pushes: LPR/Milesight JSON, NumberOK, plate-in-query, auto-detect."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
import json
from pathlib import Path
import re
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.anpr.protocols.imageinfo import (
    ImageDataError,
    decode_base64_image,
    image_content_type,
    image_size,
)
from custom_components.anpr.protocols.lpr_json import (
    LprJsonError,
    confidence_auto,
    load_json_object,
    parse_camera_time,
    parse_lpr_json,
)
from custom_components.anpr.protocols.models import (
    CameraListVerdict,
    Direction,
    ImageRole,
    PlateRead,
    ProtocolError,
)
from custom_components.anpr.protocols.numberok import (
    CarStateMerger,
    EventImage,
    parse_ff_datetime,
    parse_numberok_event,
    unescape_plate,
)
from custom_components.anpr.protocols.plate_query import (
    PlateQueryError,
    parse_plate_query,
    query_params,
)
from custom_components.anpr.protocols.push_detect import UnknownPayload, detect_payload
from tools.emulators import http_pusher
from tools.emulators.milesight_tcp import fake_jpeg

FIXTURE = Path(__file__).parent / "fixtures" / "milesight" / "webhook_http_post_reconstructed.json"
PLATE_JPEG = fake_jpeg(240, 60)
CYRILLIC = "\u0410\u04101234\u0412\u0412"  # Ukrainian plate in Cyrillic letters
FULL_JPEG = fake_jpeg(1280, 720, 300)


def test_image_size_and_base64() -> None:
    assert image_size(FULL_JPEG) == (1280, 720)
    assert image_size(b"not an image") is None
    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\x00\x00\x00\rIHDR"
        + (640).to_bytes(4, "big")
        + (480).to_bytes(4, "big")
    )
    assert image_size(png) == (640, 480)
    encoded = base64.b64encode(PLATE_JPEG).decode()
    assert decode_base64_image(encoded, 10_000) == PLATE_JPEG
    # Line breaks, missing padding and a data: prefix are tolerated.
    wrapped = "\n".join(encoded[i : i + 60] for i in range(0, len(encoded), 60)).rstrip("=")
    assert decode_base64_image(wrapped, 10_000) == PLATE_JPEG
    assert decode_base64_image("data:image/jpeg;base64," + encoded, 10_000) == PLATE_JPEG
    for bad in ("<base64 JPEG, no data: prefix>", "", "!!!!", "data:nocomma"):
        with pytest.raises(ImageDataError):
            decode_base64_image(bad, 10_000)
    with pytest.raises(ImageDataError, match="cap"):
        decode_base64_image(encoded, 10)


def test_legacy_fixture_strings_and_placeholder_images() -> None:
    """The reconstructed legacy body: every value a string; its image placeholders are not
    base64, so the plate arrives and the pictures are reported as dropped."""
    obj = load_json_object(FIXTURE.read_bytes())
    read = parse_lpr_json(obj, tz=timezone(timedelta(hours=1)))
    assert read.plate == "AB12CDE"
    assert read.time == datetime(2024, 4, 27, 11, 50, 6, tzinfo=UTC)
    assert read.direction is Direction.IN
    assert read.direction_raw == "Approach"
    assert read.confidence == pytest.approx(0.70)
    assert read.country == "GBR"
    assert read.camera_list is CameraListVerdict.ALLOWED
    assert read.vehicle_type == "Bus"
    assert read.vehicle_colour == "White"
    assert read.plate_colour == "White"
    assert read.speed == 0
    assert read.lane == 1
    assert read.plate_box == pytest.approx((356 / 1280, 546 / 720, 234 / 1280, 68 / 720))
    assert read.images == []
    assert sorted(read.extra["dropped_images"]) == [
        "full_image: invalid base64 picture",
        "plate_image: invalid base64 picture",
    ]


def test_legacy_with_real_images_and_away() -> None:
    obj = http_pusher.milesight_legacy("KM19 XYZ", direction="Away")
    read = parse_lpr_json(obj)
    assert read.plate == "KM19 XYZ"
    assert read.direction is Direction.OUT
    assert read.speed is None  # "-" means no speed
    assert read.camera_list is CameraListVerdict.NONE
    assert read.image(ImageRole.PLATE).data == PLATE_JPEG
    assert read.image(ImageRole.FULL).data == FULL_JPEG[:0] + fake_jpeg(1280, 720, 256)
    assert "dropped_images" not in read.extra


def test_new_keyset() -> None:
    obj = http_pusher.milesight_new("AB12CDE", direction="Leave")
    obj["time"] = "2024-04-27T12:50:06+02:00"
    obj["event_type"] = "Black List Event"
    read = parse_lpr_json(obj)
    assert read.plate == "AB12CDE"
    assert read.direction is Direction.OUT
    assert read.confidence == pytest.approx(0.87)  # "87" on a 0-100 scale
    assert read.country == "GBR"
    assert read.vehicle_make == "Ford"
    assert read.plate_type == "Normal"
    assert read.camera_list is CameraListVerdict.ALERT
    assert read.time == datetime(2024, 4, 27, 10, 50, 6, tzinfo=UTC)
    roles = sorted(img.role.value for img in read.images)
    assert roles == ["full", "plate", "vehicle"]
    assert read.extra["mac_address"] == "1C:C3:16:00:00:01"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-11-03 20:29:48", datetime(2020, 11, 3, 20, 29, 48, tzinfo=UTC)),
        ("2020/11/03 20:29:48", datetime(2020, 11, 3, 20, 29, 48, tzinfo=UTC)),
        ("2020-11-03T20:29:48Z", datetime(2020, 11, 3, 20, 29, 48, tzinfo=UTC)),
        ("1525867890000", datetime(2018, 5, 9, 12, 11, 30, tzinfo=UTC)),
        ("1525867890", datetime(2018, 5, 9, 12, 11, 30, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_camera_time(value: str | None, expected: datetime | None) -> None:
    assert parse_camera_time(value) == expected


def test_confidence_and_bad_json() -> None:
    assert confidence_auto("0.70") == pytest.approx(0.7)
    assert confidence_auto("87") == pytest.approx(0.87)
    assert confidence_auto("87%") == pytest.approx(0.87)
    assert confidence_auto("-1") is None
    assert confidence_auto("n/a") is None
    with pytest.raises(LprJsonError, match="invalid JSON"):
        load_json_object(b'{"plate": "AB12CDE",')
    with pytest.raises(LprJsonError, match="list"):
        load_json_object(b"[1]")
    with pytest.raises(LprJsonError, match="cap"):
        load_json_object(b"{}" * 10, max_bytes=5)
    with pytest.raises(LprJsonError, match="no 'plate'"):
        parse_lpr_json({"device": "x"})


def test_ff_datetime_forms() -> None:
    assert parse_ff_datetime("20181212 163419000") == datetime(2018, 12, 12, 16, 34, 19, tzinfo=UTC)
    assert parse_ff_datetime("20181212 16341912") == datetime(
        2018, 12, 12, 16, 34, 19, 120000, tzinfo=UTC
    )
    assert parse_ff_datetime("20181212 163419000+0200") == datetime(
        2018, 12, 12, 14, 34, 19, tzinfo=UTC
    )
    assert parse_ff_datetime("20181212 163419000-05:30") == datetime(
        2018, 12, 12, 22, 4, 19, tzinfo=UTC
    )
    assert parse_ff_datetime("2018-12-12T16:34:19+0200") == datetime(
        2018, 12, 12, 14, 34, 19, tzinfo=UTC
    )
    assert parse_ff_datetime("1544632459000") == datetime(2018, 12, 12, 16, 34, 19, tzinfo=UTC)
    assert parse_ff_datetime("20181312 163419000") is None
    assert parse_ff_datetime("garbage") is None
    assert parse_ff_datetime({"a": 1}) is None


def test_numberok_slide_example() -> None:
    """NumberOK EDGE's slide example: plateText as literal \\u escapes, the datettimezone typo.

    docs/protocols.md, "NumberOK / FF Group JSON over HTTP".
    """
    raw = (
        '{"packetCounter": "25523", "datetime": "20181212 163419000",'
        ' "plateText": "\\\\u0031\\\\u0039\\\\u005a\\\\u0046\\\\u005a\\\\u004c",'
        ' "plateCountry": "NLD", "plateConfidence": "0.719640", "carState": "new",'
        ' "geotag": {"lat": 50.418114, "lon": 30.476213}, "imageType": "plate",'
        ' "plateImageType": "png", "plateImageSize": "0", "carMoveDirection": "in",'
        ' "plateCoordinates": [480, 270, 216, 30], "carID": "72006",'
        ' "datettimezone": "2018-12-12T16:34:19+0200", "plateASCII": "19ZFZL",'
        ' "sensorProviderID": "CAM_00166CC39D44"}'
    )
    obj = json.loads(raw)
    assert obj["plateText"].startswith("\\u0031")  # still escaped after JSON decoding
    read = parse_numberok_event(obj, [EventImage(PLATE_JPEG, "image/png", "event_image")])
    assert read.plate == "19ZFZL"
    assert read.time == datetime(2018, 12, 12, 14, 34, 19, tzinfo=UTC)
    assert read.country == "NLD"
    assert read.confidence == pytest.approx(0.71964)
    assert read.direction is Direction.IN
    assert read.vendor_id == "CAM_00166CC39D44:72006"
    assert read.extra["car_state"] == "new"
    assert read.extra["geotag"] == {"lat": 50.418114, "lon": 30.476213}
    assert [img.role for img in read.images] == [ImageRole.PLATE]  # imageType "plate"
    assert unescape_plate("\\u0041B") == "AB"


def test_numberok_two_images_unicode_and_box() -> None:
    obj = http_pusher.numberok_event(CYRILLIC, car_id="9", state="updated", direction="unk")
    obj["plateASCII"] = "AA1234BB"
    obj["vehicle_info"] = {"type": "car", "brand": "Skoda", "color": "white", "model": "Octavia"}
    obj["plateListMode"] = "white"
    obj["plateList"] = "Staff"
    frame = fake_jpeg(1920, 1080)
    read = parse_numberok_event(
        obj, [EventImage(frame, "image/jpeg", "image"), EventImage(PLATE_JPEG, "image/jpeg", "x")]
    )
    assert read.plate == CYRILLIC
    assert read.extra["plate_ascii"] == "AA1234BB"
    assert read.extra["car_state"] == "update"
    assert read.direction is Direction.UNKNOWN
    assert [i.role for i in read.images] == [ImageRole.FULL, ImageRole.PLATE]
    assert read.plate_box == pytest.approx((480 / 1920, 270 / 1080, 216 / 1920, 30 / 1080))
    assert read.vehicle_make == "Skoda"
    assert read.vehicle_model == "Octavia"
    assert read.camera_list is CameraListVerdict.ALLOWED
    assert read.camera_list_name == "Staff"


def test_numberok_huge_numbers_are_ignored() -> None:
    """JSON integers too large for a float in the box or geotag: the read keeps its plate."""
    obj = http_pusher.numberok_event("AB12CDE", car_id="9", state="new", direction="in")
    obj["plateCoordinates"] = [10**400, 0, 5, 5]
    obj["geotag"] = {"lat": 10**400, "lon": 1}
    read = parse_numberok_event(obj, [EventImage(fake_jpeg(640, 480), "image/jpeg", "image")])
    assert read.plate == "AB12CDE"
    assert read.plate_box is None
    assert "geotag" not in read.extra


def test_car_state_merger() -> None:
    merger = CarStateMerger(ttl=60, max_vehicles=2)

    def ev(plate: str, state: str, car: str = "1", direction: str = "unknown"):
        return parse_numberok_event(
            http_pusher.numberok_event(plate, car_id=car, state=state, direction=direction)
        )

    assert merger.feed(ev("AB12CDE", "new"), now=0) is not None
    assert merger.feed(ev("AB12CDE", "update"), now=1) is None  # nothing new
    assert merger.feed(ev("AB12CDE", "updated", direction="in"), now=2) is not None
    assert merger.feed(ev("AB12CDF", "update"), now=3) is not None  # better plate text
    assert merger.feed(ev("AB12CDF", "lost"), now=4) is None
    assert len(merger) == 0
    # "Send lost only": the lost event is the first and only one.
    assert merger.feed(ev("ZZ99ZZZ", "lost", car="2"), now=5) is not None
    # Reused id after lost is a new vehicle; idle vehicles expire; size is capped.
    assert merger.feed(ev("AB12CDE", "new"), now=6) is not None
    assert merger.feed(ev("X1", "new", car="3"), now=7) is not None
    assert merger.feed(ev("X2", "new", car="4"), now=8) is not None
    assert len(merger) == 2
    assert merger.feed(ev("X2", "update", car="4"), now=200) is not None  # expired: new again
    # No vehicle id: always delivered.
    obj = http_pusher.numberok_event("NOID", car_id="0", state="update")
    assert merger.feed(parse_numberok_event(obj), now=9) is not None


def test_plate_query() -> None:
    assert parse_plate_query("Caption=LPR&description=MS12345").plate == "MS12345"
    # The vendor doc's spaces, percent-encoded or as '+'.
    assert parse_plate_query("?Caption%20=%20LPR&description%20=%20MS12345").plate == "MS12345"
    assert parse_plate_query("caption+=+LPR&Description+=+MS+12345").plate == "MS 12345"
    assert query_params("A=1&a=2") == {"a": "1"}
    with pytest.raises(PlateQueryError, match="without a plate"):
        parse_plate_query("Caption=LPR")
    with pytest.raises(PlateQueryError, match="without a plate"):
        parse_plate_query("Caption=LPR&description=")
    with pytest.raises(PlateQueryError, match="4096"):
        parse_plate_query("description=" + "A" * 5000)


@pytest.mark.parametrize("fmt", http_pusher.FORMATS)
def test_detect_every_pusher_format(fmt: str) -> None:
    method, suffix, headers, body = http_pusher.build_request(fmt, "AB12CDE")
    result = detect_payload(method, headers.get("Content-Type"), body, suffix.lstrip("?"))
    expected = {
        "milesight_legacy": "lpr_json",
        "milesight_new": "lpr_json",
        "query": "plate_query",
        "query_spaces": "plate_query",
        "numberok": "numberok",
        "hikvision": "hikvision",
        "axis_alpv": "axis_alpv",
    }[fmt]
    assert result.format == expected
    assert [r.plate for r in result.reads] == ["AB12CDE"]
    if fmt in ("numberok", "axis_alpv"):
        assert [i.role for i in result.reads[0].images] == [ImageRole.FULL, ImageRole.PLATE]
    if fmt == "axis_alpv":
        assert result.reads[0].extra["serial"] == "B8A44F000001"
        assert result.reads[0].extra["model"] == "AXIS P1455-LE-3"
        assert result.reads[0].extra["image_paths"][0].startswith("/local/fflprapp/")
    if fmt == "hikvision":
        assert result.reads[0].image(ImageRole.PLATE) is not None


def test_detect_sniffs_json_and_arrays() -> None:
    body = json.dumps(http_pusher.milesight_legacy("AB12CDE")).encode()
    assert detect_payload("POST", "text/plain", body).format == "lpr_json"
    assert detect_payload("POST", None, body).format == "lpr_json"
    both = json.dumps([{"plate": "A1"}, {"license_plate": "B2"}]).encode()
    assert [r.plate for r in detect_payload("POST", "application/json", both).reads] == [
        "A1",
        "B2",
    ]
    form = b"Caption=LPR&description=FORM1"
    assert (
        detect_payload("POST", "application/x-www-form-urlencoded", form).reads[0].plate == "FORM1"
    )
    # A POST with an empty body and the plate in the query.
    assert detect_payload("POST", None, b"", "description=Q1").reads[0].plate == "Q1"


@pytest.mark.parametrize(
    ("method", "ctype", "body", "query", "reason"),
    [
        ("GET", None, b"", "", "without ?Caption=LPR"),
        ("GET", None, b"", "foo=bar", "without ?Caption=LPR"),
        ("GET", None, b"", "Caption=LPR&description=", "GET without a plate"),
        ("POST", "application/json", b'{"plate": "AB1', "", "invalid JSON"),
        ("POST", "application/json", b"not json", "", "is not a JSON object"),
        ("POST", "application/json", b'{"foo": 1, "bar": 2}', "", "without a plate key"),
        ("POST", "application/json", b"[1, 2]", "", "where an object was expected"),
        ("POST", "image/jpeg", b"\xff\xd8\xff\xe0", "", "unsupported content type image/jpeg"),
        ("POST", "application/x-www-form-urlencoded", b"a=1", "", "form body without"),
        (
            "POST",
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\r\n--b--\r\n",
            "",
            "multipart without a known event part",
        ),
        (
            "POST",
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Type: application/xml\r\n\r\n<a><b></a>\r\n--b--\r\n",
            "",
            "multipart with an event part no parser accepts",
        ),
        ("POST", "application/xml", b"<notanalert/>", "", "XML body without a plate read"),
    ],
)
def test_detect_unknown(
    method: str, ctype: str | None, body: bytes, query: str, reason: str
) -> None:
    with pytest.raises(UnknownPayload, match=re.escape(reason)) as info:
        detect_payload(method, ctype, body, query)
    assert isinstance(info.value, ProtocolError)


def test_detect_unknown_lists_keys_not_values() -> None:
    with pytest.raises(UnknownPayload) as info:
        detect_payload("POST", "application/json", b'{"secret_value": "hunter2", "x": 1}')
    assert info.value.keys == ["secret_value", "x"]
    assert "hunter2" not in str(info.value)
    with pytest.raises(UnknownPayload, match="cap"):
        detect_payload("POST", "application/json", b"{}" * 100, max_body=10)


def test_detect_bad_base64_keeps_plate() -> None:
    obj = http_pusher.milesight_legacy("AB12CDE")
    obj["plate_image"] = "%%%not-base64%%%"
    result = detect_payload("POST", "application/json", json.dumps(obj).encode())
    read = result.reads[0]
    assert read.plate == "AB12CDE"
    assert [i.role for i in read.images] == [ImageRole.FULL]
    assert read.extra["dropped_images"] == ["plate_image: invalid base64 picture"]


def test_image_headers_edge_cases() -> None:
    bmp = (
        b"BM"
        + b"\x00" * 16
        + (320).to_bytes(4, "little")
        + (-200).to_bytes(4, "little", signed=True)
    )
    assert image_content_type(bmp) == "image/bmp"
    assert image_size(bmp) == (320, 200)
    assert image_content_type(b"GIF89a....") == "image/gif"
    assert image_content_type(b"\x89PNG\r\n\x1a\n") == "image/png"
    assert image_content_type(b"hello") is None
    # JPEG with fill bytes, a restart marker and an APP segment before the frame header.
    sof = b"\xff\xc2\x00\x11\x08" + (480).to_bytes(2, "big") + (640).to_bytes(2, "big")
    jpeg = b"\xff\xd8\xff\xff\xd0\xff\xe1\x00\x04ab" + sof
    assert image_size(jpeg) == (640, 480)
    assert image_size(b"\xff\xd8\xff\xda\x00\x04ab") is None  # scan before any frame header
    assert image_size(b"\xff\xd8\x00\x00\xff\xe0\x00") is None  # truncated
    # URL-safe base64 alphabet.
    data = bytes(range(256))
    urlsafe = base64.urlsafe_b64encode(data).decode()
    assert decode_base64_image(urlsafe, 1000) == data


def test_detect_hook_replacement_and_disable() -> None:
    """The Hikvision hook can be replaced or disabled (payloads then count as unknown)."""
    method, _suffix, headers, body = http_pusher.build_request("hikvision", "HOOK1")

    def fake(parts, tz):
        return [PlateRead(plate="FROMHOOK")], ["one note"]

    result = detect_payload(method, headers["Content-Type"], body, hikvision=fake)
    assert [r.plate for r in result.reads] == ["FROMHOOK"]
    assert result.notes == ["one note"]
    with pytest.raises(UnknownPayload, match="multipart without a known event part"):
        detect_payload(method, headers["Content-Type"], body, hikvision=None)
    xml = http_pusher.hikvision_xml("BARE1")
    assert detect_payload("POST", "application/xml", xml).reads[0].plate == "BARE1"
    with pytest.raises(UnknownPayload, match="unsupported content type application/xml"):
        detect_payload("POST", "application/xml", xml, hikvision=False)


def test_detect_multipart_lpr_json_part_and_malformed() -> None:
    body = http_pusher.multipart(
        [("data", "text/plain", None, json.dumps({"plate": "MPJSON1"}).encode())], "zz"
    )
    result = detect_payload("POST", "multipart/form-data; boundary=zz", body)
    assert result.format == "lpr_json"
    assert result.reads[0].plate == "MPJSON1"
    with pytest.raises(UnknownPayload, match="malformed multipart"):
        detect_payload("POST", "multipart/form-data; boundary=zz", b"no parts at all")
    with pytest.raises(UnknownPayload, match="JSON array without any plate object"):
        detect_payload("POST", "application/json", b'[{"a": 1}, {"b": 2}]')


def test_detect_hikvision_json_mode() -> None:
    """Hikvision listening with parameterFormatType=JSON goes to the Hikvision parser."""
    from tools.emulators.hikvision import HikvisionEmulator  # noqa: PLC0415

    body = HikvisionEmulator().anpr_json("HIKJSON1")
    result = detect_payload("POST", "application/json", body)
    assert result.format == "hikvision"
    assert [r.plate for r in result.reads] == ["HIKJSON1"]
    with pytest.raises(UnknownPayload, match="Hikvision JSON without a plate read"):
        detect_payload("POST", "application/json", b'{"eventType": "videoloss"}')


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT"]),
    ctype=st.sampled_from(
        [
            None,
            "",
            "application/json",
            "text/plain",
            "multipart/form-data; boundary=b",
            "application/xml",
            "application/x-www-form-urlencoded",
            "image/jpeg",
        ]
    ),
    body=st.one_of(
        st.binary(max_size=300),
        st.builds(
            lambda d: json.dumps(d).encode(),
            st.dictionaries(
                st.sampled_from(
                    [
                        "plate",
                        "license_plate",
                        "plateASCII",
                        "plateText",
                        "carID",
                        "carState",
                        "time",
                        "datetime",
                        "confidence",
                        "full_image",
                        "plateCoordinates",
                        "eventType",
                        "geotag",
                        "direction",
                    ]
                ),
                st.one_of(
                    st.none(),
                    st.integers(),
                    st.text(max_size=20),
                    st.floats(),
                    st.lists(st.integers(), max_size=5),
                    st.dictionaries(st.text(max_size=3), st.integers()),
                ),
            ),
        ),
    ),
    query=st.text(max_size=60),
)
def test_detect_fuzz_only_unknown_payload(
    method: str, ctype: str | None, body: bytes, query: str
) -> None:
    """Whatever arrives, detection returns reads or raises UnknownPayload, nothing else."""
    try:
        result = detect_payload(method, ctype, body, query)
    except UnknownPayload:
        return
    assert result.reads
    for read in result.reads:
        assert isinstance(read.plate, str)
        assert read.time.tzinfo is not None


@pytest.mark.parametrize(
    ("extra", "axis"),
    [
        ({"camera_info": {"Brand": "AXIS"}}, True),
        ({"camera_info": {"ProdShortName": "AXIS Q1700-LE"}}, True),
        ({"imageFile": "/local/fflprapp/tools.cgi?action=getImage&name=1.jpg"}, True),
        ({"sensorProviderID": "axis-gate"}, True),
        ({"camera_info": "AXIS"}, False),  # wrong type: ignored, still an FF event
        ({"camera_info": {"Brand": 7, "SerialNumber": ["x"]}}, False),
        ({"sensorProviderID": "CAM_00166CC39D44"}, False),
    ],
)
def test_axis_alpv_is_told_apart_from_other_ff_cameras(extra: dict[str, Any], axis: bool) -> None:
    """The Axis flavour needs an Axis marker of the right type; hostile types fall back."""
    obj = http_pusher.numberok_event("AB12CDE") | extra
    result = detect_payload("POST", "application/json", json.dumps(obj).encode())
    assert result.format == ("axis_alpv" if axis else "numberok")
    assert result.reads[0].plate == "AB12CDE"
    assert "serial" not in result.reads[0].extra


def test_axis_alpv_huge_fields_are_cut() -> None:
    obj = http_pusher.axis_alpv_event("AB12CDE")
    obj["camera_info"]["SerialNumber"] = "S" * 100_000
    obj["imagesURI"] = "/local/fflprapp/" + "x" * 100_000
    (read,) = detect_payload("POST", "application/json", json.dumps(obj).encode()).reads
    assert len(read.extra["serial"]) == 200
    assert len(read.extra["image_paths"][0]) == 200
