"""ONVIF metadata parsing (spec and real fixtures, every topic variant) and the SOAP client.

The SOAP tests run ``OnvifClient`` against the emulator's real HTTP/SOAP endpoints on
127.0.0.1 (WS-Security digest checked by the emulator); the real Hikvision PullPoint answers
are served through an httpx transport, since that camera is outside the machine.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
import socket

import httpx
import pytest

from custom_components.anpr.protocols.models import CameraListVerdict, Direction, ImageRole
from custom_components.anpr.protocols.numberok import CarStateMerger
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
        b'<?xml version="1.0" encoding="TTF-8"?><a/>',  # an unknown encoding
        b"<tt:a>\x00</tt:a>",
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
def dead_port() -> Iterator[int]:
    """A loopback port bound but not listening: connections are refused while it is held."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


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
async def test_unreachable_camera(dead_port: int) -> None:
    port = dead_port
    async with httpx.AsyncClient() as http:
        client = OnvifClient(http, "127.0.0.1", port, "admin", "secret", timeout=2)
        with pytest.raises(OnvifError, match="cannot reach"):
            await client.sync_clock()


# -- more quirks -----------------------------------------------------------------------------


def test_metadata_quirks() -> None:
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0jpeg").decode()
    png = base64.b64encode(b"\x89PNG\r\n\x1a\nxx").decode()
    gif = base64.b64encode(b"GIF89a").decode()
    doc = (
        '<tt:MetadataStream xmlns:tt="http://www.onvif.org/ver10/schema">'
        '<tt:VideoAnalytics><tt:Frame UtcTime="bad time">'
        '<tt:Object ObjectId="3" Parent="1"><tt:Appearance><tt:LicensePlateInfo>'
        "<tt:PlateNumber>NO LIKELIHOOD</tt:PlateNumber><tt:Color>Yellow</tt:Color>"
        f"</tt:LicensePlateInfo><tt:Image>{jpeg}</tt:Image></tt:Appearance></tt:Object>"
        '<tt:Object ObjectId="4"><tt:Appearance><tt:LicensePlateInfo>'
        f"<tt:PlateNumber>PNG1</tt:PlateNumber></tt:LicensePlateInfo><tt:Image>{png}</tt:Image>"
        "</tt:Appearance></tt:Object>"
        '<tt:Object ObjectId="5"><tt:Appearance><tt:LicensePlateInfo><tt:PlateType>x'
        "</tt:PlateType></tt:LicensePlateInfo></tt:Appearance></tt:Object>"
        '<tt:Object ObjectId="6"><tt:Appearance><tt:LicensePlateInfo>'
        f"<tt:PlateNumber>GIF1</tt:PlateNumber></tt:LicensePlateInfo><tt:Image>{gif}</tt:Image>"
        "</tt:Appearance></tt:Object>"
        '<tt:Object ObjectId="7"><tt:Appearance><tt:LicensePlateInfo>'
        "<tt:PlateNumber>BAD64</tt:PlateNumber></tt:LicensePlateInfo><tt:Image>@@@</tt:Image>"
        '</tt:Appearance></tt:Object><tt:Object ObjectId="8"/>'
        "</tt:Frame></tt:VideoAnalytics></tt:MetadataStream>"
    )
    events = parse_plates(doc)
    assert [e.read.plate for e in events] == ["NO LIKELIHOOD", "PNG1", "GIF1", "BAD64"]
    first = events[0].read
    assert first.confidence == 1.0  # StringLikelihood without Likelihood means 100 %
    assert first.plate_colour == "Yellow"
    assert first.extra["parent_object_id"] == "1"
    assert first.images[0].content_type == "image/jpeg"
    assert events[1].read.images[0].content_type == "image/png"
    assert events[2].read.images == [] and events[3].read.images == []
    # A message without UtcTime, the object id as an element item, no topic element.
    event_doc = (
        '<tt:MetadataStream xmlns:tt="http://www.onvif.org/ver10/schema" '
        'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"><tt:Event><wsnt:NotificationMessage>'
        "<wsnt:Message><tt:Message><tt:Data>"
        '<tt:SimpleItem Name="PlateNumber" Value="NOTIME1"/>'
        '<tt:ElementItem Name="ObjectId"><tt:ObjectId>77</tt:ObjectId></tt:ElementItem>'
        "</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>"
        "<wsnt:NotificationMessage><wsnt:Message><tt:Other/></wsnt:Message>"
        "</wsnt:NotificationMessage></tt:Event></tt:MetadataStream>"
    )
    (event,) = parse_plates(event_doc)
    assert event.read.plate == "NOTIME1" and event.read.vendor_id == "77"
    assert event.topic is None
    assert parse_plates(event_doc, topic_filter=["Vehicle"]) == []


def test_filter_memory_is_bounded() -> None:
    filt = PlateEventFilter(memory=2)
    docs = [metadata_document(Plate(f"P{i}", fmt="scene", object_id=i), "c") for i in range(3)]
    for doc in docs:
        assert len(filt.filter(parse_plates(doc))) == 1
    # Object 0 was forgotten (bounded memory), so it counts as new again.
    assert len(filt.filter(parse_plates(docs[0]))) == 1


def test_time_and_duration_helpers() -> None:
    from custom_components.anpr.protocols.timestamps import parse_iso_time  # noqa: PLC0415

    assert parse_iso_time(None) is None and parse_iso_time("x") is None
    assert parse_iso_time("") is None and parse_iso_time("nope") is None
    assert parse_iso_time("2022-12-30T18:46:58") == datetime(2022, 12, 30, 18, 46, 58, tzinfo=UTC)
    assert parse_duration(None) is None and parse_duration("PT") is None


def soap(body: str) -> bytes:
    return (
        '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">'
        f"<env:Body>{body}</env:Body></env:Envelope>"
    ).encode()


@pytest.mark.parametrize(
    ("status", "content", "call", "message"),
    [
        (200, b"", "info", "empty SOAP answer"),
        (500, b"<html>oops", "info", "HTTP 500"),
        (200, b"<not xml", "info", "malformed"),
        (200, b"<x/>", "info", "without a Body"),
        (503, soap("<x/>"), "info", "HTTP 503"),
        (200, soap("<x/>"), "info", "missing its response"),
        (200, soap("<x/>"), "caps", "no Capabilities"),
        (
            200,
            soap(
                "<tds:GetCapabilitiesResponse xmlns:tds='u'><tds:Capabilities/>"
                "</tds:GetCapabilitiesResponse>"
            ),
            "profiles",
            "no Media service",
        ),
        (200, soap("<x/>"), "uri", "no Uri"),
        (200, soap("<x/>"), "create", "missing its response"),
        (200, soap("<CreatePullPointSubscriptionResponse/>"), "create", "no address"),
        (200, soap("<x/>"), "pull", "missing its response"),
        (
            400,
            soap(
                "<env:Fault><env:Code><env:Value>env:Receiver</env:Value></env:Code>"
                "<env:Reason><env:Text>busy</env:Text></env:Reason></env:Fault>"
            ),
            "info",
            "busy",
        ),
    ],
)
async def test_odd_camera_answers(status: int, content: bytes, call: str, message: str) -> None:
    from custom_components.anpr.protocols.onvif_pullpoint import Subscription  # noqa: PLC0415

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(status, content=content))
    ) as http:
        client = OnvifClient(http, "10.0.0.7", 80, "admin", "pw")
        client.media_url = None if call == "profiles" else "http://10.0.0.7/onvif/Media"
        client.events_url = "http://10.0.0.7/onvif/Events"
        calls = {
            "info": client.get_device_information,
            "caps": client.get_capabilities,
            "profiles": client.get_profiles,
            "uri": lambda: client.get_stream_uri("p"),
            "create": client.create_pull_point,
            "pull": lambda: client.pull_messages(Subscription("a", "http://10.0.0.7/s")),
        }
        with pytest.raises(OnvifError, match=message):
            await calls[call]()


async def test_odd_clock_answers_and_renew_without_time() -> None:
    from custom_components.anpr.protocols.onvif_pullpoint import Subscription  # noqa: PLC0415

    answers = [
        soap("<x/>"),
        soap("<UTCDateTime><Date/></UTCDateTime>"),
        soap(
            "<UTCDateTime><Date><Year>2024</Year><Month>13</Month><Day>1</Day></Date>"
            "<Time><Hour>0</Hour><Minute>0</Minute><Second>0</Second></Time></UTCDateTime>"
        ),
        soap("<RenewResponse/>"),
    ]
    async with httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=answers.pop(0)))
    ) as http:
        client = OnvifClient(http, "fe80::1", 80)
        assert client.base_url == "http://[fe80::1]:80"
        for _ in range(3):
            assert await client.sync_clock() is None
        sub = Subscription("a", "http://x/s")
        await client.renew(sub, termination="PT60S")
        assert sub.termination is not None
        assert 50 < (sub.termination - datetime.now(UTC)).total_seconds() <= 60


async def test_picture_answers() -> None:
    bodies = {
        "/big": (200, "image/jpeg", b"\xff\xd8" + b"0" * 2000),
        "/empty": (200, "image/jpeg", b""),
        "/octet": (200, "application/octet-stream", b"\xff\xd8jpeg"),
        "/png": (200, "text/plain", b"\x89PNGxx"),
        "/html": (200, "text/html", b"<html>"),
        "/basic": (401, "text/plain", b""),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/basic":
            if request.headers.get("authorization") == "Basic YTpi":
                return httpx.Response(200, headers={"content-type": "image/jpeg"}, content=b"ok")
            return httpx.Response(401, headers={"www-authenticate": 'Basic realm="x"'})
        if request.url.path == "/down":
            raise httpx.ConnectError("refused")
        code, ctype, data = bodies[request.url.path]
        return httpx.Response(code, headers={"content-type": ctype}, content=data)

    from custom_components.anpr.protocols.onvif_pullpoint import CameraAuth  # noqa: PLC0415

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        base = "http://cam"
        with pytest.raises(OnvifError, match="larger"):
            await fetch_picture(http, base + "/big", max_bytes=1000)
        with pytest.raises(OnvifError, match="empty"):
            await fetch_picture(http, base + "/empty")
        assert (await fetch_picture(http, base + "/octet"))[1] == "image/jpeg"
        assert (await fetch_picture(http, base + "/png"))[1] == "image/png"
        with pytest.raises(OnvifError, match="not an image"):
            await fetch_picture(http, base + "/html")
        with pytest.raises(OnvifError, match="failed"):
            await fetch_picture(http, base + "/down")
        assert (await fetch_picture(http, base + "/basic", auth=CameraAuth("a", "b")))[0] == b"ok"
        with pytest.raises(OnvifAuthError):
            await fetch_picture(http, base + "/basic", auth=CameraAuth("", ""))


@pytest.mark.enable_socket
async def test_camera_clock_far_off_is_followed_for_the_digest() -> None:
    async with OnvifCameraEmulator(clock_offset=-3 * 3600) as emu, httpx.AsyncClient() as http:
        client = OnvifClient(http, "127.0.0.1", emu.http_port, "admin", "secret")
        with pytest.raises(OnvifAuthError):  # our clock: the camera refuses the token
            await client.get_device_information()
        await client.sync_clock()
        info = await client.get_device_information()  # camera clock: accepted
        assert info.model == "ONVIF-LPR"
        sub = await client.create_pull_point(topic_filter="tns1:RuleEngine//.")
        await client.unsubscribe(sub)


def test_initialized_state_after_a_reconnection_catches_up_a_missed_plate() -> None:
    from datetime import timedelta  # noqa: PLC0415

    t0 = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)

    def doc(plate: str, minutes: int, operation: str) -> bytes:
        item = Plate(
            plate, fmt="hikvision", operation=operation, when=t0 + timedelta(minutes=minutes)
        )
        return metadata_document(item, "c")

    filt = PlateEventFilter()

    def run(*docs: bytes) -> list[str]:
        return [e.read.plate for d in docs for e in filt.filter(parse_plates(d))]

    assert run(doc("OLD", 0, "Initialized")) == []  # first connection: nothing replayed
    assert run(doc("A", 1, "Changed")) == ["A"]
    assert run(doc("A", 1, "Initialized")) == []  # reconnected, nothing missed
    (missed,) = filt.filter(parse_plates(doc("B", 5, "Initialized")))  # read while away
    assert missed.read.plate == "B" and missed.read.extra["catch_up"] is True
    assert run(doc("B", 5, "Initialized")) == []  # delivered once only
    assert run(doc("C", 2, "Initialized")) == []  # older than what we have
    assert filt.caught_up == 1


@pytest.mark.enable_socket
async def test_picture_digest_challenge_is_reused(camera: OnvifCameraEmulator) -> None:
    from custom_components.anpr.protocols.onvif_pullpoint import CameraAuth  # noqa: PLC0415

    for plate in ("P1", "P2", "P3"):
        camera.send_plate(plate, fmt="milesight")
    auth = CameraAuth("admin", "secret")
    async with httpx.AsyncClient() as http:
        for name in camera.pictures:
            url = f"http://127.0.0.1:{camera.http_port}/LPR/{name}"
            assert (await fetch_picture(http, url, auth=auth))[0] == camera.picture
    assert camera.stats.pictures_served == 3
    assert camera.stats.picture_challenges == 1  # one 401 round trip, not one per picture


@pytest.mark.enable_socket
@pytest.mark.parametrize(
    ("events", "analytics", "carries"),
    [(True, False, True), (False, True, True), (False, False, False)],
)
async def test_profiles_say_what_their_metadata_carries(
    events: bool, analytics: bool, carries: bool
) -> None:
    async with (
        OnvifCameraEmulator(metadata_events=events, metadata_analytics=analytics) as emu,
        httpx.AsyncClient() as http,
    ):
        client = OnvifClient(http, "127.0.0.1", emu.http_port, "admin", "secret")
        (lpr,) = [p for p in await client.get_profiles() if p.has_metadata]
        assert (lpr.metadata_events, lpr.metadata_analytics) == (events, analytics)
        assert lpr.carries_plates is carries
        found = await client.find_metadata_stream_uri()
        assert (found is not None) is carries
        assert await client.find_metadata_stream_uri(require_plates=False) is not None


def test_axis_lpr_application_topic() -> None:
    """AXIS LPV / FF fflprapp event shape (docs/protocols.md, "ONVIF PullPoint events")."""
    doc = (
        '<tt:MetadataStream xmlns:tt="http://www.onvif.org/ver10/schema" '
        'xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" '
        'xmlns:tnsaxis="http://www.axis.com/2009/event/topics"><tt:Event>'
        "<wsnt:NotificationMessage><wsnt:Topic "
        'Dialect="http://docs.oasis-open.org/wsn/t-1/TopicExpression/Simple">'
        "tnsaxis:CameraApplicationPlatform/LPR</wsnt:Topic><wsnt:Message>"
        '<tt:Message UtcTime="2024-04-28T13:00:00.000Z"><tt:Data>'
        '<tt:SimpleItem Name="text" Value="ABC1234"/>'
        '<tt:SimpleItem Name="country" Value="GBR"/>'
        '<tt:SimpleItem Name="carMoveDirection" Value="in"/>'
        '<tt:SimpleItem Name="carID" Value="90071992547409931"/>'
        "</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage></tt:Event>"
        "</tt:MetadataStream>"
    )
    (event,) = parse_plates(doc)
    assert event.read.plate == "ABC1234"
    assert event.read.country == "GBR"
    assert event.read.direction is Direction.IN
    assert event.read.vendor_id == "90071992547409931"  # long ids stay strings


def _alpv_doc(items: str, topic: str = "tnsaxis:CameraApplicationPlatform/ALPV.AllPlates") -> str:
    return (
        '<tt:MetadataStream xmlns:tt="http://www.onvif.org/ver10/schema">'
        '<tt:Event><wsnt:NotificationMessage xmlns:tnsaxis="http://www.axis.com/2009/event/topics"'
        ' xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2"><wsnt:Topic'
        ' Dialect="http://docs.oasis-open.org/wsn/t-1/TopicExpression/Simple">'
        f"{topic}</wsnt:Topic><wsnt:Message>"
        '<tt:Message UtcTime="2026-11-30T10:12:10.100Z" PropertyOperation="Changed">'
        '<tt:Source><tt:SimpleItem Name="channel" Value="1"/></tt:Source>'
        f"<tt:Data>{items}</tt:Data></tt:Message></wsnt:Message>"
        "</wsnt:NotificationMessage></tt:Event></tt:MetadataStream>"
    )


def test_axis_alpv_all_plates_topic() -> None:
    """``ALPV.AllPlates`` real-time event (Axis "License plate verifier API", real-time events
    table: text, country, height, width, left, top, listName, Action, consumedTime; own values)."""
    doc = _alpv_doc(
        '<tt:SimpleItem Name="text" Value="AA7690EQ"/>'
        '<tt:SimpleItem Name="country" Value="UKR"/>'
        '<tt:SimpleItem Name="height" Value="30"/><tt:SimpleItem Name="width" Value="216"/>'
        '<tt:SimpleItem Name="left" Value="480"/><tt:SimpleItem Name="top" Value="270"/>'
        '<tt:SimpleItem Name="listName" Value="Allow list"/>'
        '<tt:SimpleItem Name="Action" Value="Opened"/>'
        '<tt:SimpleItem Name="consumedTime" Value="41"/>'
    )
    # A plate topic by name: no user topic filter needed.
    assert topic_matches("tnsaxis:CameraApplicationPlatform/ALPV.AllPlates", None)
    (event,) = parse_plates(doc)
    read = event.read
    assert read.plate == "AA7690EQ"
    assert read.country == "UKR"
    assert read.camera_list is CameraListVerdict.ALLOWED
    assert read.camera_list_name == "Allow list"
    assert read.extra["plate_coordinates"] == [480.0, 270.0, 216.0, 30.0]
    assert read.extra["barrier_action"] == "Opened"
    assert read.extra["recognition_ms"] == 41.0
    assert "car_state" not in read.extra
    blocked = parse_plates(_alpv_doc(
        '<tt:SimpleItem Name="text" Value="BB1"/>'
        '<tt:SimpleItem Name="listName" Value="Block list"/>'
        '<tt:SimpleItem Name="left" Value="-1"/><tt:SimpleItem Name="top" Value="x"/>'
    ))[0].read
    assert blocked.camera_list is CameraListVerdict.ALERT
    assert "plate_coordinates" not in blocked.extra  # negative / non-numeric box: dropped
    custom = parse_plates(_alpv_doc(
        '<tt:SimpleItem Name="text" Value="CC2"/><tt:SimpleItem Name="listName" Value="Staff"/>'
    ))[0].read
    assert custom.camera_list is CameraListVerdict.NONE
    assert custom.camera_list_name == "Staff"


def test_axis_fflprapp_lifecycle_items() -> None:
    """fflprapp's ``carState``/``carID`` items mark NEW / UPDATE / LOST of one car."""
    events = [
        parse_plates(_alpv_doc(
            f'<tt:SimpleItem Name="text" Value="{plate}"/>'
            f'<tt:SimpleItem Name="carState" Value="{state}"/>'
            '<tt:SimpleItem Name="carID" Value="123"/>',
            topic="tnsaxis:CameraApplicationPlatform/LPR",
        ))[0]
        for plate, state in (("AA7690EQ", "new"), ("AA7690EQ", "updated"), ("AA7690EQ", "lost"))
    ]
    assert [e.read.extra["car_state"] for e in events] == ["new", "update", "lost"]
    assert {e.read.vendor_id for e in events} == {"123"}
    merger = CarStateMerger()
    assert [merger.feed(e.read) is not None for e in events] == [True, False, False]
