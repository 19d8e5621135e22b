"""The read pipeline: one path for every source (DESIGN.md "The read pipeline").

``PlateRead → normalise → corrections (incl. learnt misreads) → confidence gate → repeat/merge
window (misreads one edit apart merge, core/misreads.py) → list match → visit step
(core/visits.py) → sighting recorded (stored plate form, core/privacy.py; visitor class,
core/visitors.py) → Sighting``. The pipeline does not import Home Assistant; the runtime gives
it the history recorder (an async callable running on the history thread) and receives each
:class:`Sighting` through ``on_sighting``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import re
from typing import Any
import uuid

from ..const import (
    CATEGORY_ALERT,
    CATEGORY_ALLOWED,
    CATEGORY_IGNORED,
    EVENT_ALERT,
    EVENT_KNOWN,
    EVENT_UNKNOWN,
    EVENT_UNREADABLE,
    LOGGER,
)
from ..protocols.models import CameraListVerdict, Direction, ImageRole, PlateRead, ReadImage
from .history import PlateStats, SightingRow
from .matching import Matcher, MatchOutcome, country_code, fix_format
from .misreads import LearntMisreads, Reading, best_reading, same_vehicle
from .plates import ListMatch, PlateLists, normalise_plate
from .privacy import PrivacyPolicy
from .visits import (
    ACTION_CLOSED,
    ACTION_OPENED,
    DEFAULT_ROLE,
    VisitStep,
    VisitTracker,
)

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


@dataclass(kw_only=True)
class Sighting:
    """A processed read: what entities, the bus event and the MQTT mirror show.

    ``event_type`` is ``known`` / ``unknown`` / ``alert`` (the event entity types) or None for
    an ignored plate (no event fires). ``previous_sightings`` and ``last_sighting`` describe the
    plate's history *before* this sighting. ``reads`` counts the reads merged into it.
    """

    id: str
    read: PlateRead
    plate: str
    camera_id: str
    camera: str
    time: datetime
    direction: Direction
    event_type: str | None
    list_category: str | None = None
    list_name: str | None = None
    description: str
    priority: str
    matched_by: str | None = None
    reason: str
    rule: str | None = None
    listed_plate: str | None = None
    plate_format: str | None = None
    corrections: list[str] = field(default_factory=list)
    previous_sightings: int = 0
    last_sighting: datetime | None = None
    first_seen: datetime | None = None
    reginfo: dict[str, Any] | None = None
    reads: int = 1
    #: Visit this sighting belongs to (None: pass-by camera or unreadable).
    visit_id: str | None = None
    visit_started: datetime | None = None
    #: ``opened`` / ``continued`` / ``closed`` / ``exit_without_entry`` (core/visits.py).
    visit_action: str | None = None
    #: Seconds on site, on the sighting that closed the visit.
    dwell_s: float | None = None
    visitor_class: str | None = None
    usual_hour: int | None = None
    #: Other readings merged into this sighting (misreads): ``{plate: reads}``.
    alternatives: dict[str, int] = field(default_factory=dict)
    _readings: dict[str, Reading] = field(default_factory=dict, repr=False)
    _recorded: asyncio.Event | None = field(default=None, repr=False)
    #: Id of the sighting's history row (None when the history write failed).
    history_id: int | None = None

    def image(self, *roles: ImageRole) -> ReadImage | None:
        """Return the best picture for ``roles`` (see :meth:`PlateRead.image`)."""
        return self.read.image(*roles)

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON-friendly sighting (anpr2mqtt-compatible names; no image bytes)."""
        read = self.read
        return {
            "id": self.id,
            "plate": self.plate,
            "read_plate": read.plate,
            "original_plate": read.original_plate,
            "camera": self.camera,
            "camera_id": self.camera_id,
            "time": self.time.isoformat(),
            "direction": self.direction.value,
            "direction_raw": read.direction_raw,
            "confidence": read.confidence,
            "event_type": self.event_type,
            "category": self.list_category,
            "list": self.list_name,
            "description": self.description,
            "priority": self.priority,
            "matched_by": self.matched_by,
            "reason": self.reason,
            "rule": self.rule,
            "listed_plate": self.listed_plate,
            "plate_format": self.plate_format,
            "corrections": list(self.corrections),
            "known": self.list_category == CATEGORY_ALLOWED,
            "dangerous": self.list_category == CATEGORY_ALERT,
            "ignore": self.list_category == CATEGORY_IGNORED,
            "previous_sightings": self.previous_sightings,
            "last_sighting": self.last_sighting.isoformat() if self.last_sighting else None,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "country": read.country,
            "plate_colour": read.plate_colour,
            "plate_type": read.plate_type,
            "vehicle_type": read.vehicle_type,
            "vehicle_colour": read.vehicle_colour,
            "vehicle_make": read.vehicle_make,
            "vehicle_model": read.vehicle_model,
            "speed": read.speed,
            "lane": read.lane,
            "source": read.source,
            "vendor_id": read.vendor_id,
            "reginfo": self.reginfo,
            "reads": self.reads,
            "visit_id": self.visit_id,
            "visit_started": self.visit_started.isoformat() if self.visit_started else None,
            "visit_action": self.visit_action,
            "dwell_s": None if self.dwell_s is None else round(self.dwell_s, 1),
            "visitor_class": self.visitor_class,
            "usual_hour": self.usual_hour,
            "alternatives": dict(self.alternatives),
            # Delivered late (Hikvision plate-log / ONVIF catch-up after a reconnection): the
            # time is the capture time; automations that open gates should skip these.
            "catch_up": bool(read.extra.get("catch_up")),
            # Answer to a manual trigger (button / trigger_recognition).
            "manual": bool(read.extra.get("trigger")),
            "images": [img.role.value for img in read.images],
        }


SightingCallback = Callable[[Sighting, bool], None]
"""Called with (sighting, is_new): ``is_new`` False means a repeat read updated it."""
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
    """Turns reads into sightings. All methods run in the event loop."""

    def __init__(
        self,
        *,
        lists: PlateLists,
        recorder: Recorder,
        on_sighting: SightingCallback,
        corrections: list[str] | None = None,
        fuzzy_distance: int = 1,
        amender: Amender | None = None,
    ) -> None:
        """Create the pipeline around the list store and the history recorder."""
        self.lists = lists
        self._record = recorder
        self._on_sighting = on_sighting
        self.corrections: list[Correction] = []
        self.fuzzy_distance = fuzzy_distance
        #: List matcher (matching.py): exact/alias, per-plate rules, fuzzy, validity, scope.
        self.matcher = Matcher(lists, fuzzy_distance=fuzzy_distance)
        #: Country whose plate formats apply when a read carries no country (None = no fixes).
        self.default_country: str | None = None
        self.set_corrections(corrections or [])
        self._amend = amender
        #: Open visits (None: visits off); stored plate forms; see core/visits.py.
        self.visits: VisitTracker | None = None
        #: Called with each visit step (site sensors).
        self.on_visit: Callable[[VisitStep], None] | None = None
        #: Stored form of plates (privacy mode hashes unlisted plates).
        self.privacy = PrivacyPolicy(None, self.is_listed)
        #: Misreads learnt from confirmed corrections (core/misreads.py).
        self.learnt = LearntMisreads()
        # camera_id -> sightings still inside their repeat window (few per camera)
        self._recent: dict[str, list[Sighting]] = {}
        self._unreadable: dict[str, datetime] = {}
        self.stats = {"reads": 0, "sightings": 0, "merged": 0, "merged_misreads": 0,
                      "dropped_no_plate": 0, "dropped_low_confidence": 0, "ignored": 0,
                      "unreadable": 0}  # fmt: skip

    def is_listed(self, plate: str) -> bool:
        """Return True when ``plate`` is a listed plate or alternative reading (exact).

        True when ``plate`` is a listed plate or alternative reading (exact).
        """
        return bool(self.lists.exact(plate))

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
        self.matcher.fuzzy_distance = max(0, int(self.fuzzy_distance))
        return self.matcher.match(plate, camera_id=camera_id, when=read.time)

    async def async_process(self, read: PlateRead, camera: CameraSettings) -> Sighting | None:
        """Run one read through the pipeline. Returns the sighting (new or merged) or None."""
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
            return current

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
            # Fault-injection finding (tests/test_faults.py::test_history_database_locked): a
            # failed history write (database locked by another process, disk full) raised out
            # of here and the read never reached the user. Show it anyway, without history.
            LOGGER.warning(
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
        self._on_sighting(sighting, True)
        return sighting

    def _unreadable_read(self, read: PlateRead, camera: CameraSettings) -> Sighting | None:
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
        self._on_sighting(sighting, True)
        return sighting

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
        listed = self.is_listed(plate)
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
            reading = Reading(plate, 0, confidence, self.is_listed(plate),
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
                LOGGER.warning("Could not update a merged sighting in the history: %s", err)
        self._on_sighting(current, False)

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
