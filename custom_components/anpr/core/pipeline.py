"""The read pipeline: one path for every source kind, from a read to a sighting.

``PlateRead → normalise → corrections (global rules, learnt misreads, country format fix) →
confidence gate → repeat window (the same vehicle's reads, and misreads of it, merge into one
sighting; core/misreads.py) → list match (core/matching.py) → visit step (core/visits.py) →
sighting recorded (the stored plate form, core/privacy.py; visitor class, core/visitors.py)``.
:meth:`Pipeline.async_process` returns the sighting and whether it is new to its caller (the
camera coordinator), which hands it on. The history recorder is injected: an async callable that
runs on the history thread. No Home Assistant import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
import logging
import re
from typing import Any
import uuid

from ..protocols.models import CameraListVerdict, Direction, PlateRead
from .history import PlateStats, SightingRow
from .matching import Matcher, MatchOutcome, country_code, fix_format
from .misreads import LearntMisreads, Reading, best_reading, same_vehicle
from .plates import (
    CATEGORY_ALERT,
    CATEGORY_ALLOWED,
    CATEGORY_IGNORED,
    ListMatch,
    PlateLists,
    normalise_plate,
)
from .privacy import PrivacyPolicy
from .sighting import EVENT_ALERT, EVENT_KNOWN, EVENT_UNKNOWN, EVENT_UNREADABLE, Sighting
from .visits import ACTION_CLOSED, ACTION_OPENED, DEFAULT_ROLE, VisitStep, VisitTracker

_LOGGER = logging.getLogger(__package__)

DIRECTION_AS_REPORTED = "as_reported"
DIRECTION_SWAPPED = "swapped"
DIRECTION_ENTRY_ONLY = "entry_only"
DIRECTION_EXIT_ONLY = "exit_only"
DIRECTION_MODES = [
    DIRECTION_AS_REPORTED,
    DIRECTION_SWAPPED,
    DIRECTION_ENTRY_ONLY,
    DIRECTION_EXIT_ONLY,
]


@dataclass(frozen=True, slots=True)
class Correction:
    """One ordered regex replace rule applied to the normalised plate (global corrections)."""

    pattern: re.Pattern[str]
    replacement: str

    @classmethod
    def parse(cls, line: str) -> Correction:
        """Parse ``"PATTERN => REPLACEMENT"``; raises :class:`re.error` / ValueError."""
        if "=>" not in line:
            raise ValueError(f"missing '=>' in correction {line!r}")
        pattern, _, replacement = line.partition("=>")
        return cls(re.compile(pattern.strip()), replacement.strip())


@dataclass(kw_only=True)
class CameraSettings:
    """Per-camera pipeline tunables (from the camera subentry)."""

    camera_id: str
    name: str
    repeat_window: float = 10.0
    min_confidence: float = 0.0
    direction_mode: str = DIRECTION_AS_REPORTED
    #: What the camera's reads mean for visits (core/visits.py roles).
    role: str = DEFAULT_ROLE
    #: Fire an ``unreadable`` event for a vehicle read without a plate.
    unreadable_events: bool = False


Recorder = Callable[[SightingRow], Awaitable[PlateStats]]
#: Changes a recorded sighting: (sighting id, stored plate, stored alternatives).
Amender = Callable[[str, str, dict[str, int]], Awaitable[Any]]


def _merge(target: PlateRead, new: PlateRead) -> None:
    """Merge a repeat read into the kept one: best confidence wins, images merged by role."""
    if (new.confidence or 0.0) > (target.confidence or 0.0):
        target.confidence = new.confidence
        target.plate_box = new.plate_box or target.plate_box
    if target.direction is Direction.UNKNOWN and new.direction is not Direction.UNKNOWN:
        target.direction = new.direction
        target.direction_raw = new.direction_raw
    for attr in ("country", "plate_colour", "vehicle_type", "vehicle_colour", "vehicle_make",
                 "vehicle_model", "speed", "lane", "original_plate"):  # fmt: skip
        if getattr(target, attr) is None and getattr(new, attr) is not None:
            setattr(target, attr, getattr(new, attr))
    have = {img.role for img in target.images}
    target.images.extend(img for img in new.images if img.role not in have)
    if new.images and (new.confidence or 0.0) >= (target.confidence or 0.0):
        newer = {img.role: img for img in new.images}
        target.images[:] = [newer.get(img.role, img) for img in target.images]


class Pipeline:
    """Turns reads into sightings. All methods run in the event loop.

    Built once per hub with everything it uses: the plate lists, the history ``recorder``
    (and ``amender`` for merged misreads), the global ``corrections`` (``"PATTERN =>
    REPLACEMENT"`` lines), the fuzzy distance and the time zone of validity windows (both
    handed to the :class:`~.matching.Matcher`), the ``default_country`` whose plate formats
    apply to reads without a country (None: no format fixes), and the site's parts: open
    ``visits`` (None: visits off) with ``on_visit`` called for each visit step, the
    ``privacy`` policy (the stored form of plates) and the ``learnt`` misreads.
    """

    def __init__(
        self,
        *,
        lists: PlateLists,
        recorder: Recorder,
        amender: Amender | None = None,
        corrections: list[str] | None = None,
        fuzzy_distance: int = 1,
        tz: tzinfo | None = None,
        default_country: str | None = None,
        visits: VisitTracker | None = None,
        on_visit: Callable[[VisitStep], None] | None = None,
        privacy: PrivacyPolicy | None = None,
        learnt: LearntMisreads | None = None,
    ) -> None:
        """Create the pipeline (raises ValueError / re.error for a bad correction line)."""
        self.lists = lists
        self._record = recorder
        self._amend = amender
        self.corrections: list[Correction] = []
        self.set_corrections(corrections or [])
        self.matcher = Matcher(lists, fuzzy_distance=fuzzy_distance, tz=tz)
        self.default_country = default_country
        self.visits = visits
        self.on_visit = on_visit
        self.privacy = privacy if privacy is not None else PrivacyPolicy(None, lists.is_listed)
        self.learnt = learnt if learnt is not None else LearntMisreads()
        # camera_id -> sightings still inside their repeat window (few per camera)
        self._recent: dict[str, list[Sighting]] = {}
        self._unreadable: dict[str, datetime] = {}
        self.stats = {"reads": 0, "sightings": 0, "merged": 0, "merged_misreads": 0,
                      "dropped_no_plate": 0, "dropped_low_confidence": 0, "ignored": 0,
                      "unreadable": 0}  # fmt: skip

    def set_corrections(self, lines: list[str]) -> None:
        """Replace the global corrections (``"PATTERN => REPLACEMENT"`` lines, in order)."""
        self.corrections = [Correction.parse(line) for line in lines if line.strip()]

    def correct(self, plate: str, read: PlateRead | None = None) -> tuple[str, list[str]]:
        """Apply global corrections in order, then the country format fix (matching.py).

        Returns the plate and the rules that changed it (``"PATTERN => REPL"`` or
        ``"format uk_current: A8I2CDE => AB12CDE"``). The country is the read's (when known)
        else :attr:`default_country`. A plate that is listed as-is (plate or alternative
        reading) is not format-fixed.
        """
        applied: list[str] = []
        for rule in self.corrections:
            new = rule.pattern.sub(rule.replacement, plate)
            if new != plate:
                applied.append(f"{rule.pattern.pattern} => {rule.replacement}")
                plate = normalise_plate(new)
        if read is not None and (learnt := self.learnt.lookup(plate, read.camera_id)):
            applied.append(f"learnt misread: {plate} => {learnt}")
            plate = learnt
        country = country_code(read.country if read is not None else None)
        # A listed plate or alternative reading is never rewritten by a format fix.
        if plate and (country or self.default_country) and not self.lists.exact(plate):
            fix = fix_format(plate, country or self.default_country)
            if fix.fixed:
                applied.append(f"format {fix.format}: {plate} => {fix.plate}")
                plate = fix.plate
        return plate, applied

    def match_outcome(self, plate: str, read: PlateRead, camera_id: str) -> MatchOutcome:
        """Like :meth:`match`, also saying why a textual match did not apply (scope/validity)."""
        return self.matcher.match(plate, camera_id=camera_id, when=read.time)

    async def async_process(
        self, read: PlateRead, camera: CameraSettings
    ) -> tuple[Sighting, bool] | None:
        """Run one read through the pipeline.

        Returns ``(sighting, is_new)``: a new sighting (``is_new`` True; also an ``unreadable``
        event when the camera wants those), or the sighting of the same vehicle a repeat read
        or misread was merged into (``is_new`` False). None when the read was dropped (no plate,
        below the camera's minimum confidence, an unreadable repeat). Never raises for a failed
        history write (the sighting is returned without its history).
        """
        self.stats["reads"] += 1
        if not read.has_plate:
            return self._unreadable_read(read, camera)
        if read.confidence is not None and read.confidence < camera.min_confidence:
            self.stats["dropped_low_confidence"] += 1
            return None
        plate, applied = self.correct(normalise_plate(read.plate), read)
        if not plate:
            self.stats["dropped_no_plate"] += 1
            return None

        window = timedelta(seconds=camera.repeat_window)
        current = self._same_vehicle(camera.camera_id, plate, read.time, window)
        if current is not None:
            await self._merge_into(current, read, plate, camera)
            return current, False

        direction = _apply_direction_mode(read.direction, camera.direction_mode)
        outcome = self.match_outcome(plate, read, camera.camera_id)
        sighting = self._classify(read, plate, camera, direction, outcome.match, applied)
        if outcome.match is None and outcome.skipped and sighting.matched_by is None:
            sighting.reason = f"not on any list ({outcome.skipped})"
        sighting._readings[plate] = Reading(
            plate, 1, read.confidence or 0.0, sighting.listed_plate is not None, 0
        )
        sighting._recorded = asyncio.Event()
        self._recent.setdefault(camera.camera_id, []).append(sighting)
        stored = self.privacy.stored(plate) or plate
        step = None
        if self.visits is not None:
            step = self.visits.step(
                stored, camera.role, direction.value, camera.camera_id, read.time
            )
        if step is not None:
            visit = step.visit
            sighting.visit_id = visit.id
            sighting.visit_started = visit.started
            sighting.visit_action = step.action
            if step.action == ACTION_CLOSED:
                sighting.dwell_s = visit.dwell_s
        row = SightingRow(
            plate=stored,
            time=read.time,
            camera_id=camera.camera_id,
            camera=camera.name,
            category=sighting.list_category,
            list_name=sighting.list_name,
            direction=direction.value,
            confidence=read.confidence,
            read_plate=read.plate if stored == plate else None,
            sid=sighting.id,
            visit_id=sighting.visit_id,
            visit=step.visit if step else None,
            expired=step.expired if step else None,
            arrival=step is None or step.action == ACTION_OPENED,
        )
        try:
            stats = await self._record(row)
        except Exception as err:
            # A failed history write (database locked, disk full) must not lose the read:
            # show it anyway, without history.
            _LOGGER.warning(
                "Camera %s: could not record a sighting in the history (%s); shown anyway",
                camera.name,
                err,
            )
            stats = PlateStats()
        finally:
            sighting._recorded.set()
        sighting.history_id = stats.row_id
        sighting.previous_sightings = stats.count
        sighting.last_sighting = stats.last_seen
        sighting.first_seen = stats.first_seen or read.time
        sighting.visitor_class = stats.visitor_class
        sighting.usual_hour = stats.usual_hour
        self.stats["sightings"] += 1
        if sighting.event_type is None:
            self.stats["ignored"] += 1
        if step is not None and self.on_visit is not None:
            self.on_visit(step)
        return sighting, True

    def _unreadable_read(
        self, read: PlateRead, camera: CameraSettings
    ) -> tuple[Sighting, bool] | None:
        """Handle a vehicle without a readable plate.

        An ``unreadable`` event when the camera wants one (at most one per repeat window),
        else the read is dropped.
        """
        if not camera.unreadable_events:
            self.stats["dropped_no_plate"] += 1
            return None
        last = self._unreadable.get(camera.camera_id)
        if last is not None and abs(read.time - last) <= timedelta(seconds=camera.repeat_window):
            self.stats["merged"] += 1
            return None
        self._unreadable[camera.camera_id] = read.time
        self.stats["unreadable"] += 1
        sighting = Sighting(
            id=uuid.uuid4().hex,
            read=read,
            plate="",
            camera_id=camera.camera_id,
            camera=camera.name,
            time=read.time,
            direction=_apply_direction_mode(read.direction, camera.direction_mode),
            event_type=EVENT_UNREADABLE,
            description="Vehicle without a readable plate",
            priority="high",
            reason="no readable plate",
        )
        return sighting, True

    def _same_vehicle(
        self, camera_id: str, plate: str, when: datetime, window: timedelta
    ) -> Sighting | None:
        """Return the sighting on this camera inside the window that ``plate`` belongs to.

        The same reading first, else one edit apart (core/misreads.py); None when none.
        """
        recent = self._recent.get(camera_id)
        if not recent:
            return None
        recent[:] = [s for s in recent if abs(when - s.read.time) <= window]
        for sighting in recent:
            if plate in sighting._readings:
                return sighting
        listed = self.lists.is_listed(plate)
        for sighting in recent:
            if same_vehicle(
                plate, sighting.plate,
                plate_listed=listed, other_listed=sighting.listed_plate is not None,
            ):  # fmt: skip
                return sighting
        return None

    async def _merge_into(
        self, current: Sighting, read: PlateRead, plate: str, camera: CameraSettings
    ) -> None:
        """Merge a repeat read (or a misread of the same vehicle) into ``current``."""
        _merge(current.read, read)
        current.reads += 1
        if current.direction is Direction.UNKNOWN:
            # A later read of the same vehicle may be the first to report its direction.
            current.direction = _apply_direction_mode(
                current.read.direction, camera.direction_mode
            )
        self.stats["merged"] += 1
        before = current.plate
        reading = current._readings.get(plate)
        confidence = read.confidence or 0.0
        if reading is None:
            self.stats["merged_misreads"] += 1
            reading = Reading(plate, 0, confidence, self.lists.is_listed(plate),
                              len(current._readings))  # fmt: skip
        current._readings[plate] = Reading(
            plate, reading.count + 1, max(reading.confidence, confidence), reading.listed,
            reading.first,
        )  # fmt: skip
        changed_alternatives = len(current._readings) > 1 and plate != current.plate
        best = best_reading(list(current._readings.values()))
        if best != current.plate:
            outcome = self.match_outcome(best, current.read, camera.camera_id)
            fresh = self._classify(
                current.read, best, camera, current.direction, outcome.match,
                current.corrections,
            )  # fmt: skip
            for attr in ("plate", "event_type", "list_category", "list_name", "description",
                         "priority", "matched_by", "reason", "rule", "listed_plate",
                         "plate_format"):  # fmt: skip
                setattr(current, attr, getattr(fresh, attr))
        current.alternatives = {
            p: r.count for p, r in current._readings.items() if p != current.plate
        }
        if (changed_alternatives or best != before) and self._amend is not None:
            if current._recorded is not None:
                await current._recorded.wait()
            stored = self.privacy.stored(current.plate) or current.plate
            old_stored = self.privacy.stored(before) or before
            if stored != old_stored and self.visits is not None:
                visit = self.visits.open.get(old_stored)
                if visit is not None and visit.id == current.visit_id and visit.reads == 1:
                    self.visits.rename(old_stored, stored)
            alternatives = {
                self.privacy.stored(p) or p: n for p, n in current.alternatives.items()
            }
            try:
                await self._amend(current.id, stored, alternatives)
            except Exception as err:
                _LOGGER.warning("Could not update a merged sighting in the history: %s", err)

    def _plate_format(self, plate: str, read: PlateRead) -> str | None:
        """Name of the country format the plate fits (matching.py), or None."""
        country = country_code(read.country) or self.default_country
        return fix_format(plate, country).format if country else None

    def _classify(
        self,
        read: PlateRead,
        plate: str,
        camera: CameraSettings,
        direction: Direction,
        found: ListMatch | None,
        applied: list[str],
    ) -> Sighting:
        category: str | None = None
        list_name = None
        description = "Unknown vehicle"
        priority = "high"
        matched_by = None
        rule: str | None = None
        listed_plate: str | None = None
        reason = "not on any list"
        if found is not None:
            category = found.group.category
            list_name = found.group.name
            description = found.entry.description or found.group.description or found.group.name
            priority = found.group.priority
            matched_by = found.matched_by
            reason = found.reason
            rule = found.rule
            listed_plate = found.entry.plate
        elif read.camera_list in (CameraListVerdict.ALLOWED, CameraListVerdict.ALERT):
            category = (
                CATEGORY_ALLOWED
                if read.camera_list is CameraListVerdict.ALLOWED
                else CATEGORY_ALERT
            )
            list_name = read.camera_list_name or category
            description = list_name
            priority = "critical" if category == CATEGORY_ALERT else "medium"
            matched_by = "camera"
            reason = f"camera list {list_name}"
        event_type = {
            CATEGORY_ALLOWED: EVENT_KNOWN,
            CATEGORY_ALERT: EVENT_ALERT,
            CATEGORY_IGNORED: None,
            None: EVENT_UNKNOWN,
        }[category]
        return Sighting(
            id=uuid.uuid4().hex,
            read=read,
            plate=plate,
            camera_id=camera.camera_id,
            camera=camera.name,
            time=read.time,
            direction=direction,
            event_type=event_type,
            list_category=category,
            list_name=list_name,
            description=description,
            priority=priority,
            matched_by=matched_by,
            reason=reason,
            rule=rule,
            listed_plate=listed_plate,
            plate_format=self._plate_format(plate, read),
            corrections=applied,
        )


def _apply_direction_mode(direction: Direction, mode: str) -> Direction:
    if mode == DIRECTION_ENTRY_ONLY:
        return Direction.IN
    if mode == DIRECTION_EXIT_ONLY:
        return Direction.OUT
    if mode == DIRECTION_SWAPPED:
        return {Direction.IN: Direction.OUT, Direction.OUT: Direction.IN}.get(
            direction, Direction.UNKNOWN
        )
    return direction
