"""File-name parsing for the folder source (docs/protocols.md, "Folder uploads (file names)")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from custom_components.anpr.protocols.filename import (
    MAX_NAME_LENGTH,
    PRESET_REGEX,
    FilenameError,
    FilenamePattern,
    Preset,
    has_image_extension,
    load_time_zone,
    parse_compact_time,
)
from custom_components.anpr.protocols.models import ProtocolError


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


CUSTOM_TABLE = [
    # name, time zone, plate, UTC time, extra fields
    (
        "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg",
        "Europe/London",  # BST, UTC+1
        "B4DM3N",
        utc(2025, 6, 2, 9, 30, 45, 407000),
        {"event": "VEHICLE_DETECTION", "ext": "jpg"},
    ),
    (
        "20200821153229331_CA5402AO_VEHICLE_DETECTION.jpg",
        "UTC",
        "CA5402AO",
        utc(2020, 8, 21, 15, 32, 29, 331000),
        {"event": "VEHICLE_DETECTION", "ext": "jpg"},
    ),
    (  # anpr2mqtt README example
        "20180502174029596_A2GEO_VEHICLE_DETECTION.jpg",
        "Europe/London",
        "A2GEO",
        utc(2018, 5, 2, 16, 40, 29, 596000),
        {"event": "VEHICLE_DETECTION", "ext": "jpg"},
    ),
    (  # plate with "-"
        "20200821153229331_549-A8_VEHICLE_DETECTION.jpg",
        "UTC",
        "549-A8",
        utc(2020, 8, 21, 15, 32, 29, 331000),
        {"event": "VEHICLE_DETECTION", "ext": "jpg"},
    ),
    (  # 19-digit time: ms + two-digit sequence, .jpeg; GMT in November
        "2024110312013232013_P99JHG_VEHICLE_DETECTION.jpeg",
        "Europe/London",
        "P99JHG",
        utc(2024, 11, 3, 12, 1, 32, 320000),
        {"event": "VEHICLE_DETECTION", "ext": "jpeg", "sequence": "13"},
    ),
    (  # lower case plate and upper-case extension, png
        "20250602103045407_b4dm3n_vehicle_detection.PNG",
        "UTC",
        "b4dm3n",
        utc(2025, 6, 2, 10, 30, 45, 407000),
        {"event": "vehicle_detection", "ext": "PNG"},
    ),
    (  # non-ASCII plate
        "20250602103045407_粤MTU952_VEHICLE_DETECTION.jpg",
        "Asia/Shanghai",
        "粤MTU952",
        utc(2025, 6, 2, 2, 30, 45, 407000),
        {"event": "VEHICLE_DETECTION", "ext": "jpg"},
    ),
    (  # no plate read
        "20250602103045407_VEHICLE_DETECTION.jpg",
        "UTC",
        "",
        utc(2025, 6, 2, 10, 30, 45, 407000),
        {"event": "VEHICLE_DETECTION", "ext": "jpg"},
    ),
    (  # "unknown" sentinel in the plate position is no plate
        "20250602103045407_unknown_VEHICLE_DETECTION.jpg",
        "UTC",
        "",
        utc(2025, 6, 2, 10, 30, 45, 407000),
        {"event": "VEHICLE_DETECTION", "ext": "jpg"},
    ),
]


@pytest.mark.parametrize(("name", "tz", "plate", "when", "fields"), CUSTOM_TABLE)
def test_hikvision_custom(
    name: str, tz: str, plate: str, when: datetime, fields: dict[str, str]
) -> None:
    parsed = FilenamePattern.from_preset(Preset.HIKVISION_CUSTOM, tz).parse(name)
    assert parsed.plate == plate
    assert parsed.has_plate is bool(plate)
    assert parsed.time == when
    assert parsed.time is not None and parsed.time.tzinfo is UTC
    assert parsed.fields == fields


def test_milliseconds_are_milliseconds_not_microseconds() -> None:
    """anpr2mqtt turns …45407 into :45.000407; the capture was at :45.407."""
    parsed = FilenamePattern.from_preset("hikvision_custom", "UTC").parse(
        "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg"
    )
    assert parsed.time is not None
    assert parsed.time.second == 45
    assert parsed.time.microsecond == 407_000
    assert parsed.time_raw == "20250602103045407"


def test_hikvision_default_has_no_plate() -> None:
    pattern = FilenamePattern.from_preset(Preset.HIKVISION_DEFAULT, "Europe/Berlin")
    parsed = pattern.parse("192.168.10.11_01_20211223100318344_VEHICLE_DETECTION.jpg")
    assert parsed.plate == ""
    assert not parsed.has_plate
    assert parsed.time == utc(2021, 12, 23, 9, 3, 18, 344000)  # CET, UTC+1
    assert parsed.fields == {
        "ip": "192.168.10.11",
        "channel": "01",
        "event": "VEHICLE_DETECTION",
        "ext": "jpg",
    }
    # 19-digit time in the default rule too
    parsed = pattern.parse("10.0.0.2_2_2024110312013232013_VEHICLE_DETECTION.jpeg")
    assert parsed.time == utc(2024, 11, 3, 11, 1, 32, 320000)
    assert parsed.fields["sequence"] == "13"


@pytest.mark.parametrize(
    "name",
    [
        "B4DM3N.jpg",
        "20250602103045407_B4DM3N_VEHICLE_DETECTION.gif",
        "20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg.tmp",
        "2025060210304540_B4DM3N_VEHICLE_DETECTION.jpg",  # 16 digits
        "202506021030454071_B4DM3N_VEHICLE_DETECTION.jpg",  # 18 digits
        "20250602103045407_B4DM3N_LINE_CROSSING.jpg",
        ".pureftpd-upload.5f3a.20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg",
        "",
    ],
)
def test_unmatched_names(name: str) -> None:
    with pytest.raises(FilenameError, match="does not match"):
        FilenamePattern.from_preset(Preset.HIKVISION_CUSTOM, "UTC").parse(name)


@pytest.mark.parametrize(
    "name",
    [
        "20251302103045407_B4DM3N_VEHICLE_DETECTION.jpg",  # month 13
        "20250230103045407_B4DM3N_VEHICLE_DETECTION.jpg",  # 30 February
        "20250602253045407_B4DM3N_VEHICLE_DETECTION.jpg",  # hour 25
        "2024110399999932013_P99JHG_VEHICLE_DETECTION.jpeg",
    ],
)
def test_impossible_times(name: str) -> None:
    with pytest.raises(FilenameError, match="not a valid date"):
        FilenamePattern.from_preset(Preset.HIKVISION_CUSTOM, "UTC").parse(name)


def test_errors_are_protocol_errors() -> None:
    assert issubclass(FilenameError, ProtocolError)


def test_name_length_cap() -> None:
    name = "20250602103045407_" + "A" * MAX_NAME_LENGTH + "_VEHICLE_DETECTION.jpg"
    with pytest.raises(FilenameError, match="longer than"):
        FilenamePattern.from_preset(Preset.HIKVISION_CUSTOM, "UTC").parse(name)


def test_free_regex_named_groups() -> None:
    pattern = FilenamePattern(
        r"(?P<camera>[a-z]+)-(?P<dt>\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})-(?P<target>[A-Z0-9]+)\.jpg",
        "America/New_York",
    )
    parsed = pattern.parse("gate-2025-01-15_08-00-05-AB12CDE.jpg")
    assert parsed.plate == "AB12CDE"
    assert parsed.time == utc(2025, 1, 15, 13, 0, 5)  # EST, UTC-5
    assert parsed.fields == {"camera": "gate"}


def test_free_regex_anpr2mqtt_default_still_works() -> None:
    """anpr2mqtt's own default (dt/target/event/ext) is a valid custom pattern."""
    regex = (
        r"(?P<dt>[0-9]{17})_(?P<target>[A-Z0-9]+)_(?P<event>VEHICLE_DETECTION)"
        r"\.(?P<ext>jpg|png|gif|jpeg)"
    )
    parsed = FilenamePattern.from_preset(Preset.CUSTOM, "UTC", regex).parse(
        "20180502174029596_A2GEO_VEHICLE_DETECTION.jpg"
    )
    assert parsed.plate == "A2GEO"
    assert parsed.time == utc(2018, 5, 2, 17, 40, 29, 596000)
    assert parsed.fields == {"event": "VEHICLE_DETECTION", "ext": "jpg"}


def test_free_regex_without_time_or_plate() -> None:
    parsed = FilenamePattern(r"(?P<plate>[A-Z0-9]+)\.jpg").parse("AB12CDE.jpg")
    assert parsed.plate == "AB12CDE"
    assert parsed.time is None
    parsed = FilenamePattern(r"(?P<time>\d{14})\.jpg").parse("20250602103045.jpg")
    assert parsed.plate == ""
    assert parsed.time == utc(2025, 6, 2, 10, 30, 45)


@pytest.mark.parametrize(
    ("regex", "message"),
    [
        (r"(?P<plate>[A-Z", "invalid regular expression"),
        (r"(\d{17})_([A-Z0-9]+)\.jpg", "needs a named group"),
    ],
)
def test_bad_regex(regex: str, message: str) -> None:
    with pytest.raises(FilenameError, match=message):
        FilenamePattern(regex)


def test_custom_preset_needs_regex_and_unknown_preset() -> None:
    with pytest.raises(FilenameError, match="needs a regular expression"):
        FilenamePattern.from_preset(Preset.CUSTOM, "UTC")
    with pytest.raises(FilenameError, match="unknown file-name preset"):
        FilenamePattern.from_preset("dahua", "UTC")


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "../etc/passwd"])
def test_bad_time_zone(zone: str) -> None:
    with pytest.raises(FilenameError):
        load_time_zone(zone)
    with pytest.raises(FilenameError):
        FilenamePattern.from_preset(Preset.HIKVISION_CUSTOM, zone)


def test_compact_time_lengths_and_dst() -> None:
    zone = load_time_zone("Europe/London")
    assert parse_compact_time("20250602103045", zone) == (utc(2025, 6, 2, 9, 30, 45), None)
    assert parse_compact_time("2025-06-02T10:30:45.407", zone)[0] == utc(
        2025, 6, 2, 9, 30, 45, 407000
    )
    # ambiguous hour at the end of BST resolves to the first (BST) occurrence
    assert parse_compact_time("20251026013000000", zone)[0] == utc(2025, 10, 26, 0, 30)
    for bad in (
        "2025060210304",
        "202506021030454",
        "abcdefghijklmnopq",
        "".join(chr(0xFF10 + int(c)) for c in "20250602103045"),  # full-width digits
    ):
        with pytest.raises(FilenameError):
            parse_compact_time(bad, zone)


def test_has_image_extension() -> None:
    assert has_image_extension("a.JPG")
    assert has_image_extension("a.jpeg")
    assert has_image_extension("a.png")
    assert not has_image_extension("a.jpg.part")
    assert not has_image_extension("jpg")
    assert set(PRESET_REGEX) == {Preset.HIKVISION_CUSTOM, Preset.HIKVISION_DEFAULT}
