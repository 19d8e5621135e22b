"""The shared camera timestamp parser (protocols/timestamps.py), every variant it reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from custom_components.anpr.protocols.timestamps import (
    parse_epoch_digits,
    parse_iso,
    parse_iso_time,
    to_utc,
)

NOON = datetime(2020, 4, 24, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-04-24T12:00:00Z", NOON),
        ("2020-04-24T12:00:00z", NOON),
        ("2020-04-24T14:00:00+02:00", NOON),
        ("2020-04-24T14:00:00+0200", NOON),
        ("2020-04-24T14:00:00+02", NOON),
        ("2020-04-24T10:30:00-01:30", NOON),
        ("2020-04-24T12:00:00-0000", NOON),
        ("2020-04-24 12:00:00Z", NOON),
        ("2020-04-24 14:00:00 +02:00", NOON),
        ("20200424T120000Z", NOON),
        ("20200424T140000+0200", NOON),
        ("  2020-04-24T12:00:00Z \n", NOON),
        ("2020-04-24T12:00:00.5Z", NOON.replace(microsecond=500_000)),
        ("2020-04-24T12:00:00,5Z", NOON.replace(microsecond=500_000)),
        ("2020-04-24T12:00:00.123Z", NOON.replace(microsecond=123_000)),
        ("2020-04-24T12:00:00.123456Z", NOON.replace(microsecond=123_456)),
        ("2020-04-24T12:00:00.123456789Z", NOON.replace(microsecond=123_456)),
        ("2020-04-24", datetime(2020, 4, 24, tzinfo=UTC)),
    ],
)
def test_iso_forms(text: str, expected: datetime) -> None:
    """Z or z, ±hh:mm, ±hhmm, ±hh, space or T, basic format, any fraction, white space."""
    parsed = parse_iso_time(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


def test_naive_times_are_read_in_the_given_zone() -> None:
    """No offset: UTC by default, else the camera's zone; an explicit offset wins over it."""
    assert parse_iso_time("2020-04-24T12:00:00") == NOON
    assert parse_iso_time("2020-04-24 21:00:00", ZoneInfo("Asia/Tokyo")) == NOON
    assert parse_iso_time("2020-04-24T07:00:00", timezone(timedelta(hours=-5))) == NOON
    assert parse_iso_time("2020-04-24T12:00:00Z", ZoneInfo("Asia/Tokyo")) == NOON


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "garbage", "2020-13-01T00:00:00", "2020-04-24T25:00:00", "Z", 1587729600,
     1.5, b"2020-04-24T12:00:00Z", ["2020-04-24T12:00:00Z"], {"t": "2020-04-24"}],
)
def test_unreadable_values_are_none(value: object) -> None:
    """Empty, garbage, impossible fields and non-strings: None, never an exception."""
    assert parse_iso_time(value) is None
    assert parse_iso(value) is None


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("0001-01-01T00:00:00+01:00", UTC),
        ("9999-12-31T23:59:59-01:00", UTC),
        ("0001-01-01 00:00:00", ZoneInfo("Asia/Tokyo")),
    ],
)
def test_out_of_range_is_none(text: str, zone: ZoneInfo | type[UTC]) -> None:
    """A conversion that leaves datetime's range (year 1 or 9999 with an offset) is None."""
    assert parse_iso_time(text, zone) is None  # type: ignore[arg-type]
    assert parse_iso(text) is not None


def test_parse_iso_keeps_the_written_offset() -> None:
    """The camera clock as written: its offset kept, naive when it has none."""
    local = parse_iso(" 2020-04-24T14:00:00+02:00 ")
    assert local is not None and local.utcoffset() == timedelta(hours=2) and local == NOON
    assert parse_iso("2020-04-24T12:00:00z") == NOON
    naive = parse_iso("2020-04-24T12:00:00")
    assert naive is not None and naive.tzinfo is None


def test_to_utc() -> None:
    """Naive moments take the zone; aware ones convert; out of range is None."""
    assert to_utc(datetime(2020, 4, 24, 12)) == NOON
    assert to_utc(datetime(2020, 4, 24, 13), timezone(timedelta(hours=1))) == NOON
    converted = to_utc(datetime(2020, 4, 24, 14, tzinfo=timezone(timedelta(hours=2))))
    assert converted == NOON and converted is not None and converted.tzinfo is UTC
    assert to_utc(datetime(1, 1, 1), ZoneInfo("Asia/Tokyo")) is None


def test_epoch_digits() -> None:
    """10 digits are seconds, 13 are milliseconds; anything else (or unreadable digits) is None."""
    assert parse_epoch_digits("1587729600") == NOON
    assert parse_epoch_digits("1587729600500") == NOON.replace(microsecond=500_000)
    assert parse_epoch_digits("158772960") is None
    assert parse_epoch_digits("15877296000") is None
    assert parse_epoch_digits("2020-04-24") is None
    assert parse_epoch_digits("\u00b2" * 10) is None  # isdigit() but not a digit int() reads


def test_every_protocol_parser_reads_the_shared_forms() -> None:
    """The vendor parsers hand ISO text to the shared parser, so each reads every form."""
    from custom_components.anpr.protocols import lpr_json, numberok  # noqa: PLC0415
    from custom_components.anpr.protocols.hikvision import documents  # noqa: PLC0415

    for text in ("2020-04-24T12:00:00z", "2020-04-24T14:00:00+0200", "2020-04-24 12:00:00.5Z"):
        expected = parse_iso_time(text)
        assert expected is not None
        assert documents.parse_time(text) == expected
        assert numberok.parse_ff_datetime(text) == expected
        assert lpr_json.parse_camera_time(text) == expected
    # Vendor forms stay with their module.
    assert documents.parse_time("20200424120000") == NOON
    assert documents.parse_time("2020-04-24T14:00:0002:00") == NOON
    assert numberok.parse_ff_datetime("20200424 140000000+0200") == NOON
    assert lpr_json.parse_camera_time("2020/04/24 12:00:00") == NOON
    for parse in (numberok.parse_ff_datetime, lpr_json.parse_camera_time):
        assert parse("1587729600") == NOON
        assert parse("\u00b2" * 10) is None
