"""Frigate MQTT message parsing and the best-read-per-object tracker (protocols/frigate.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.anpr.protocols.frigate import (
    MAX_MESSAGE_BYTES,
    BestReadTracker,
    FrigateError,
    FrigateUpdate,
    camera_from_state_topic,
    parse_events,
    parse_tracked_object_update,
)
from tools.emulators import frigate as emu


def test_documented_events_message() -> None:
    """The Frigate docs' events example, with a plate read and a known name."""
    obj = emu.tracked_object("1607123955.475377-mxklsc", "front_door", "ABC12345", 0.933451,
                             name="John's car")  # fmt: skip
    update = parse_events(emu.events_message("update", obj, obj))
    assert update is not None
    assert update.event_id == "1607123955.475377-mxklsc"
    assert update.camera == "front_door"
    assert update.plate == "ABC12345"
    assert update.score == pytest.approx(0.933451)
    assert update.name == "John's car"
    assert update.has_snapshot is True
    assert update.ended is False
    assert update.zones == ["driveway"]
    assert update.time is not None
    end = parse_events(emu.events_message("end", obj, obj))
    assert end is not None and end.ended


def test_sub_label_shapes_and_plate_less_objects() -> None:
    base = emu.tracked_object("1.0-a", "gate", None, None)
    assert parse_events(json.dumps({"type": "new", "after": base})).plate is None  # type: ignore[union-attr]
    named = parse_events(json.dumps({"type": "update", "after": base | {"sub_label": "Bob"}}))
    assert named is not None and named.name == "Bob" and named.plate is None
    # Score from the sub_label when the plate has none.
    scored = base | {"sub_label": ["Van", 0.8], "recognized_license_plate": "VAN1"}
    update = parse_events(json.dumps({"type": "update", "after": scored}))
    assert update is not None and update.score == pytest.approx(0.8)
    only_name = base | {"sub_label": ["Van"]}
    assert parse_events(json.dumps({"after": only_name})).name == "Van"  # type: ignore[union-attr]
    assert parse_events(json.dumps({"type": "new"})) is None
    assert parse_events(json.dumps({"after": base | {"false_positive": True}})) is None


def test_tracked_object_update() -> None:
    update = parse_tracked_object_update(emu.lpr_update("1.0-a", "gate", "AB12CDE", 0.95, "Me"))
    assert update == FrigateUpdate(
        event_id="1.0-a",
        camera="gate",
        source="tracked_object_update",
        plate="AB12CDE",
        score=0.95,
        name="Me",
        time=update.time if update else None,
    )
    face = {"type": "face", "id": "1.0-a", "name": "John", "score": 0.9, "camera": "gate"}
    assert parse_tracked_object_update(json.dumps(face)) is None
    description = {"type": "description", "id": "x", "description": "a car"}
    assert parse_tracked_object_update(json.dumps(description)) is None


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b"\xff\xfe", "invalid JSON"),
        (b"[1, 2]", "JSON list"),
        (json.dumps({"after": "x"}).encode(), "after is a str"),
        (json.dumps({"after": {"camera": "gate"}}).encode(), "missing id"),
        (json.dumps({"after": {"id": "", "camera": "gate"}}).encode(), "empty id"),
        (json.dumps({"after": {"id": 7, "camera": "gate"}}).encode(), "id is a int"),
        (json.dumps({"after": {"id": "a", "camera": "g" * 65}}).encode(), "longer than"),
        (
            json.dumps({"after": {"id": "a", "camera": "g", "sub_label": {"x": 1}}}).encode(),
            "sub_label is a dict",
        ),
        (
            json.dumps(
                {"after": {"id": "a", "camera": "g", "recognized_license_plate_score": "hi"}}
            ).encode(),
            "score is a str",
        ),
        (b"{" + b" " * MAX_MESSAGE_BYTES + b"}", "larger than"),
    ],
)
def test_hostile_messages_raise_only_the_protocol_error(payload: bytes, message: str) -> None:
    with pytest.raises(FrigateError, match=message):
        parse_events(payload)


def test_odd_values_are_tolerated() -> None:
    obj: dict[str, Any] = emu.tracked_object("1.0-a", "gate", "AB1", float("nan"))
    obj |= {"start_time": 1e20, "frame_time": True, "current_zones": ["z", 3, "y" * 99]}
    update = parse_events(json.dumps({"type": "update", "after": obj}))
    assert update is not None
    assert update.score is None and update.time is None
    assert update.zones == ["z", "y" * 64]
    lpr = parse_tracked_object_update(
        json.dumps(
            {"type": "lpr", "id": "i", "camera": "c", "plate": "P", "score": 7, "timestamp": "x"}
        )
    )
    assert lpr is not None and lpr.score == 1.0 and lpr.time is None
    assert parse_tracked_object_update("{}") is None
    # A bool is not a score.
    assert parse_events(json.dumps({"after": obj | {"recognized_license_plate_score": True}}))


def test_camera_from_state_topic() -> None:
    assert camera_from_state_topic("frigate/driveway/detect/state", "frigate") == "driveway"
    assert camera_from_state_topic("home/frigate/gate/recordings/state", "home/frigate/") == "gate"
    assert camera_from_state_topic("frigate/driveway/detect/set", "frigate") is None
    assert camera_from_state_topic("frigate/events", "frigate") is None
    assert camera_from_state_topic("other/driveway/detect/state", "frigate") is None
    assert camera_from_state_topic("frigate/stats/x/state", "frigate") is None
    assert camera_from_state_topic("frigate//detect/state", "frigate") is None


def _update(plate: str | None, score: float | None, **kwargs: Any) -> FrigateUpdate:
    return FrigateUpdate(event_id=kwargs.pop("event_id", "e1"), camera="gate", source="events",
                         plate=plate, score=score, **kwargs)  # fmt: skip


def test_tracker_best_read_rules() -> None:
    tracker = BestReadTracker()
    assert tracker.offer(_update(None, None, has_snapshot=True), now=0) is False
    assert tracker.take("e1") is None
    assert tracker.offer(_update("AB12CD8", 0.7), now=1) is True
    assert tracker.offer(_update("AB12CDX", 0.5), now=1) is False  # worse: ignored
    assert tracker.offer(_update("AB12CDE", 0.9, name="Mine", zones=["drive"]), now=2) is True
    assert tracker.offer(_update("AB12CDE", 0.95), now=2) is True  # same plate, better score
    assert tracker.pending("e1") and tracker.has_snapshot("e1")
    read = tracker.take("e1")
    assert read is not None
    assert (read.plate, read.confidence, read.vendor_id) == ("AB12CDE", 0.95, "e1")
    assert read.extra == {"frigate_event_id": "e1", "frigate_camera": "gate",
                          "frigate_name": "Mine", "zones": ["drive"]}  # fmt: skip
    assert tracker.take("e1") is None  # never twice
    assert tracker.offer(_update("AB12CDE", 0.99), now=3) is False  # same plate after delivery
    assert tracker.take("e1") is None
    assert tracker.offer(_update("XY99ZZZ", 0.999), now=3) is True  # Frigate corrected itself
    corrected = tracker.take("e1")
    assert corrected is not None and corrected.plate == "XY99ZZZ"
    tracker.forget("e1")
    assert len(tracker) == 0 and not tracker.pending("e1") and not tracker.has_snapshot("e1")


def test_tracker_is_bounded() -> None:
    tracker = BestReadTracker(ttl=10, max_objects=3)
    for index in range(5):
        tracker.offer(_update("P", 0.5, event_id=f"e{index}"), now=index)
    assert len(tracker) == 3
    tracker.offer(_update("P", 0.5, event_id="late"), now=100)
    assert len(tracker) == 1
