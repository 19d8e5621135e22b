"""Tests for the Hikvision ISAPI parsers (docs/protocols.md, "Hikvision ISAPI")."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.anpr.protocols.hikvision.alerts import parse_alert_json, parse_alert_xml
from custom_components.anpr.protocols.hikvision.assembler import HikvisionEventAssembler
from custom_components.anpr.protocols.hikvision.client import (
    parse_device_info,
    parse_response_status,
)
from custom_components.anpr.protocols.hikvision.documents import HikvisionError, parse_time
from custom_components.anpr.protocols.hikvision.plate_log import (
    CatchUpTracker,
    PlateLogEntry,
    parse_plates,
    pic_name_key,
    plates_request_body,
)
from custom_components.anpr.protocols.models import (
    CameraListVerdict,
    Direction,
    ImageRole,
    PlateRead,
)
from custom_components.anpr.protocols.multipart import Part, parse_multipart

FIXTURES = Path(__file__).parent / "fixtures" / "hikvision"
ALERT = (FIXTURES / "anpr_alert_isapi_ver20.xml").read_bytes()
MIXED = (FIXTURES / "mixed_target_detection.json").read_bytes()
JPEG = (FIXTURES / "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg").read_bytes()
NAMESPACES = [
    "http://www.hikvision.com/ver10/XMLSchema",
    "http://www.hikvision.com/ver20/XMLSchema",
    "http://www.isapi.org/ver20/XMLSchema",
    "http://www.std-cgi.com/ver20/XMLSchema",
]


def alert_with(namespace: str | None, declaration: bool = True) -> bytes:
    body = ALERT.replace(b'<?xml version="1.0" encoding="UTF-8"?>\n', b"")
    if namespace is None:
        body = body.replace(b' xmlns="http://www.isapi.org/ver20/XMLSchema"', b"")
    else:
        body = body.replace(b"http://www.isapi.org/ver20/XMLSchema", namespace.encode())
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else b"") + body


@pytest.mark.parametrize("namespace", [*NAMESPACES, None])
@pytest.mark.parametrize("declaration", [True, False])
def test_anpr_alert_every_namespace(namespace: str | None, declaration: bool) -> None:
    (alert,) = parse_alert_xml(alert_with(namespace, declaration))
    assert alert.is_anpr and not alert.is_heartbeat
    assert alert.read is not None
    assert alert.read.plate == "B4DM3N"


def test_anpr_alert_fields() -> None:
    (alert,) = parse_alert_xml(ALERT)
    read = alert.read
    assert read is not None
    assert read.plate == "B4DM3N"
    assert read.original_plate == "B4 DM3N"
    assert read.time == datetime(2025, 6, 2, 9, 30, 45, tzinfo=UTC)
    assert read.direction is Direction.OUT  # reverse → out by default
    assert read.direction_raw == "reverse"
    assert read.confidence == pytest.approx(0.93)
    assert read.country == "17"
    assert read.plate_type == "unknown"
    assert read.plate_colour == "yellow"
    assert read.vehicle_type == "SUVMPV"
    assert read.vehicle_colour == "white"
    assert read.vehicle_make == "1036"  # brand code, kept as the camera sent it
    assert read.vehicle_model == "12"  # from the misspelt vehileModel
    assert read.speed == 23
    assert read.lane == 2
    assert read.camera_list is CameraListVerdict.ALERT
    assert read.camera_list_name == "blockList"
    assert read.vendor_id == "0f6c1f7e-0d3e-4c57-9a43-1b9b7c2d8e11"
    assert read.plate_box == pytest.approx((0.412, 0.655, 0.098, 0.031))
    assert read.source == "hikvision"
    assert alert.channel == "1"
    assert alert.picture_count == 2
    assert [p.role for p in alert.pictures] == [ImageRole.PLATE, ImageRole.FULL]
    assert alert.pictures[0].pid == "2025060210304540700000000000001"  # long id stays a string


def test_direction_mapping_parameter() -> None:
    swapped = {"forward": Direction.OUT, "reverse": Direction.IN}
    (alert,) = parse_alert_xml(ALERT, direction_map=swapped)
    assert alert.read is not None and alert.read.direction is Direction.IN
    (alert,) = parse_alert_xml(ALERT.replace(b">reverse<", b">forward<"))
    assert alert.read is not None and alert.read.direction is Direction.IN
    (alert,) = parse_alert_xml(ALERT.replace(b">reverse<", b">unknown<"))
    assert alert.read is not None and alert.read.direction is Direction.UNKNOWN


@pytest.mark.parametrize("sentinel", [b"unknown", b"noPlate", b""])
def test_no_plate_reads_are_not_plates(sentinel: bytes) -> None:
    (alert,) = parse_alert_xml(ALERT.replace(b">B4DM3N<", b">" + sentinel + b"<"))
    assert alert.read is None and alert.no_plate


def test_old_firmware_dyn_channel_and_list_type() -> None:
    body = (
        b"<EventNotificationAlert><dynChannelID/><dateTime>2020-04-24T16:16:27Z</dateTime>"
        b"<eventType>ANPR</eventType><eventState>active</eventState><ANPR>"
        b"<licensePlate>DK18HVX</licensePlate><line>1</line><listType>white</listType>"
        b"</ANPR></EventNotificationAlert>"
    )
    (alert,) = parse_alert_xml(body)
    assert alert.channel is None
    assert alert.read is not None
    assert alert.read.camera_list is CameraListVerdict.ALLOWED
    assert alert.read.direction is Direction.UNKNOWN
    assert alert.read.confidence is None
    body = body.replace(b"<dynChannelID/>", b"<dynChannelID>3</dynChannelID>")
    assert parse_alert_xml(body)[0].channel == "3"


def test_heartbeats_and_several_alerts_in_one_part() -> None:
    beat = (
        b'<EventNotificationAlert version="1.0" xmlns="http://www.hikvision.com/ver10/XMLSchema">'
        b"<channelID>1</channelID><dateTime>2019-08-26T18:27:21+02:00</dateTime>"
        b"<activePostCount>0</activePostCount><eventType>videoloss</eventType>"
        b"<eventState>inactive</eventState><eventDescription>videoloss alarm</eventDescription>"
        b"</EventNotificationAlert>"
    )
    alerts = parse_alert_xml(beat + b"\r\n" + beat + b"\r\n" + ALERT)
    assert [a.is_heartbeat for a in alerts] == [True, True, False]
    assert alerts[2].read is not None and alerts[2].read.plate == "B4DM3N"
    active = beat.replace(b"inactive", b"active")
    assert not parse_alert_xml(active)[0].is_heartbeat  # a real videoloss alarm
    hb = b"<EventNotificationAlert><eventType>heartBeat</eventType></EventNotificationAlert>"
    assert parse_alert_xml(hb)[0].is_heartbeat
    assert parse_alert_json(b'{"eventType": "heartBeat"}')[0].is_heartbeat


def test_mixed_target_detection_json() -> None:
    (alert,) = parse_alert_json(MIXED)
    read = alert.read
    assert read is not None
    assert read.plate == "DK18HVX"
    assert read.direction is Direction.IN
    assert read.confidence == pytest.approx(0.975)
    assert read.vehicle_colour == "gray"
    assert read.vehicle_make == "1036"
    assert read.plate_box == pytest.approx((0.412, 0.655, 0.098, 0.031))
    assert read.time == datetime(2025, 6, 2, 9, 31, 2, tzinfo=UTC)
    assert alert.pictures[0].pid == "20250602103102000000000000000001"
    assert alert.pictures[0].content_id == "vehicleImage"
    assert alert.pictures[0].role is ImageRole.VEHICLE


def test_json_anpr_listening_variant() -> None:
    """parameterFormatType=JSON (no public document spells it): the XML names as JSON."""
    body = (
        b'{"EventNotificationAlert": {"eventType": "ANPR", "channelID": "1", "picNum": 1,'
        b' "dateTime": "2025-06-02T10:30:45+01:00", "UUID": "abc",'
        b' "ANPR": {"licensePlate": "B4DM3N", "direction": "reverse", "confidenceLevel": 88,'
        b' "line": "2", "listType": "black", "vehicleInfo": {"color": "red"},'
        b' "pictureInfoList": {"pictureInfo": [{"fileName": "licensePlatePicture.jpg",'
        b' "pId": "123456789012345678901234567890", "plateRect":'
        b' {"X": 100, "Y": 200, "width": 50, "height": 20}}]}}}}'
    )
    (alert,) = parse_alert_json(body)
    read = alert.read
    assert read is not None and read.plate == "B4DM3N"
    assert read.direction is Direction.OUT and read.lane == 2
    assert read.confidence == pytest.approx(0.88)
    assert read.camera_list is CameraListVerdict.ALERT
    assert read.plate_box == pytest.approx((0.1, 0.2, 0.05, 0.02))
    assert alert.pictures[0].pid == "123456789012345678901234567890"
    assert alert.pictures[0].role is ImageRole.PLATE
    no_plate = parse_alert_json(body.replace(b'"B4DM3N"', b'"noPlate"'))[0]
    assert no_plate.read is None and no_plate.no_plate


@pytest.mark.parametrize(
    "body",
    [
        b"<EventNotificationAlert><eventType>ANPR</eventType>",  # truncated
        b"<EventNotificationAlert></Other>",
        b"<Foo/>",
        b"",
        b"\xff\xfe\x00garbage",
    ],
)
def test_malformed_xml_raises_protocol_error(body: bytes) -> None:
    with pytest.raises(HikvisionError):
        parse_alert_xml(body)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"eventType": "ANPR"}', b"\xff"])
def test_malformed_json_raises_protocol_error(body: bytes) -> None:
    with pytest.raises(HikvisionError):
        parse_alert_json(body)


def test_entity_expansion_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<EventNotificationAlert><eventType>ANPR</eventType><ANPR>"
        b"<licensePlate>&lol3;</licensePlate></ANPR></EventNotificationAlert>"
    )
    with pytest.raises(HikvisionError, match="refused"):
        parse_alert_xml(bomb)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<EventNotificationAlert><eventType>&xxe;</eventType></EventNotificationAlert>"
    )
    with pytest.raises(HikvisionError, match="refused"):
        parse_alert_xml(external)


def test_size_caps() -> None:
    with pytest.raises(HikvisionError, match="cap"):
        parse_alert_xml(ALERT + b" " * 300_000)
    with pytest.raises(HikvisionError, match="cap"):
        parse_alert_json(b"{" + b" " * 300_000 + b"}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-02T10:30:45+01:00", datetime(2025, 6, 2, 9, 30, 45, tzinfo=UTC)),
        ("2025-06-02T10:30:45Z", datetime(2025, 6, 2, 10, 30, 45, tzinfo=UTC)),
        ("2024-01-22T11:46:3100:00", datetime(2024, 1, 22, 11, 46, 31, tzinfo=UTC)),  # broken
        ("20200424T1616270000", datetime(2020, 4, 24, 16, 16, 27, tzinfo=UTC)),
        ("20250602103045407", datetime(2025, 6, 2, 10, 30, 45, 407000, tzinfo=UTC)),
        ("2020042416162789540087321", datetime(2020, 4, 24, 16, 16, 27, 895000, tzinfo=UTC)),
        ("garbage", None),
        ("", None),
    ],
)
def test_times(text: str, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_naive_times_use_camera_zone() -> None:
    tz = timezone(timedelta(hours=2))
    assert parse_time("20200424T1616270000", tz) == datetime(2020, 4, 24, 14, 16, 27, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "pic_name"),
    [
        ("plates_vehicleDetect_response_xml1.xml", "202004241616278800"),
        ("plates_vehicleDetect_response_xml2.xml", "2020042416162789540087321"),
    ],
)
def test_licensed_plate_log_samples(name: str, pic_name: str) -> None:
    (entry,) = parse_plates((FIXTURES / name).read_bytes())
    assert entry.pic_name == pic_name  # 25 digits survive as a string (> 2^53)
    assert entry.plate == "DK18HVX"
    assert entry.country == "GBR"
    assert entry.lane == 1
    read = entry.to_read()
    assert read.direction is Direction.IN
    assert read.vendor_id == pic_name
    assert read.time == datetime(2020, 4, 24, 16, 16, 27, tzinfo=UTC)
    assert read.extra["catch_up"] is True


def test_plate_log_sorting_and_request() -> None:
    body = (
        b"<Plates><Plate><picName>202004241616279999</picName><plateNumber>B</plateNumber></Plate>"
        b"<Plate><picName>2020042416162789540087321</picName><plateNumber>A</plateNumber>"
        b"<matchingResult>otherlist</matchingResult></Plate><Plate><plateNumber>X</plateNumber>"
        b"</Plate></Plates>"
    )
    entries = parse_plates(body)
    assert [e.plate for e in entries] == ["A", "B"]
    assert entries[0].to_read().camera_list is CameraListVerdict.NONE
    assert parse_plates(b"<Plates/>") == []
    assert b"<picTime>202001301301320000</picTime>" in plates_request_body("202001301301320000")
    with pytest.raises(HikvisionError):
        plates_request_body("2020<x/>")
    with pytest.raises(HikvisionError):
        parse_plates(b"<Other/>")
    assert pic_name_key("202004241616278800") < pic_name_key("2020042416162789540087321")


def test_device_info_and_errors() -> None:
    info = parse_device_info(
        b'<DeviceInfo xmlns="http://www.std-cgi.com/ver20/XMLSchema"><model>DS-TCG405-E</model>'
        b"<serialNumber>DS-TCG405-E20230629AAWRK123</serialNumber><macAddress>44:a6:42:00:00:01"
        b"</macAddress><firmwareVersion>V5.2.0</firmwareVersion>"
        b"<firmwareReleasedDate>build 230629</firmwareReleasedDate></DeviceInfo>"
    )
    assert info.model == "DS-TCG405-E"
    assert info.serial == "DS-TCG405-E20230629AAWRK123"
    assert info.firmware == "V5.2.0 build 230629"
    assert info.mac == "44:a6:42:00:00:01"
    with pytest.raises(HikvisionError):
        parse_device_info(b"<html>login</html>")
    status = parse_response_status(
        b'{"requestURL": "/x", "statusCode": 4, "statusString": "Invalid Operation",'
        b' "subStatusCode": "notSupport", "errorCode": 1073741825}'
    )
    assert status is not None and status.sub_status_code == "notSupport"
    status = parse_response_status(
        b"<ResponseStatus><statusCode>4</statusCode><subStatusCode>notSupport</subStatusCode>"
        b"</ResponseStatus>"
    )
    assert status is not None and status.status_code == 4
    assert parse_response_status(b"<html/>") is None


# --- Assembler: pictures linked to reads ---------------------------------------------------


def xml_part(body: bytes = ALERT) -> Part:
    return Part(headers={"content-type": 'application/xml; charset="UTF-8"'}, body=body)


def image_part(ctype: str = "image/jpeg", **headers: str) -> Part:
    return Part(headers={"content-type": ctype, **headers}, body=JPEG, size=len(JPEG))


def test_pictures_linked_by_pid_name() -> None:
    asm = HikvisionEventAssembler()
    assert asm.add(xml_part()) == []
    assert asm.has_pending
    disposition = 'form-data; name="2025060210304540700000000000002"; filename="x.jpg"'
    assert asm.add(image_part("image/pjpeg", **{"content-disposition": disposition})) == []
    disposition = 'form-data; name="2025060210304540700000000000001"'
    (read,) = asm.add(image_part(**{"content-disposition": disposition}))
    assert [(i.role, i.content_type) for i in read.images] == [
        (ImageRole.FULL, "image/jpeg"),  # pjpeg normalised
        (ImageRole.PLATE, "image/jpeg"),
    ]
    assert read.images[0].data == JPEG
    assert read.image(ImageRole.PLATE) is read.images[1]


def test_pictures_linked_by_filename_and_content_id() -> None:
    asm = HikvisionEventAssembler()
    asm.add(xml_part())
    asm.add(image_part(**{"content-disposition": 'form-data; filename="licensePlatePicture.jpg"'}))
    (read,) = asm.add(image_part(**{"content-id": "<detectionPicture.jpg>"}))
    assert [i.role for i in read.images] == [ImageRole.PLATE, ImageRole.FULL]


def test_json_read_linked_by_content_id() -> None:
    asm = HikvisionEventAssembler()
    asm.add(Part(headers={"content-type": "application/json"}, body=MIXED))
    (read,) = asm.add(image_part(**{"content-id": "vehicleImage"}))
    assert read.plate == "DK18HVX"
    assert read.images[0].role is ImageRole.VEHICLE


def test_next_event_flushes_pending_read_and_orphans() -> None:
    asm = HikvisionEventAssembler()
    assert asm.add(image_part()) == []  # picture without an alert: ignored
    asm.add(xml_part())
    reads = asm.add(xml_part(ALERT.replace(b"0f6c1f7e", b"1f6c1f7e")))
    assert [r.plate for r in reads] == ["B4DM3N"]  # delivered without its pictures
    assert asm.stats.orphan_pictures == 1
    assert [r.plate for r in asm.flush()] == ["B4DM3N"]


def test_read_without_pictures_is_immediate_and_duplicates_dropped() -> None:
    body = ALERT.replace(b"<picNum>2</picNum>", b"<picNum>0</picNum>")
    asm = HikvisionEventAssembler()
    assert [r.plate for r in asm.add(xml_part(body))] == ["B4DM3N"]
    assert asm.add(xml_part(body)) == []  # same UUID and time: a retransmission
    assert asm.stats.duplicates == 1


def test_bad_part_raises_and_state_is_kept() -> None:
    asm = HikvisionEventAssembler()
    asm.add(xml_part())
    with pytest.raises(HikvisionError):
        asm.add(xml_part(b"<EventNotificationAlert><broken>"))
    with pytest.raises(HikvisionError):
        asm.add(Part(headers={"content-type": "image/jpeg"}, body=b"", oversize=True, size=9))
    assert asm.has_pending
    assert [r.plate for r in asm.flush()] == ["B4DM3N"]


def test_listening_post_one_shot() -> None:
    """hikvision_next #117 shape: anpr.xml part then a picture named by pId in filename."""
    body = (
        b'--boundary\r\nContent-Disposition: form-data; name="anpr.xml"; filename="anpr.xml"\r\n'
        b"Content-Type: text/xml\r\nContent-Length: " + str(len(ALERT) + 2).encode() + b"\r\n\r\n"
        + ALERT + b"\r\n"
        b'--boundary\r\nContent-Disposition: form-data; name="licensePlatePicture.jpg"; '
        b'filename="2025060210304540700000000000001"\r\nContent-Type: image/jpeg\r\n'
        b"Content-Length: " + str(len(JPEG) + 2).encode() + b"\r\n\r\n" + JPEG + b"\r\n"
        b"--boundary--\r\n"
    )
    parts = parse_multipart(body, "multipart/form-data; boundary=boundary")
    reads, errors = HikvisionEventAssembler(hold_unannounced=True).add_all(parts)
    assert errors == []
    (read,) = reads
    assert read.images[0].role is ImageRole.PLATE and read.images[0].data == JPEG


def test_plain_xml_post_without_pictures() -> None:
    body = ALERT.replace(b"<picNum>2</picNum>", b"").replace(b"<pictureInfoList>", b"<x>")
    body = body.replace(b"</pictureInfoList>", b"</x>")
    reads, errors = HikvisionEventAssembler(hold_unannounced=True).add_all(
        [Part(headers={"content-type": "application/xml"}, body=body)]
    )
    assert [r.plate for r in reads] == ["B4DM3N"] and errors == []


@given(data=st.binary(max_size=2000), ctype=st.sampled_from(["text/xml", "application/json", ""]))
@settings(max_examples=150, deadline=None)
def test_fuzz_only_protocol_errors(data: bytes, ctype: str) -> None:
    asm = HikvisionEventAssembler()
    with contextlib.suppress(HikvisionError):
        asm.add(Part(headers={"content-type": ctype}, body=data))


# --- Catch-up bookkeeping ------------------------------------------------------------------


def entry(pic: str, plate: str, when: str) -> PlateLogEntry:
    return PlateLogEntry(pic_name=pic, plate=plate, capture_time=when, direction="forward")


def test_catch_up_exactly_once() -> None:
    tz = timezone(timedelta(hours=1))
    tracker = CatchUpTracker(tz=tz)
    cursor = tracker.start(datetime(2026, 11, 22, 2, 0, 0, tzinfo=UTC))
    assert cursor == "202611220300000000"  # camera time (UTC+1), kept as a string
    # A read delivered live at 03:00:05 camera time.
    tracker.note_live(PlateRead(plate="AB12 CDE", time=datetime(2026, 11, 22, 2, 0, 5, tzinfo=UTC)))
    log = [
        entry("202611220300050001", "AB12CDE", "20261122T0300050000"),  # the live one
        entry("202611220300100002", "MISSED1", "20261122T0300100000"),
        entry("202611220300110003", "noPlate", "20261122T0300110000"),
        entry("202611220300120004", "MISSED2", "20261122T0300120000"),
    ]
    assert [e.plate for e in tracker.select(log)] == ["MISSED1", "MISSED2"]
    assert tracker.cursor == "202611220300120004"
    # Same answer again (camera returns overlapping entries): nothing twice.
    assert tracker.select(log) == []
    # First connection of a new camera: old log entries only move the cursor.
    fresh = CatchUpTracker(tz=tz)
    fresh.start(datetime(2026, 11, 22, 2, 0, 0, tzinfo=UTC))
    fresh.skip(log)
    assert fresh.cursor == "202611220300120004"
    assert fresh.recent == []
    assert not fresh.caught_up_already(
        PlateRead(plate="MISSED1", time=datetime(2026, 11, 22, 2, 0, 10, tzinfo=UTC))
    )
    # Persisted and restored (HA restart): still nothing twice, new entry delivered.
    state = tracker.as_dict()
    restored = CatchUpTracker(state["cursor"], state["recent"], tz=tz)
    later = entry("202611220300200005", "LATER1", "20261122T0300200000")
    assert [e.plate for e in restored.select([*log, later])] == ["LATER1"]


def test_live_read_after_catch_up_is_recognised() -> None:
    """Race at reconnection: the log already returned the read the live alert brings next."""
    tracker = CatchUpTracker("202611220300000000", tz=UTC)
    (delivered,) = tracker.select([entry("202611220300050001", "AB12CDE", "20261122T0300050000")])
    late_live = PlateRead(plate="AB12CDE", time=datetime(2026, 11, 22, 3, 0, 5, 400000, tzinfo=UTC))
    assert tracker.caught_up_already(late_live)
    other = PlateRead(plate="AB12CDF", time=late_live.time)
    assert not tracker.caught_up_already(other)
    assert delivered.plate == "AB12CDE"


def test_catch_up_tracker_ignores_bad_state() -> None:
    tracker = CatchUpTracker("not-digits", [["x"], ["AB", "nan?", None], 5])  # type: ignore[list-item]
    assert tracker.cursor is None
    assert tracker.recent == []


# --- Edge cases seen in the field or found by fuzzing --------------------------------------


def test_odd_field_values_are_tolerated() -> None:
    body = (
        ALERT.replace(b"<line>2</line>", b"<line>two</line>")
        .replace(b"<speed>23</speed>", b"<speed>fast</speed>")
        .replace(b"<X>412</X><Y>655</Y>", b"<x>412</x><y>655</y>")
        .replace(b"<X>412</X>", b"<x>412</x>")
        .replace(b"<Y>655</Y>", b"<y>655</y>")
    )
    (alert,) = parse_alert_xml(body)
    assert alert.read is not None
    assert alert.read.lane is None and alert.read.speed is None
    assert alert.read.plate_box == pytest.approx((0.412, 0.655, 0.098, 0.031))  # lower-case x/y
    broken_rect = ALERT.replace(b"<width>98</width>", b"")
    assert parse_alert_xml(broken_rect)[0].read.plate_box is None  # type: ignore[union-attr]
    unknown_picture = ALERT.replace(b"<type>detectionPicture</type>", b"<type>pic</type>")
    unknown_picture = unknown_picture.replace(b"detectionPicture.jpg", b"p2.jpg")
    assert parse_alert_xml(unknown_picture)[0].pictures[1].role is ImageRole.FULL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20200424T161627+0100", datetime(2020, 4, 24, 15, 16, 27, tzinfo=UTC)),
        ("20200424T161627Z", datetime(2020, 4, 24, 16, 16, 27, tzinfo=UTC)),
        ("20251399999999", None),  # month 13
        ("20250602103045", datetime(2025, 6, 2, 10, 30, 45, tzinfo=UTC)),
        ("0001-01-01T00:00:00+01:00", None),  # leaves datetime's range in UTC
    ],
)
def test_more_time_forms(text: str, expected: datetime | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="TTF-8"?><EventNotificationAlert/>',  # unknown encoding
        b"<EventNotificationAlert/><EventNotificationAlert>",  # second document truncated
    ],
)
def test_more_malformed_xml(body: bytes) -> None:
    with pytest.raises(HikvisionError, match="malformed"):
        parse_alert_xml(body)


def test_json_shapes() -> None:
    single = b'{"eventType": "mixedTargetDetection", "CaptureResult": {"Vehicle": {"Property":'
    single += b' [{"description": "plateNo", "value": "AB1"}], "PlateRect": [1]}}}'
    (alert,) = parse_alert_json(single)
    assert alert.read is not None and alert.read.plate == "AB1" and alert.read.plate_box is None
    no_vehicle = b'{"eventType": "mixedTargetDetection", "CaptureResult": [{"Human": {}}]}'
    assert parse_alert_json(no_vehicle) == []
    no_plate = b'{"eventType": "mixedTargetDetection", "CaptureResult": [{"Vehicle":'
    no_plate += b' {"Property": "oops"}}]}'
    (alert,) = parse_alert_json(no_plate)
    assert alert.no_plate and alert.read is None
    other = parse_alert_json(b'{"eventType": "VMD", "eventState": "active"}')
    assert not other[0].is_anpr and not other[0].is_heartbeat
    listening = b'{"eventType": "ANPR", "ANPR": {"licensePlate": "X1", "pictureInfoList":'
    listening += b' [{"fileName": "licensePlatePicture.jpg"}, 5]}}'
    (alert,) = parse_alert_json(listening)
    assert [p.file_name for p in alert.pictures] == ["licensePlatePicture.jpg"]


def test_assembler_counts_and_limits() -> None:
    asm = HikvisionEventAssembler(dedupe_size=2)
    vmd = b"<EventNotificationAlert><eventType>VMD</eventType></EventNotificationAlert>"
    assert asm.add(xml_part(vmd)) == []
    assert asm.stats.other_events == 1
    base = ALERT.replace(b"<picNum>2</picNum>", b"<picNum>0</picNum>")
    for n in range(4):
        body = base.replace(b"0f6c1f7e", b"%08d" % n)
        assert len(asm.add(xml_part(body))) == 1
    assert len(asm._seen) == 2  # bounded
    with pytest.raises(HikvisionError, match="size cap"):
        asm.add(Part(headers={"content-type": "text/xml"}, body=b"", oversize=True, size=10**9))


def test_unannounced_pictures_join_the_last_read() -> None:
    """Guide form of listening mode: ``Event_Type`` part then ``Picture_Name`` parts."""
    body = ALERT.replace(b"<picNum>2</picNum>", b"")
    body = body.replace(b"<pictureInfoList>", b"<x>").replace(b"</pictureInfoList>", b"</x>")
    asm = HikvisionEventAssembler(hold_unannounced=True)
    asm.add(xml_part(body))
    disposition = 'form-data; name="Picture_Name"'
    assert asm.add(image_part(**{"content-disposition": disposition})) == []
    empty = Part(headers={"content-type": "image/pjpeg", "content-id": "x"}, body=b"")
    asm.add(empty)  # Content-Length 0 picture: nothing to attach
    (read,) = asm.flush()
    assert len(read.images) == 1 and read.images[0].role is ImageRole.FULL


def test_plate_log_single_plate_root_and_status_bodies() -> None:
    (entry,) = parse_plates(b"<Plate><picName>1</picName><plateNumber>A</plateNumber></Plate>")
    assert entry.pic_name == "1"
    assert parse_response_status(b"{bad json") is None
    assert parse_response_status(b"[1, 2]") is None


def test_tracker_bounds_its_memory() -> None:
    tracker = CatchUpTracker(tz=UTC, max_recent=3)
    for n in range(10):
        tracker.note_live(PlateRead(plate=f"P{n}", time=datetime(2026, 1, 1, 0, 0, n, tzinfo=UTC)))
    assert len(tracker.recent) == 3
    assert CatchUpTracker().select([]) == []  # no cursor yet: nothing to prune
