"""Dahua ITC parsing (protocols/dahua.py): the fixture's wire bytes and our own variants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import json
from pathlib import Path

import pytest

from custom_components.anpr.protocols.dahua import (
    DahuaError,
    DahuaEvent,
    DahuaEventAssembler,
    event_manager_path,
    event_to_read,
    is_heartbeat,
    parse_code_events,
    parse_flat_events,
    parse_key_values,
    snap_manager_path,
)
from custom_components.anpr.protocols.models import Direction, ImageRole
from custom_components.anpr.protocols.multipart import (
    MultipartStreamParser,
    Part,
    boundary_from_content_type,
)
from tools.emulators.dahua import DahuaEmulator, Quirks
from tools.emulators.hikvision import TINY_JPEG

WIRE = (
    Path(__file__).parent / "fixtures/dahua/eventManager_attach_TrafficJunction_reconstructed.wire"
)


def text(body: bytes, **headers: str) -> Part:
    return Part(headers={"content-type": "text/plain", **headers}, body=body, size=len(body))


def jpeg(body: bytes = TINY_JPEG, **headers: str) -> Part:
    return Part(headers={"content-type": "image/jpeg", **headers}, body=body, size=len(body))


def fixture_parts(chunk: int | None = None) -> list[Part]:
    head, _, body = WIRE.read_bytes().partition(b"\r\n\r\n")
    content_type = next(
        line.split(b":", 1)[1].decode()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-type")
    )
    parser = MultipartStreamParser(boundary_from_content_type(content_type))
    if chunk is None:
        return parser.feed(body)
    parts: list[Part] = []
    for i in range(0, len(body), chunk):
        parts.extend(parser.feed(body[i : i + chunk]))
    return parts


@pytest.mark.parametrize("chunk", [None, 1, 7, 100])
def test_fixture_wire_bytes(chunk: int | None) -> None:
    """The recorded eventManager answer, whole or split at any byte."""
    parts = fixture_parts(chunk)
    assembler = DahuaEventAssembler(with_pictures=False)
    reads = [read for part in parts for read in assembler.add(part)]
    assert len(reads) == 1
    read = reads[0]
    assert read.plate == "AB12CDE"
    assert read.time == datetime(2024, 6, 14, 14, 4, 36, 372000, tzinfo=UTC)
    assert read.direction is Direction.IN and read.direction_raw == "Obverse"
    assert (read.plate_colour, read.plate_type) == ("Yellow", "Normal")
    assert read.vehicle_colour == "White"
    assert read.lane == 1 and read.country == "GBR"
    assert read.plate_box == pytest.approx((3000 / 8192, 4000 / 8192, 600 / 8192, 300 / 8192))
    assert read.vendor_id == "1.0"
    assert assembler.stats.heartbeats == 1  # the last one waits for the next delimiter


def test_flat_events_with_picture() -> None:
    emu = DahuaEmulator(quirks=Quirks())
    data = emu.event_data("XY99ZZZ", junction="Reverse", confidence=88, lane=2)
    body = emu.flat_text([("TrafficJunction", data)])
    (event,) = parse_flat_events(body)
    assert event.code == "TrafficJunction" and event.action == "Pulse"
    assert event.data["TrafficCar"]["DrivingDirection"] == ["Approach", "", ""]
    assembler = DahuaEventAssembler(obverse=Direction.OUT)
    assert assembler.add(text(body)) == []
    assert assembler.has_pending
    leaky = jpeg(TINY_JPEG + b"\r\nleak", **{"content-length": str(len(TINY_JPEG))})
    (read,) = assembler.add(leaky)
    assert read.plate == "XY99ZZZ" and read.direction is Direction.IN  # Reverse, obverse = out
    assert read.confidence == pytest.approx(0.88) and read.lane == 2 and read.speed == 23
    image = read.image(ImageRole.FULL)
    assert image is not None and image.data == TINY_JPEG
    assert not assembler.has_pending


def test_several_events_per_part_and_held_reads() -> None:
    emu = DahuaEmulator()
    events = [("TrafficJunction", emu.event_data(p)) for p in ("AAA1", "BBB2")]
    assembler = DahuaEventAssembler()
    assert assembler.add(text(emu.flat_text(events))) == []
    # The next text part delivers the held reads without a picture, then waits itself.
    first = assembler.add(text(emu.flat_text([("TrafficJunction", emu.event_data("CCC3"))])))
    assert [r.plate for r in first] == ["AAA1", "BBB2"] and first[0].images == []
    assert [r.plate for r in assembler.add(text(b"Heartbeat\r\n"))] == ["CCC3"]
    assert assembler.flush() == []
    many = parse_code_events(emu.code_text(events))
    assert [e.data["TrafficCar"]["PlateNumber"] for e in many] == ["AAA1", "BBB2"]


def test_sentinels_and_non_vehicle_events() -> None:
    assembler = DahuaEventAssembler(with_pictures=False)
    for plate in ("unlicensed", "--", "unknown", "null", ""):
        data = json.dumps({"TrafficCar": {"PlateNumber": plate}})
        body = f"Code=TrafficJunction;action=Pulse;index=0;data={data}"
        assert assembler.add(text(body.encode())) == []
    assert assembler.stats.no_plate == 5
    assert assembler.add(text(b"Code=VideoMotion;action=Start;index=0")) == []
    assert assembler.add(text(b"Code=TrafficJunction;action=Stop;index=0;data={}")) == []
    assert assembler.add(text(b"Code=TrafficJunction;action=Pulse;index=0;data={}")) == []
    assert assembler.stats.other_events == 3
    assert assembler.add(text(b"  \r\n")) == []
    assert assembler.add(jpeg()) == []  # no event waiting for it
    assert assembler.stats.orphan_pictures == 1


def test_bad_parts_raise_and_keep_held_reads() -> None:
    assembler = DahuaEventAssembler()
    with pytest.raises(DahuaError, match="not JSON"):
        assembler.add(text(b"Code=TrafficJunction;action=Pulse;index=0;data={oops"))
    with pytest.raises(DahuaError, match="not a JSON object"):
        assembler.add(text(b"Code=TrafficJunction;action=Pulse;index=0;data=[1]"))
    with pytest.raises(DahuaError, match="no Events"):
        assembler.add(text(b"hello"))
    with pytest.raises(DahuaError, match="unreadable key"):
        assembler.add(text(b"Events[0].=x"))
    with pytest.raises(DahuaError, match="size cap"):
        assembler.add(Part(headers={}, body=b"", oversize=True, size=10**9))
    with pytest.raises(DahuaError, match="exceeds"):
        parse_flat_events(b"x" * (300 * 1024))
    with pytest.raises(DahuaError, match="no Code"):
        parse_code_events(b"nothing")
    held = b"Events[0].EventBaseInfo.Code=TrafficJunction\nEvents[0].TrafficCar.PlateNumber=KEEP1"
    assert assembler.add(text(held)) == []
    # A broken part after a held read still delivers that read.
    (read,) = assembler.add(text(b"garbage"))
    assert read.plate == "KEEP1"
    assert assembler.stats.bad_parts == 6


def test_field_variants() -> None:
    """Lower-case firmware keys, Plate.Text, Object-only events, LocaleTime, odd values."""
    read = event_to_read(
        DahuaEvent("TrafficJunction", "Pulse", 0, {
            "trafficCar": {"plateNumber": "LOW1", "DrivingDirection": ["Leave", "", ""],
                           "Lane": "3", "Speed": "nan"},
            "LocaleTime": "2024-06-14 15:04:36",
            "Object": {"BoundingBox": [10, 10, 5, 5]},
        }),
        tz=timezone(timedelta(hours=1)),
    )
    assert read is not None and read.plate == "LOW1"
    assert read.direction is Direction.OUT and read.direction_raw == "Leave"
    assert read.lane == 3 and read.speed is None and read.plate_box is None
    assert read.time == datetime(2024, 6, 14, 14, 4, 36, tzinfo=UTC)
    obj = event_to_read(DahuaEvent("TrafficJunction", "Pulse", 0, {
        "Object": {"ObjectType": "Plate", "Text": "OBJ1", "Confidence": 70,
                   "BoundingBox": [0, 0, "x", 1]},
        "VehicleDirection": "Tail", "LocaleTime": "yesterday", "UTC": "-5",
    }))
    assert obj is not None and obj.plate == "OBJ1" and obj.confidence == pytest.approx(0.7)
    assert obj.direction is Direction.OUT and obj.plate_box is None
    plate = event_to_read(DahuaEvent("TrafficJunction", "Pulse", 0, {
        "Plate": {"Text": "PLT1", "Confidence": 55}, "TrafficCar": {"VehicleDirection": "Head"},
        "CommInfo": {"Country": "DEU"}, "JunctionDirection": "Sideways",
        "Vehicle": {"Category": "Bus"}, "Lane": True,
    }))
    assert plate is not None and plate.plate == "PLT1" and plate.confidence == pytest.approx(0.55)
    assert plate.direction is Direction.IN and plate.country == "DEU"
    assert plate.vehicle_type == "Bus" and plate.lane is None
    approach = event_to_read(DahuaEvent("TrafficJunction", "Pulse", 0, {
        "TrafficCar": {"PlateNumber": "APP1", "DrivingDirection": ["Approach"]},
    }))
    assert approach is not None and approach.direction is Direction.IN
    unknown = event_to_read(DahuaEvent("TrafficJunction", "Pulse", 0, {
        "PlateNumber": "TOP1", "TrafficCar": {"DrivingDirection": "Sideways"},
        "VehicleDirection": "Side",
    }))
    assert unknown is not None and unknown.direction is Direction.UNKNOWN
    assert unknown.direction_raw == "Sideways"
    none = event_to_read(DahuaEvent("TrafficJunction", "Pulse", 0, {
        "TrafficCar": "oops", "Object": [], "Vehicle": "x", "GroupID": {"a": 1},
    }))
    assert none is None
    odd = event_to_read(DahuaEvent("TrafficJunction", "Pulse", 0, {
        "TrafficCar": {"PlateNumber": "ODD1", "Lane": "x"}, "Object": {"BoundingBox": "0,0"},
    }))
    assert odd is not None and odd.lane is None and odd.plate_box is None


def test_flat_text_odd_lines_and_gb18030() -> None:
    body = (
        "Events[0].EventBaseInfo.Code=TrafficJunction\r\n"
        "no equals sign here\r\n"
        "Other.Key=1\r\n"
        "Events[0].TrafficCar.PlateNumber=粤MTU952\r\n"
        "Events[0].Object=flat\r\n"
        "Events[0].Object.Text=replaced\r\n"
        "Events[1]=scalar\r\n"
    ).encode("gb18030")
    events = parse_flat_events(body)
    assert len(events) == 1
    assert events[0].data["TrafficCar"]["PlateNumber"] == "粤MTU952"
    assert events[0].data["Object"] == {"Text": "replaced"}
    wide = parse_flat_events(b"Events[0].EventBaseInfo.Code=TrafficJunction\nEvents[0].A[100]=x")
    assert wide[0].data["A"] == ["x"]


def test_helpers() -> None:
    assert is_heartbeat(b"Heartbeat\r\n") and is_heartbeat(b"  heartbeat")
    assert not is_heartbeat(b"HeartbeatX") and not is_heartbeat(b"Code=Heartbeat")
    assert parse_key_values(b"deviceType=ITC\r\nbad line\r\n=x\r\nserialNumber = 1 \r\n") == {
        "deviceType": "ITC", "serialNumber": "1",
    }
    assert snap_manager_path(2, 30, ["TrafficJunction"]) == (
        "/cgi-bin/snapManager.cgi?action=attachFileProc&Flags[0]=Event"
        "&Events=[TrafficJunction]&channel=2&heartbeat=30"
    )
    assert event_manager_path(5) == (
        "/cgi-bin/eventManager.cgi?action=attach&codes=[TrafficJunction,TrafficManualSnap]"
        "&heartbeat=5"
    )
