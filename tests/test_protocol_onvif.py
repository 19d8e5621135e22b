"""ONVIF metadata parsing (spec and real fixtures, every topic variant) and the SOAP client.

The SOAP tests run ``OnvifClient`` against the emulator's real HTTP/SOAP endpoints on
127.0.0.1 (WS-Security digest checked by the emulator); the real Hikvision PullPoint answers
are served through an httpx transport, since that camera is outside the machine.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from custom_components.anpr.protocols.models import Direction, ImageRole
from custom_components.anpr.protocols.onvif_metadata import (
    OnvifMetadataError,
    PlateEventFilter,
    likelihood,
    normalise_topic,
    parse_plates,
    topic_matches,
)
from custom_components.anpr.protocols.onvif_pullpoint import (
    OnvifAuthError,
    OnvifClient,
    OnvifError,
    fetch_picture,
    parse_duration,
    password_digest,
    rebase_url,
    resolve_picture_url,
)
from tools.emulators.onvif import OnvifCameraEmulator, Plate, metadata_document

FIXTURES = Path(__file__).parent / "fixtures" / "onvif"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# -- fixtures: real Hikvision PullPoint answers and ONVIF spec examples ----------------------


def test_real_hikvision_pullmessages_forward_and_reverse() -> None:
    (forward,) = parse_plates(fixture("hikvision_pullmessages_vehicle_forward.xml"))
    read = forward.read
    assert read.plate == "PP7069"
    assert read.confidence == pytest.approx(0.71)
    assert read.direction is Direction.IN
    assert read.direction_raw == "forward"
    assert read.country == "Netherlands"
    assert read.lane == 1
    assert read.time == datetime(2022, 12, 30, 15, 18, 27, tzinfo=UTC)
    assert forward.topic == "tns1:RuleEngine/VehicleDetector/tnshik:Vehicle"
    assert forward.operation == "Changed"
    assert forward.picture_uris == [
        (ImageRole.FULL, "http://192.168.84.71/doc/ui/images/plate/202212301618275900.jpg")
    ]
    (reverse,) = parse_plates(fixture("hikvision_pullmessages_vehicle_reverse.xml"))
    assert reverse.read.direction is Direction.OUT


def test_spec_license_plate_info_frame() -> None:
    (event,) = parse_plates(fixture("spec_Analytics_LicensePlateInfo_frame_example.xml"))
    read = event.read
    assert read.plate == "6DZG261"
    assert read.confidence == pytest.approx(0.9)
    assert read.country == "US"
    assert read.plate_type == "Normal"
    assert read.extra["issuing_entity"] == "California"
    assert read.vendor_id == "12"
    assert read.time == datetime(2010, 10, 20, 12, 24, 57, 321000, tzinfo=UTC)


def test_spec_examples_without_plates_parse() -> None:
    # Fragments without namespace declarations or a single root parse, and carry no plate.
    assert parse_plates(fixture("spec_Analytics_vehicle_plate_parent_frames_example.xml")) == []
    assert parse_plates(fixture("spec_Analytics_LicensePlateRecognition_RuleDescription.xml")) == []
    assert parse_plates(fixture("hikvision_createpullpoint_response.xml")) == []
    text = fixture("spec_Streaming_MetadataStream_documents_example.txt")
    documents = [b"<?xml" + part for part in text.split(b"<?xml")[1:]]
    assert len(documents) == 2
    for document in documents:
        assert parse_plates(document) == []


def test_vendor_doc_shape_without_namespace_declarations() -> None:
    """The LPR integration document's RTSP example: MetaDataStream, undeclared prefixes."""
    doc = (
        "<tt:MetaDataStream><tt:Event><wsnt:NotificationMessage>"
        '<wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">'
        "tns1:RuleEngine/LicensePlateDetector/LicensePlate</wsnt:Topic><wsnt:Message>"
        '<tt:Message UtcTime="2024-03-01T08:00:01Z" PropertyOperation="Changed"><tt:Source>'
        '<tt:SimpleItem Name="Rule" Value="MyLicensePlateDetectorRule"/></tt:Source>'
        '<tt:Key><tt:SimpleItem Name="LicensePlateResult" Value="KX21 ABC"/></tt:Key>'
        '<tt:Data><tt:SimpleItem Name="LicensePlatePicturePath" Value="/LPR/2024030108000101.jpg"/>'
        '<tt:SimpleItem Name="LicenseCarSpeed" Value="31km/h"/>'
        '<tt:SimpleItem Name="LicenseCarDirection" Value="2"/></tt:Data>'
        "</tt:Message></wsnt:Message></wsnt:NotificationMessage></tt:Event></tt:MetaDataStream>"
    )
    (event,) = parse_plates(doc)
    assert event.read.plate == "KX21 ABC"
    assert event.read.speed == 31.0
    assert event.read.direction is Direction.OUT
    assert event.read.extra["rule"] == "MyLicensePlateDetectorRule"
    assert event.picture_uris == [(ImageRole.FULL, "/LPR/2024030108000101.jpg")]


# -- every topic variant, as the emulator sends them -----------------------------------------


@pytest.mark.parametrize(
    ("fmt", "direction", "confidence", "role"),
    [
        ("milesight", Direction.IN, None, ImageRole.FULL),
        ("hikvision", Direction.IN, 0.71, ImageRole.FULL),
        ("onvif", Direction.IN, 0.93, ImageRole.PLATE),
        ("scene", Direction.UNKNOWN, 0.9, ImageRole.PLATE),
    ],
)
def test_topic_variants(
    fmt: str, direction: Direction, confidence: float | None, role: ImageRole
) -> None:
    doc = metadata_document(Plate("AB12 CDE", fmt=fmt, picture_name="p.jpg"), "cam:80")
    (event,) = parse_plates(doc)
    assert event.read.plate == "AB12 CDE"
    assert event.read.direction is direction
    assert event.read.confidence == (pytest.approx(confidence) if confidence else None)
    assert [r for r, _ in event.picture_uris] == [role]
    assert event.picture_uris[0][1].endswith("/p.jpg")


def test_root_spelling_and_item_case() -> None:
    doc = metadata_document(Plate("X1", fmt="hikvision"), "c", root="MetaDataStream")
    doc = doc.replace(b'Name="PlateNumber"', b'Name="platenumber"')
    assert [e.read.plate for e in parse_plates(doc)] == ["X1"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0.9", 0.9), ("71", 0.71), ("1000", 1.0), ("875", 0.875), ("", None), ("x", None)],
)
def test_likelihood_scales(raw: str, expected: float | None) -> None:
    assert likelihood(raw) == (pytest.approx(expected) if expected is not None else None)


def test_property_operations_and_scene_dedupe() -> None:
    filt = PlateEventFilter()
    initialized = metadata_document(Plate("OLD", fmt="hikvision", operation="Initialized"), "c")
    deleted = metadata_document(Plate("GONE", fmt="hikvision", operation="Deleted"), "c")
    changed = metadata_document(Plate("NEW", fmt="hikvision"), "c")
    assert [
        e.read.plate for d in (initialized, deleted, changed) for e in filt.filter(parse_plates(d))
    ] == ["NEW"]
    assert filt.skipped_initialized == 1
    # The same tracked object in many frames is one read; a new text for it is another.
    frames = [metadata_document(Plate("SC1", fmt="scene", object_id=5), "c") for _ in range(3)]
    frames.append(metadata_document(Plate("SC1X", fmt="scene", object_id=5), "c"))
    plates = [e.read.plate for d in frames for e in filt.filter(parse_plates(d))]
    assert plates == ["SC1", "SC1X"]


def test_topic_filter() -> None:
    hik = metadata_document(Plate("H1", fmt="hikvision"), "c")
    mile = metadata_document(Plate("M1", fmt="milesight"), "c")
    only = ["RuleEngine/LicensePlateDetector/LicensePlate"]
    assert [e.read.plate for e in parse_plates(hik, topic_filter=only)] == []
    assert [e.read.plate for e in parse_plates(mile, topic_filter=only)] == ["M1"]
    assert topic_matches("tns1:RuleEngine/VehicleDetector/tnshik:Vehicle", ["*Vehicle*"])
    assert normalise_topic("tns1:RuleEngine/ VehicleDetector/tnshik:Vehicle") == (
        "ruleengine/vehicledetector/vehicle"
    )
    # A motion topic is never a plate, even with a plate-like item.
    motion = hik.replace(
        b"tns1:RuleEngine/VehicleDetector/tnshik:Vehicle", b"tns1:VideoSource/MotionAlarm"
    )
    assert parse_plates(motion) == []


def test_inline_picture_and_no_plate_data() -> None:
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 20 + b"\xff\xd9"
    doc = metadata_document(Plate("IMG1", fmt="onvif"), "c").replace(
        b"</tt:Data>",
        b'<tt:ElementItem Name="Image"><tt:Image>'
        + base64.b64encode(jpeg)
        + b"</tt:Image></tt:ElementItem></tt:Data>",
    )
    (event,) = parse_plates(doc)
    assert event.read.image(ImageRole.PLATE) is not None
    assert event.read.images[0].data == jpeg
    # A Hikvision vehicle event with an empty Data element carries no plate: skipped.
    empty = metadata_document(Plate("X", fmt="hikvision"), "c")
    start, end = empty.index(b"<tt:Data>"), empty.index(b"</tt:Data>")
    assert parse_plates(empty[:start] + b"<tt:Data/>" + empty[end + 10 :]) == []


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"<tt:MetadataStream><unclosed>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><x>&b;</x>',
        b"<a>" + b"x" * (9 * 1024 * 1024) + b"</a>",
    ],
)
def test_bad_xml_raises_only_the_protocol_error(bad: bytes) -> None:
    with pytest.raises(OnvifMetadataError):
        parse_plates(bad)


# -- SOAP helpers ----------------------------------------------------------------------------


def test_soap_helpers() -> None:
    # WS-Security UsernameToken digest (OASIS profile): Base64(SHA1(nonce + created + pwd)).
    assert password_digest(b"\x00" * 16, "2024-01-01T00:00:00Z", "pw") == (
        "xbK05Xmd6IP0JQvOejRFNu+sDBM="
    )
    assert parse_duration("PT300S") == 300
    assert parse_duration("PT1M30S") == 90
    assert parse_duration("P1DT1H") == 90000
    assert parse_duration("junk") is None
    assert rebase_url("http://192.168.0.9/onvif/Events/Sub_1?x=1", "http://10.1.1.1:8080") == (
        "http://10.1.1.1:8080/onvif/Events/Sub_1?x=1"
    )
    assert resolve_picture_url("/LPR/1.jpg", "http://h:81") == "http://h:81/LPR/1.jpg"
    assert resolve_picture_url("LPR/1.jpg", "http://h:81") == "http://h:81/LPR/1.jpg"
    assert resolve_picture_url("http://x/y.jpg", "http://h:81") == "http://x/y.jpg"


async def test_real_hikvision_answers_through_the_client() -> None:
    """The client reads the real CreatePullPoint/PullMessages answers of a Hikvision camera."""
    answers = {
        "CreatePullPointSubscription": fixture("hikvision_createpullpoint_response.xml"),
        "PullMessages": fixture("hikvision_pullmessages_vehicle_forward.xml"),
    }
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = request.content.decode()
        seen.append(str(request.url))
        for op, answer in answers.items():
            if f"<tev:{op}>" in body or f"<tev:{op} " in body:
                assert "wsse:UsernameToken" in body
                return httpx.Response(200, content=answer)
        return httpx.Response(500)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = OnvifClient(http, "10.0.0.7", 80, "admin", "pw")
        client.events_url = "http://10.0.0.7:80/onvif/Events"
        sub = await client.create_pull_point()
        assert sub.address.endswith("PullSubManager_2022-12-30T18:43:58Z_6")
        assert sub.url == "http://10.0.0.7:80/onvif/Events/PullSubManager_2022-12-30T18:43:58Z_6"
        assert sub.termination == datetime(2022, 12, 30, 18, 46, 58, tzinfo=UTC)
        body = await client.pull_messages(sub, wait=1)
        assert [e.read.plate for e in parse_plates(body)] == ["PP7069"]
    assert httpx.URL(seen[-1]) == httpx.URL(sub.url)


# -- SOAP against the emulator ---------------------------------------------------------------


@pytest.fixture
async def camera() -> AsyncIterator[OnvifCameraEmulator]:
    emulator = OnvifCameraEmulator()
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.mark.enable_socket
async def test_device_media_and_pullpoint(camera: OnvifCameraEmulator) -> None:
    async with httpx.AsyncClient() as http:
        client = OnvifClient(http, "127.0.0.1", camera.http_port, "admin", "secret")
        assert await client.sync_clock() is not None
        info = await client.get_device_information()
        assert (info.manufacturer, info.serial_number) == ("Emulated", "EMU0001")
        profiles = await client.get_profiles()
        assert [p.token for p in profiles if p.has_metadata] == ["Profile_LPR"]
        # The camera reports its services on another address: we use the configured host.
        assert client.media_url == f"http://127.0.0.1:{camera.http_port}/onvif/Media"
        uri = await client.find_metadata_stream_uri()
        assert uri == f"{camera.rtsp_url}?profile=Profile_LPR"

        camera.send_plate("OLD1", fmt="hikvision")  # current state before subscribing
        sub = await client.create_pull_point()
        assert sub.url.startswith(f"http://127.0.0.1:{camera.http_port}/onvif/Events/")
        camera.send_plate("NEW2", fmt="hikvision", direction="reverse", likelihood="1000")
        filt = PlateEventFilter()
        body = await client.pull_messages(sub, wait=2)
        events = filt.filter(parse_plates(body))
        assert [e.read.plate for e in events] == ["NEW2"]  # Initialized OLD1 not replayed
        assert events[0].read.direction is Direction.OUT
        assert events[0].read.confidence == 1.0
        empty = await client.pull_messages(sub, wait=1)  # long poll times out empty
        assert parse_plates(empty) == []
        await client.renew(sub)
        assert sub.termination is not None and sub.termination > datetime.now(UTC)

        url = resolve_picture_url(events[0].picture_uri or "", client.base_url)
        url = rebase_url(url, client.base_url)
        data, content_type = await fetch_picture(http, url, auth=client.http_auth)
        assert data == camera.picture and content_type == "image/jpeg"
        await client.unsubscribe(sub)
    assert camera.stats.subscriptions == 1
    assert camera.stats.renewals == 1
    assert camera.stats.unsubscribes == 1
    assert camera.stats.pictures_served == 1


@pytest.mark.enable_socket
async def test_pull_forever_renews(camera: OnvifCameraEmulator) -> None:
    async with httpx.AsyncClient() as http:
        client = OnvifClient(http, "127.0.0.1", camera.http_port, "admin", "secret")
        sub = await client.create_pull_point()
        pulls = 0
        async for _body in client.pull_forever(sub, pull_timeout=0.1, renew_every=0.0):
            pulls += 1
            if pulls == 3:
                break
        await client.unsubscribe(sub)
    assert camera.stats.renewals == 3


@pytest.mark.enable_socket
async def test_wrong_password_is_an_auth_error(camera: OnvifCameraEmulator) -> None:
    async with httpx.AsyncClient() as http:
        client = OnvifClient(http, "127.0.0.1", camera.http_port, "admin", "nope")
        await client.sync_clock()  # unauthenticated by spec: still works
        with pytest.raises(OnvifAuthError):
            await client.get_device_information()
        with pytest.raises(OnvifAuthError):
            await client.create_pull_point()
        camera.send_plate("PIC1", fmt="milesight")
        name = next(iter(camera.pictures))
        with pytest.raises(OnvifAuthError):
            await fetch_picture(
                http, f"http://127.0.0.1:{camera.http_port}/LPR/{name}", auth=client.http_auth
            )
        with pytest.raises(OnvifError):  # not found
            await fetch_picture(http, f"http://127.0.0.1:{camera.http_port}/LPR/none.jpg")
    assert camera.stats.soap_auth_failures >= 1


@pytest.mark.enable_socket
async def test_unreachable_camera() -> None:
    async with OnvifCameraEmulator() as emu:
        port = emu.http_port
    async with httpx.AsyncClient() as http:
        client = OnvifClient(http, "127.0.0.1", port, "admin", "secret", timeout=2)
        with pytest.raises(OnvifError, match="cannot reach"):
            await client.sync_clock()
