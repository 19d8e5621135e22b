"""Matching rules and their precedence (core/matching.py, core/validity.py, pipeline corrections)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from custom_components.anpr.core.matching import (
    FuzzyIndex,
    Matcher,
    country_code,
    fix_format,
    is_uk_plate,
    levenshtein,
)
from custom_components.anpr.core.pipeline import Pipeline
from custom_components.anpr.core.plates import PlateEntry, PlateGroup, PlateLists, normalise_plate
from custom_components.anpr.core.validity import Validity, ValidityError
from custom_components.anpr.protocols.models import PlateRead

LONDON = ZoneInfo("Europe/London")


def _lists() -> PlateLists:
    lists = PlateLists()
    lists.set_group(PlateGroup(id="family", name="Family", category="allowed"))
    return lists


# --- normalisation and formats --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ab-12 cde", "AB12CDE"),
        ("АВ12 СDЕ", "AB12CDE"),  # Cyrillic А В С Е
        ("ΑΒ12ΚΜΧ", "AB12KMX"),  # Greek
        ("ＡＢ１２ＣＤＥ", "AB12CDE"),  # full width
        ("ab.12_cde", "AB12CDE"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise_plate(raw) == expected


@pytest.mark.parametrize(
    ("plate", "fixed", "fmt"),
    [
        ("AB12CDE", "AB12CDE", "uk_current"),  # already fits: kept
        ("A812CDE", "A812CDE", "uk_prefix"),  # a valid prefix plate is never changed
        ("A8I2CDE", "AB12CDE", "uk_current"),  # 8 at a letter position -> B, I at a digit -> 1
        ("AB1ZCDE", "AB1ZCDE", None),  # Z is not a look-alike we swap: kept, no format
        ("ABI2CDE", "AB12CDE", "uk_current"),  # I in a digit position -> 1
        ("AB12CD8", "AB12CDB", "uk_current"),
        ("0B12CDE", "OB12CDE", "uk_current"),  # 0 in a letter position -> O
        ("A123BCD", "A123BCD", "uk_prefix"),
        ("ABC123D", "ABC123D", "uk_suffix"),
        ("ABC12BD", "ABC128D", "uk_suffix"),  # suffix template: B at a digit position -> 8
        ("1234AB", "1234AB", "uk_dateless"),
        ("ABZ1234", "ABZ1234", "uk_northern_ireland"),
        ("123D456", "123D456", "uk_diplomatic"),
    ],
)
def test_uk_format_fix(plate: str, fixed: str, fmt: str | None) -> None:
    result = fix_format(plate, "GB")
    assert (result.plate, result.format) == (fixed, fmt)
    assert result.fixed == (plate != fixed)


def test_format_fix_only_where_the_format_says_so() -> None:
    # B4DM3N fits no UK format and no swap makes it fit: kept as read.
    assert fix_format("B4DM3N", "GB").plate == "B4DM3N"
    # A country without formats never changes a plate.
    assert fix_format("A8I2CDE", "FR").plate == "A8I2CDE"
    assert fix_format("A8I2CDE", None).plate == "A8I2CDE"
    assert country_code("uk") == "GB" and country_code("United Kingdom") == "GB"
    assert country_code("xx") == "XX" and country_code(" ") is None
    assert is_uk_plate("AA19AAA") and not is_uk_plate("B4DM3N")


def test_pipeline_correct_applies_global_rules_then_format() -> None:
    pipeline = Pipeline(
        lists=_lists(), recorder=None, corrections=["^XX => "],  # type: ignore[arg-type]
    )
    pipeline.default_country = "GB"
    plate, applied = pipeline.correct("XXA8I2CDE")
    assert plate == "AB12CDE"
    assert applied == ["^XX => ", "format uk_current: A8I2CDE => AB12CDE"]
    # The read's own country wins over the default.
    plate, applied = pipeline.correct("A8I2CDE", PlateRead(plate="A8I2CDE", country="FR"))
    assert plate == "A8I2CDE" and applied == []


# --- edit distance and index ---------------------------------------------------------------


def test_levenshtein_and_index() -> None:
    assert levenshtein("AB12CDE", "AB12CDE") == 0
    assert levenshtein("AB12CDE", "AB12CDF") == 1
    assert levenshtein("AB12CDE", "AB12CD") == 1
    assert levenshtein("AB12CDE", "XB12CDF", limit=1) == 2
    index = FuzzyIndex(["AB12CDE", "AB12CDF", "ZZ99ZZZ"], 2)
    assert index.search("AB12CDX") == [(1, "AB12CDE"), (1, "AB12CDF")]
    assert index.search("AB12CD", 1) == [(1, "AB12CDE"), (1, "AB12CDF")]
    assert index.search("QQ11QQQ") == []


# --- matcher precedence -------------------------------------------------------------------------


def test_exact_then_alias_then_rule_then_fuzzy() -> None:
    lists = _lists()
    lists.add(PlateEntry(plate="AB12CDE", group="family", description="Alice",
                         aliases=["AB12C0E"], rules=[r"AB1[0-9]CDE"]))  # fmt: skip
    lists.add(PlateEntry(plate="XY51ZZZ", group="alert", description="Stolen"))
    matcher = Matcher(lists, fuzzy_distance=1)

    exact = matcher.match("AB12CDE").match
    assert exact is not None and exact.matched_by == "exact" and exact.entry.description == "Alice"
    alias = matcher.match("AB12C0E").match
    assert alias is not None and alias.matched_by == "alias"
    rule = matcher.match("AB17CDE").match
    assert rule is not None and rule.matched_by == "rule" and rule.rule == "AB1[0-9]CDE"
    fuzzy = matcher.match("XY51ZZ").match
    assert fuzzy is not None and fuzzy.matched_by == "fuzzy" and fuzzy.distance == 1
    assert "distance 1" in fuzzy.reason
    assert matcher.match("QQ11QQQ").match is None


def test_fuzzy_nearest_wins_and_ties_give_no_match() -> None:
    lists = _lists()
    lists.add(PlateEntry(plate="AB12CDE", group="family"))
    lists.add(PlateEntry(plate="AB12CXX", group="family"))
    lists.add(PlateEntry(plate="KL12MNO", group="family"))
    lists.add(PlateEntry(plate="KL12MNP", group="family"))
    matcher = Matcher(lists, fuzzy_distance=2)
    # AB12CDX: distance 1 to AB12CDE, 1 to AB12CXX? no: CXX vs CDX is 1 as well -> tie.
    tie = matcher.match("AB12CDX")
    assert tie.match is None and tie.skipped is not None and "tie" in tie.skipped
    # Nearest wins: AB12CD (deleting E) is 1 from AB12CDE and 2 from AB12CXX.
    near = matcher.match("AB12CD").match
    assert near is not None and near.entry.plate == "AB12CDE"
    # Distance 0 means fuzzy off.
    matcher.fuzzy_distance = 0
    assert matcher.match("AB12CD").match is None


def test_same_plate_in_two_groups_alert_wins() -> None:
    lists = _lists()
    lists.add(PlateEntry(plate="AB12CDE", group="family"))
    lists.add(PlateEntry(plate="AB12CDE", group="alert"))
    lists.add(PlateEntry(plate="AB12CDE", group="ignored"))
    found = Matcher(lists).match("AB12CDE").match
    assert found is not None and found.group.category == "alert"


def test_camera_scope_and_validity() -> None:
    lists = _lists()
    lists.add(PlateEntry(plate="AB12CDE", group="family", cameras=["gate"]))
    cleaner = Validity.parse("Tue 09:00-12:00")
    lists.add(PlateEntry(plate="CL34NER", group="family", validity=cleaner))
    matcher = Matcher(lists, fuzzy_distance=1, tz=LONDON)
    assert matcher.match("AB12CDE", camera_id="gate").match is not None
    other = matcher.match("AB12CDE", camera_id="drive")
    assert other.match is None and other.skipped and "not for this camera" in other.skipped
    # Fuzzy skips out-of-scope entries too.
    assert matcher.match("AB12CDF", camera_id="drive").match is None
    tuesday = datetime(2025, 6, 3, 9, 30, tzinfo=LONDON)
    wednesday = datetime(2025, 6, 4, 9, 30, tzinfo=LONDON)
    assert matcher.match("CL34NER", when=tuesday).match is not None
    late = matcher.match("CL34NER", when=wednesday)
    assert late.match is None and late.skipped and "validity" in late.skipped


def test_edits_apply_to_next_match_without_rebuild_call() -> None:
    lists = _lists()
    matcher = Matcher(lists, fuzzy_distance=1)
    assert matcher.match("AB12CDF").match is None
    lists.add(PlateEntry(plate="AB12CDE", group="family"))
    assert matcher.match("AB12CDF").match is not None
    lists.remove("AB12CDE")
    assert matcher.match("AB12CDF").match is None


# --- validity windows ---------------------------------------------------------------------------


def test_validity_text_round_trip() -> None:
    v = Validity.parse("2025-01-01..2025-06-30 Mon-Fri 22:00-06:00")
    assert v is not None
    assert v.start_date == date(2025, 1, 1) and v.end_date == date(2025, 6, 30)
    assert v.weekdays == frozenset(range(5))
    assert (v.start_time, v.end_time) == (time(22), time(6))
    assert v.overnight
    assert Validity.parse(v.to_text()) == v
    assert Validity.from_dict(v.as_dict()) == v
    assert Validity.parse("") is None
    assert Validity.parse("Fri-Mon").weekdays == frozenset({4, 5, 6, 0})  # type: ignore[union-attr]
    for bad in ("Funday", "25:00-26:00", "2025-13-01..", "x"):
        with pytest.raises(ValidityError):
            Validity.parse(bad)


def test_validity_across_midnight_belongs_to_start_day() -> None:
    v = Validity.parse("Fri 22:00-06:00")
    assert v is not None
    fri_23 = datetime(2025, 6, 6, 23, 0, tzinfo=LONDON)
    sat_05 = datetime(2025, 6, 7, 5, 59, tzinfo=LONDON)
    sat_06 = datetime(2025, 6, 7, 6, 0, tzinfo=LONDON)
    sat_23 = datetime(2025, 6, 7, 23, 0, tzinfo=LONDON)
    fri_05 = datetime(2025, 6, 6, 5, 0, tzinfo=LONDON)  # belongs to Thursday's night
    assert v.active(fri_23, LONDON) and v.active(sat_05, LONDON)
    assert not v.active(sat_06, LONDON) and not v.active(sat_23, LONDON)
    assert not v.active(fri_05, LONDON)


def test_validity_across_dst_changes_uses_wall_clock() -> None:
    v = Validity.parse("09:00-12:00")
    assert v is not None
    # Summer (BST, UTC+1): 08:30 UTC is 09:30 local -> inside; in winter it is 08:30 -> outside.
    assert v.active(datetime(2025, 6, 3, 8, 30, tzinfo=UTC), LONDON)
    assert not v.active(datetime(2025, 1, 7, 8, 30, tzinfo=UTC), LONDON)
    # Night of the spring change (30 March 2025, 01:00 GMT -> 02:00 BST): 22:00-06:00 window.
    night = Validity.parse("Sat 22:00-06:00")
    assert night is not None
    assert night.active(datetime(2025, 3, 30, 0, 30, tzinfo=UTC), LONDON)  # 00:30 GMT
    assert night.active(datetime(2025, 3, 30, 4, 59, tzinfo=UTC), LONDON)  # 05:59 BST
    assert not night.active(datetime(2025, 3, 30, 5, 0, tzinfo=UTC), LONDON)  # 06:00 BST
    # Repeated hour (26 October 2025, 01:00-02:00 happens twice): both are inside 01:00-01:59.
    hour = Validity.parse("01:00-02:00")
    assert hour is not None
    assert hour.active(datetime(2025, 10, 26, 0, 30, tzinfo=UTC), LONDON)  # 01:30 BST
    assert hour.active(datetime(2025, 10, 26, 1, 30, tzinfo=UTC), LONDON)  # 01:30 GMT
    assert not hour.active(datetime(2025, 10, 26, 2, 30, tzinfo=UTC), LONDON)  # 02:30 GMT


def test_validity_dates_inclusive() -> None:
    v = Validity.parse("2025-06-01..2025-06-02")
    assert v is not None
    assert v.active(datetime(2025, 6, 2, 23, 59, tzinfo=LONDON), LONDON)
    assert not v.active(datetime(2025, 6, 3, 0, 0, tzinfo=LONDON), LONDON)
    assert not v.active(datetime(2025, 5, 31, 23, 59, tzinfo=LONDON), LONDON)
