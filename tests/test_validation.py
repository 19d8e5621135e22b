"""The validation step on its own (core/validation.py): every rule with its edge values.

The same rules through every kind's real path are in tests/test_hostile.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import io
import struct

from PIL import Image
import pytest

from custom_components.anpr.core.validation import (
    MAX_PICTURES,
    MAX_PLATE_LEN,
    DropReason,
    PictureError,
    cap_search_text,
    check_picture,
    check_pictures,
    plate_problem,
    validate_read,
)
from custom_components.anpr.protocols import safejson
from custom_components.anpr.protocols.models import ImageRole, PlateRead, ReadImage
from tools.emulators.milesight_tcp import fake_jpeg

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _picture(fmt: str, size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("plate", "reason"),
    [
        ("AB12CDE", None),
        ("粤B·12345", None),
        ("ab-12 cde", None),
        ("A" * MAX_PLATE_LEN, None),
        ("A" * (MAX_PLATE_LEN + 1), DropReason.TOO_LONG),
        ("A-" * 40, DropReason.TOO_LONG),  # over the raw cap before normalising
        ("unknown", DropReason.NO_PLATE),
        ("无车牌", DropReason.NO_PLATE),
        ("", DropReason.NO_PLATE),
        (" - . ", DropReason.EMPTY),
        ("AB\x00CD", DropReason.UNPRINTABLE),
        ("AB\ud800CD", DropReason.UNPRINTABLE),
        ("AB\ufffdCD", DropReason.UNPRINTABLE),
        ("AB<CD>", DropReason.UNPRINTABLE),
        (12345, DropReason.WRONG_TYPE),
        (None, DropReason.WRONG_TYPE),
    ],
)
def test_plate_rules(plate: object, reason: DropReason | None) -> None:
    assert plate_problem(plate) is reason
    read = PlateRead(plate=plate, time=NOW)  # type: ignore[arg-type]
    check = validate_read(read, NOW)
    # "No plate" reads go on with an empty plate (the pipeline counts them); others drop.
    assert check.drop is (None if reason is DropReason.NO_PLATE else reason)
    if reason is DropReason.NO_PLATE:
        assert read.plate == ""


def test_fields_are_cleaned_capped_and_range_checked() -> None:
    read = PlateRead(
        plate="  AB12\tCDE ",
        time=NOW - timedelta(hours=1),
        confidence=float("nan"),
        speed=-3.0,
        lane=True,  # type: ignore[arg-type]
        plate_box=(0.9, 0.1, 0.2, 0.1),  # runs off the right edge
        vehicle_make="Ford\x00\ud800" + "x" * 200,
        vehicle_model="   ",
        country=42,  # type: ignore[arg-type]
        vendor_id="id-1",
    )
    check = validate_read(read, NOW)
    assert check.drop is None
    assert read.plate == "AB12 CDE"
    assert read.confidence is None and read.speed is None and read.lane is None
    assert read.plate_box is None
    assert read.vehicle_make is not None
    assert read.vehicle_make.startswith("Ford \ufffdxxx") and len(read.vehicle_make) == 64
    assert read.vehicle_model is None and read.country is None
    assert read.vendor_id == "id-1"
    assert read.time == NOW - timedelta(hours=1)
    assert set(check.fixes) == {
        "confidence", "speed", "lane", "plate_box", "vehicle_make", "vehicle_model", "country",
    }  # fmt: skip


def test_good_numbers_are_kept() -> None:
    read = PlateRead(plate="AB12CDE", time=NOW, confidence=0.5, speed=42, lane=2,
                     plate_box=(0.1, 0.2, 0.3, 0.1))  # fmt: skip
    assert validate_read(read, NOW).fixes == []
    assert (read.confidence, read.speed, read.lane) == (0.5, 42.0, 2)
    assert read.plate_box == (0.1, 0.2, 0.3, 0.1)
    for box in ((0.1, 0.2, 0.0, 0.1), (0.1, 0.2, 0.3), ("a", 0, 0, 0)):
        read.plate_box = box  # type: ignore[assignment]
        assert "plate_box" in validate_read(read, NOW).fixes
    read.lane = 500
    assert "lane" in validate_read(read, NOW).fixes


@pytest.mark.parametrize(
    ("when", "replaced"),
    [
        (NOW - timedelta(days=6, hours=23), False),
        (NOW + timedelta(hours=23), False),
        (NOW - timedelta(days=8), True),
        (NOW + timedelta(days=2), True),
        (datetime(2026, 12, 4, 12, 0), True),  # naive: no time zone at all
    ],
)
def test_camera_time_window(when: datetime, replaced: bool) -> None:
    read = PlateRead(plate="AB12CDE", time=when)
    check = validate_read(read, NOW)
    assert (read.time == NOW) is replaced
    assert ("time" in check.fixes) is replaced
    assert (check.camera_time is not None) is (replaced and when.tzinfo is not None)


def test_picture_count_is_capped() -> None:
    read = PlateRead(plate="AB12CDE", time=NOW, images=[ReadImage(b"x")] * (MAX_PICTURES + 3))
    assert "images" in validate_read(read, NOW).fixes
    assert len(read.images) == MAX_PICTURES


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("GIF", "image/gif"), ("BMP", "image/bmp")],
)
def test_whole_pictures_pass(fmt: str, content_type: str) -> None:
    assert check_picture(_picture(fmt)) == content_type


def test_jpeg_with_trailing_crlf_passes_and_wrong_type_is_corrected() -> None:
    assert check_picture(fake_jpeg(64, 48) + b"\r\n") == "image/jpeg"
    png = _picture("PNG")
    kept, reasons = check_pictures([ReadImage(png, "image/jpeg", ImageRole.PLATE, "p")])
    assert reasons == []
    assert kept[0].content_type == "image/png" and kept[0].role is ImageRole.PLATE


def _gif_header(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00" * 20


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty picture"),
        (b"hello", "not a picture"),
        (fake_jpeg(64, 48)[:-40], "truncated JPEG"),
        (_picture("PNG")[:-20], "not a picture"),
        (_gif_header(30_000, 30_000), "over the pixel cap"),
        (_picture("TIFF"), "not a picture"),  # a format browsers do not show
    ],
)
def test_broken_pictures_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(PictureError, match=message):
        check_picture(data)


def test_pixel_cap_applies_after_pillow_reads_the_size() -> None:
    # BMP sizes come from the header reader too; a small cap shows the second check (Pillow).
    with pytest.raises(PictureError, match="over the pixel cap"):
        check_picture(_picture("BMP", (100, 100)), max_pixels=50)
    with pytest.raises(PictureError, match="over the pixel cap"):
        check_picture(_picture("GIF", (100, 100))[:6] + b"\x00\x00\x00\x00"
                      + _picture("GIF", (100, 100))[10:], max_pixels=50)  # fmt: skip


def test_search_text_cap() -> None:
    assert cap_search_text("  ab12 ") == "ab12"
    with pytest.raises(ValueError, match="longer than 64"):
        cap_search_text("x" * 65)


def test_json_depth_limit() -> None:
    assert safejson.loads(b'{"a": [1, {"b": "[[[[["}]}') == {"a": [1, {"b": "[[[[["}]}
    assert safejson.json_depth_ok("[" * 10 + "]" * 10)
    assert not safejson.json_depth_ok(b"[" * 40 + b"]" * 40)
    with pytest.raises(safejson.JsonDepthError):
        safejson.loads("[" * 100_000)
    with pytest.raises(ValueError):
        safejson.loads('"\\"[' + "[" * 40)  # unbalanced: the parser refuses it
    assert safejson.json_depth_ok("]" * 50 + "[" * 3)
    # Many brackets, but shallow: wide arrays and objects pass; stray closers do not hide depth.
    assert safejson.json_depth_ok("[" + "[{}]," * 40 + "[]]")
    assert safejson.loads("[" + "[{}]," * 40 + "[]]")[0] == [{}]
    assert not safejson.json_depth_ok("]" * 50 + "[" * 40)
