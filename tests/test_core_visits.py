"""The HA-free visits domain: visit states, visitor classes, privacy hashing, misreads.

Visitor classes are checked on a synthetic 60-day history recorded into a real SQLite history
(the same path the integration uses), at each class boundary.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.anpr.core.history import SightingHistory, SightingRow
from custom_components.anpr.core.misreads import (
    LearntMisreads,
    Reading,
    best_reading,
    misread_of,
    same_vehicle,
    within_one_edit,
)
from custom_components.anpr.core.privacy import (
    PlateHasher,
    PrivacyPolicy,
    is_hashed,
    new_secret,
)
from custom_components.anpr.core.visitors import VisitorProfile, rebuild
from custom_components.anpr.core.visits import (
    ACTION_CLOSED,
    ACTION_CONTINUED,
    ACTION_EXIT_WITHOUT_ENTRY,
    ACTION_OPENED,
    Visit,
    VisitTracker,
    read_meaning,
)

LONDON = ZoneInfo("Europe/London")
DAY60 = datetime(2026, 11, 30, 8, 0, tzinfo=LONDON)  # the day being classified
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _history() -> SightingHistory:
    history = SightingHistory(":memory:")
    history.open()
    history.tz = LONDON
    return history


def _classify(days_back: list[int], hour: int = 8) -> tuple[str | None, int | None]:
    """Record one arrival on each of ``days_back`` (days before DAY60) and one on DAY60."""
    history = _history()
    rows = [
        SightingRow(plate="AB12CDE", time=(DAY60 - timedelta(days=d)).replace(hour=hour)
                    .astimezone(UTC), camera_id="gate", arrival=True)
        for d in sorted(days_back, reverse=True)
    ]  # fmt: skip
    history.record_many(rows)
    stats = history.record(
        SightingRow(plate="AB12CDE", time=DAY60.astimezone(UTC), camera_id="gate", arrival=True)
    )
    history.close()
    return stats.visitor_class, stats.usual_hour


@pytest.mark.parametrize(
    ("days_back", "expected"),
    [
        ([], "first_time"),
        ([0], "first_time"),  # seen earlier the same day: still its first day
        # daily: 5 of D-6..D (today included) and 5 of D-13..D-7
        ([1, 2, 3, 4, 7, 8, 9, 10, 11], "daily"),
        ([1, 2, 3, 7, 8, 9, 10, 11], "weekly"),  # only 4 days this week
        ([1, 2, 3, 4, 8, 9, 10, 11], "weekly"),  # only 4 days last week
        ([1, 2, 3, 4, 7, 8, 9, 10, 13, 20, 27, 34, 41, 48, 55, 59], "daily"),  # 60-day history
        # weekly: a day in D-13..D-7 (and today)
        ([13], "weekly"),
        ([7], "weekly"),
        ([6], "occasional"),  # both sightings in this week: not two weeks running
        ([14], "occasional"),  # last week empty
        # occasional: no gap of more than 30 days since the first sighting
        ([59, 30], "occasional"),  # gaps 29 and 30
        ([60, 30], "occasional"),  # gaps 30 and 30
        ([59, 28], "rare"),  # gap 31
        ([45], "rare"),
        ([59, 58, 57, 31], "rare"),  # 31 days without it before today
    ],
)
def test_visitor_classes_on_a_60_day_history(days_back: list[int], expected: str) -> None:
    assert _classify(days_back)[0] == expected


def test_usual_arrival_hour_counts_arrivals_only() -> None:
    history = _history()
    times = [T0.replace(hour=h) - timedelta(days=d) for d, h in
             ((9, 7), (8, 7), (7, 16), (6, 16), (5, 16), (4, 7))]  # fmt: skip
    history.record_many([SightingRow(plate="P", time=t, camera_id="c", arrival=True)
                         for t in times])  # fmt: skip
    # Not arrivals (reads inside a visit): do not move the usual hour.
    history.record_many([SightingRow(plate="P", time=T0.replace(hour=20) - timedelta(days=d),
                                     camera_id="c") for d in (3, 2)])  # fmt: skip
    stats = history.record(SightingRow(plate="P", time=T0.replace(hour=21), camera_id="c"))
    # London is UTC+0 in November: 7 UTC = 07 local; ties (3 at 7, 3 at 16) go to the earlier.
    assert stats.usual_hour == 7
    profile = history.profile("P")
    assert profile is not None and profile.hours[16] == 3 and profile.hours[20] == 0
    assert history.profile("NOPE") is None
    history.close()


def test_profile_rebuilt_after_a_purge() -> None:
    history = _history()
    for d in (20, 10, 3):
        history.record(SightingRow(plate="P", time=T0 - timedelta(days=d), camera_id="c",
                                   arrival=True))  # fmt: skip
    assert history.purge(before=T0 - timedelta(days=15)) == 1
    stats = history.record(SightingRow(plate="P", time=T0, camera_id="c"))
    assert stats.count == 2 and stats.visitor_class == "weekly"
    profile = history.profile("P")
    assert profile is not None and profile.first_day == (T0 - timedelta(days=10)).toordinal()
    history.close()


def test_profile_edges() -> None:
    profile = VisitorProfile.new(100)
    profile.seen(200)  # a gap longer than the mask
    assert profile.mask == 1 and profile.max_gap == 100
    profile.seen(150)  # late delivery inside the mask
    assert profile.days_in(200, 50, 1) == 1
    profile.seen(90)  # late delivery before the first day
    assert profile.first_day == 90
    profile.seen(10)  # too old for the mask: only the first day moves
    assert profile.first_day == 10 and profile.days_in(300, 0) == 0
    assert profile.days_in(190, 0) == 0  # days 184..190: none
    assert profile.days_in(203, 0) == 1  # a later day's week still holds day 200
    assert profile.classify(230) == "rare"  # 30 days later, the 100-day gap still counts
    assert VisitorProfile.decode_hours("1,2") == [0] * 24
    assert VisitorProfile.decode_hours("x," * 23 + "x") == [0] * 24
    assert VisitorProfile.decode_hours(None) == [0] * 24
    assert profile.usual_hour is None
    assert rebuild([], []) is None
    rebuilt = rebuild([5, 3, 3], [8, 8, 30])
    assert rebuilt is not None and rebuilt.first_day == 3 and rebuilt.usual_hour == 8


def test_visit_state_machine() -> None:
    ids = iter(f"v{n}" for n in range(10))
    tracker = VisitTracker(timedelta(hours=1), new_id=lambda: next(ids))
    assert tracker.step("P", "pass_by", "in", "road", T0) is None
    assert tracker.step("", "entry", "in", "gate", T0) is None
    opened = tracker.step("P", "entry", "out", "gate", T0)
    assert opened is not None and opened.action == ACTION_OPENED and opened.visit.id == "v0"
    cont = tracker.step("P", "both", "unknown", "drive", T0 + timedelta(minutes=10))
    assert cont is not None and cont.action == ACTION_CONTINUED and cont.visit.reads == 2
    closed = tracker.step("P", "exit", "in", "out", T0 + timedelta(minutes=40))
    assert closed is not None and closed.action == ACTION_CLOSED
    assert closed.visit.dwell_s == 2400 and tracker.on_site == 0
    lone = tracker.step("P", "both", "out", "drive", T0 + timedelta(hours=2))
    assert lone is not None and lone.action == ACTION_EXIT_WITHOUT_ENTRY
    assert lone.visit.dwell_s is None and lone.visit.as_dict()["started"] is None
    # Timeout: a stale visit is closed by the next read of the same vehicle.
    tracker.step("Q", "entry", "in", "gate", T0)
    late = tracker.step("Q", "entry", "in", "gate", T0 + timedelta(hours=1))
    assert late is not None and late.expired is not None
    assert late.expired.status == "no_exit" and late.expired.dwell_s == 0
    assert tracker.expire(T0 + timedelta(hours=1, minutes=59)) == []
    assert [v.plate for v in tracker.expire(T0 + timedelta(hours=2))] == ["Q"]
    # An exit read delivered late (before the entry) never gives a negative dwell.
    tracker.step("R", "entry", "in", "gate", T0)
    early = tracker.step("R", "exit", "out", "out", T0 - timedelta(minutes=1))
    assert early is not None and early.visit.dwell_s == 0
    # Rename (privacy rewrite) and forget (purge).
    tracker.step("S", "entry", "in", "gate", T0)
    tracker.rename("S", "#s")
    tracker.rename("nothing", "#n")
    assert "#s" in tracker.open and tracker.open["#s"].plate == "#s"
    tracker.forget("#s")
    assert tracker.on_site == 0
    never = VisitTracker(None)
    never.load([Visit(id="a", plate="A", started=T0, last_seen=T0),
                Visit(id="b", plate="B", started=T0, last_seen=T0, status="closed")])
    assert list(never.open) == ["A"] and never.expire(T0 + timedelta(days=999)) == []
    assert read_meaning("strange", "in") == "arrival"


def test_privacy_hashing() -> None:
    secret = new_secret()
    hasher = PlateHasher(secret)
    stored = hasher.hash("AB12CDE")
    assert stored.startswith("#") and len(stored) == 33 and is_hashed(stored)
    assert hasher.hash(stored) == stored
    assert hasher.hash("AB12CDE") == stored  # keyed, stable
    assert PlateHasher(new_secret()).hash("AB12CDE") != stored  # another install
    assert secret not in repr(hasher)
    with pytest.raises(ValueError):
        PlateHasher("not hex")
    policy = PrivacyPolicy(hasher, lambda plate: plate == "MINE1")
    assert policy.enabled
    assert policy.stored("MINE1") == "MINE1"
    assert policy.stored("AB12CDE") == stored
    assert policy.stored(None) is None and policy.stored(stored) == stored
    assert policy.query_forms("AB12CDE") == ["AB12CDE", stored]
    assert policy.query_forms(stored) == [stored]
    off = PrivacyPolicy()
    assert not off.enabled and off.stored("AB12CDE") == "AB12CDE"
    assert off.query_forms("AB12CDE") == ["AB12CDE"]
    assert not is_hashed("AB12CDE") and not is_hashed(None)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("AB12CDE", "AB12CDE", True),
        ("AB12CDE", "A812CDE", True),  # B/8
        ("AB12CDE", "AB12C0E", True),  # D/0
        ("AB12CDE", "AB12CD", True),  # dropped
        ("AB12CDE", "AB12CDEX", True),  # added
        ("AB12CDE", "AB1CDE", True),
        ("RP01AAA", "RP02AAA", False),  # unlike characters: two vehicles
        ("AB12CDE", "AB12C0F", False),  # two edits
        ("AB12CDE", "AB12", False),
    ],
)
def test_misread_rule(a: str, b: str, expected: bool) -> None:
    assert misread_of(a, b) is expected
    assert misread_of(b, a) is expected


def test_merge_decisions_and_best_reading() -> None:
    assert within_one_edit("ABC", "ABD") and not within_one_edit("ABC", "XYZ")
    assert within_one_edit("ABC", "AB") and within_one_edit("AB", "XAB")
    assert not within_one_edit("ABCD", "AB")
    assert same_vehicle("AB12CDE", "AB12CDE", plate_listed=True, other_listed=True)
    assert not same_vehicle("AB12CDE", "AB12CDF", plate_listed=True, other_listed=True)
    assert same_vehicle("AB12CDE", "AB12CDF", plate_listed=True, other_listed=False)
    readings = [Reading("AB12CDF", 3, 0.9, False, 0), Reading("AB12CDE", 1, 0.5, True, 1)]
    assert best_reading(readings) == "AB12CDE"
    assert best_reading([Reading("A", 1, 0.5, False, 0), Reading("B", 1, 0.5, False, 1)]) == "A"
    with pytest.raises(ValueError):
        best_reading([])


def test_learnt_misreads() -> None:
    learnt = LearntMisreads()
    learnt.learn("AB12CDE", "AB12CDE")  # nothing to learn
    assert len(learnt) == 0
    learnt.learn("XB12CJE", "AB12CDE", "gate")
    learnt.learn("XB12CJE", "AB12CDE", "yard")
    assert learnt.lookup("XB12CJE", "gate") == "AB12CDE"
    assert learnt.lookup("XB12CJE", "yard") == "AB12CDE"
    assert learnt.lookup("XB12CJE", "road") is None
    learnt.learn("XB12CJE", "AB12CDE")  # everywhere now
    learnt.learn("XB12CJE", "AB12CDE", "road")  # stays everywhere
    assert learnt.lookup("XB12CJE", "anywhere") == "AB12CDE"
    learnt.learn("KL1MNO", "KL12MNO", "gate")
    learnt.learn("KL1MNO", "KL11MNO", "yard")  # another plate: replaces
    assert learnt.lookup("KL1MNO", "gate") is None
    again = LearntMisreads(learnt.as_dict())
    assert again.as_dict() == learnt.as_dict() and len(again) == 2
    assert again.forget_plate("AB12CDE") == 1 and again.lookup("XB12CJE", "gate") is None
    assert learnt.lookup("NOTHING", "gate") is None


def test_visit_storage_round_trip(tmp_path) -> None:  # type: ignore[no-untyped-def]
    history = SightingHistory(tmp_path / "h.db")
    history.open()
    visit = Visit(id="v1", plate="P", started=T0, last_seen=T0 + timedelta(minutes=5),
                  entry_camera="gate")  # fmt: skip
    history.save_visits([visit])
    assert history.open_visits() == [visit]
    visit.status, visit.ended, visit.exit_camera = "closed", visit.last_seen, "out"
    history.save_visits([visit])
    assert history.open_visits() == []
    assert history.search_visits(plates=["P"], camera_id="out", status="closed",
                                 start=T0, end=T0 + timedelta(hours=1)) == [visit]  # fmt: skip
    assert history.search_visits(plates=[], limit=None) == []
    out = tmp_path / "v.csv"
    assert history.export_visits_csv(out, {"gate": "Gate"}) == 1
    assert ",Gate,out," in out.read_text()
    assert history.purge_visits(T0 + timedelta(hours=1)) == 1
    with pytest.raises(RuntimeError):
        history.save_visits([_Boom()])  # type: ignore[list-item]
    assert history.visit_counts() == {"visits": 0, "open_visits": 0, "hashed_plates": 0}
    assert history.reassign("missing", "X") is None
    history.close()


class _Boom:
    """A visit whose fields fail while being stored (the transaction rolls back)."""

    id = "boom"
    plate = "P"

    @property
    def started(self) -> datetime:
        raise RuntimeError("boom")


def test_history_rewrite_rolls_back_and_pictures_keep_paths(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A failing rewrite leaves the history as it was; pictures without a plate stay put."""
    from custom_components.anpr.site import rename_picture  # noqa: PLC0415

    history = SightingHistory(tmp_path / "h.db")
    history.open()
    picture = tmp_path / "091200_XY51ZZZ_Gate.jpg"
    picture.write_bytes(b"x")
    history.record(SightingRow(plate="XY51ZZZ", time=T0, camera_id="c", sid="s1",
                               alternatives={"XY51ZZ2": 1}))  # fmt: skip
    history.set_image_path("XY51ZZZ", T0, "c", str(picture))

    def boom(plate: str) -> str:
        raise RuntimeError("no key")

    with pytest.raises(RuntimeError):
        history.rewrite_plates(["XY51ZZZ"], boom)
    assert history.stats("XY51ZZZ").count == 1
    assert history.reassign("s1", "XY51ZZZ", {}) == "XY51ZZZ"  # same plate: alternatives only
    assert history.sighting("s1").alternatives is None  # type: ignore[union-attr]
    assert history.rewrite_plates(["XY51ZZZ"], lambda p: "#" + p.lower(), rename_picture) == 1
    row = history.sighting("s1")
    assert row is not None and row.plate == "#xy51zzz" and row.read_plate is None
    assert row.image_path is not None and "XY51ZZZ" not in row.image_path
    assert not picture.exists()
    # No plate in the name, or a file that is gone: the stored path is kept.
    assert rename_picture(str(tmp_path / "other.jpg"), "XY51ZZZ", "#a") is None
    assert rename_picture(str(tmp_path / "1_AB12CDE_G.jpg"), "AB12CDE", "#a") is None
    history.close()
