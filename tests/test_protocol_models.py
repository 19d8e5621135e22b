"""The vendor-neutral read model: sentinels, confidence scales, direction words, safe reprs."""

from __future__ import annotations

import pytest

from custom_components.anpr.protocols.models import (
    Direction,
    ImageRole,
    PlateRead,
    ReadImage,
    confidence_from,
    direction_from_vendor,
    is_no_plate,
)


@pytest.mark.parametrize("text", [None, "", "  ", "unknown", "noPlate", "NULL", "--", "n/a"])
def test_no_plate_sentinels(text: str | None) -> None:
    assert is_no_plate(text)
    assert not PlateRead(plate=text or "").has_plate


@pytest.mark.parametrize("text", ["AB12CDE", "549-A8", "粤MTU952"])
def test_real_plates_are_plates(text: str) -> None:
    assert not is_no_plate(text)


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        (97, 100.0, 0.97),
        ("97.5", 100.0, 0.975),
        ("85%", 100.0, 0.85),
        (0.9, 1.0, 0.9),
        (1200, 1000.0, 1.0),  # clamped
        ("nan", 100.0, None),
        (-3, 100.0, None),
        ("high", 100.0, None),
        (True, 100.0, None),
        (None, 100.0, None),
    ],
)
def test_confidence_scales(value: object, scale: float, expected: float | None) -> None:
    assert confidence_from(value, scale) == (None if expected is None else pytest.approx(expected))


def test_direction_words_and_camera_mapping() -> None:
    assert direction_from_vendor("Forward") is Direction.IN
    assert direction_from_vendor("Leave") is Direction.OUT
    assert direction_from_vendor("sideways") is Direction.UNKNOWN
    assert direction_from_vendor(None) is Direction.UNKNOWN
    swapped = {"forward": Direction.OUT, "REVERSE": Direction.IN}
    assert direction_from_vendor("reverse", swapped) is Direction.IN
    assert direction_from_vendor("FORWARD", swapped) is Direction.OUT
    assert direction_from_vendor("approach", swapped) is Direction.IN  # not mapped: default


def test_image_bytes_never_in_repr_and_roles_pick() -> None:
    image = ReadImage(b"\xff\xd8secret-bytes", role=ImageRole.PLATE, name="plate.jpg")
    assert "secret" not in repr(image)
    assert "size=14" in repr(image)
    read = PlateRead(plate="AB12CDE", images=[image])
    assert read.image(ImageRole.FULL) is None
    assert read.image(ImageRole.FULL, ImageRole.PLATE) is image
    assert read.image() is image
