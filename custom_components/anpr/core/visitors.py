"""Visitor classes from a plate's history, kept incrementally. No HA import.

Each plate has a :class:`VisitorProfile` of a few integers, updated in O(1) per sighting (the
history is never scanned per read). Days are *local* calendar days (the site's time zone) as
proleptic ordinals; ``D`` is the day of the read being classified, ``S`` the set of days on
which the plate was seen (this read included) and ``F`` the first of them.

Classes (checked in this order, the first that holds wins):

* ``first_time``: ``F == D`` — never seen on an earlier day (repeat passes on its first day
  stay first-time);
* ``daily``: seen on at least 5 of the 7 days ``D-6..D`` *and* at least 5 of ``D-13..D-7``;
* ``weekly``: seen on at least one day of ``D-6..D`` (always true) *and* of ``D-13..D-7``;
* ``occasional``: no two consecutive sighting days since ``F`` (up to ``D``) are more than 30
  days apart, i.e. no 30-day stretch without a sighting since it was first seen;
* ``rare``: seen before, but with a longer gap.

The *usual arrival hour* is the local hour (0-23) with the most arrivals (a sighting that opened
a visit, or any sighting on a camera that does not track visits); ties go to the earlier hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

CLASS_FIRST_TIME = "first_time"
CLASS_DAILY = "daily"
CLASS_WEEKLY = "weekly"
CLASS_OCCASIONAL = "occasional"
CLASS_RARE = "rare"
VISITOR_CLASSES = [CLASS_FIRST_TIME, CLASS_DAILY, CLASS_WEEKLY, CLASS_OCCASIONAL, CLASS_RARE]

#: Days remembered in the bit mask (bit i = seen on ``last_day - i``); fits a signed 64-bit int.
MASK_DAYS = 62
_FULL = (1 << MASK_DAYS) - 1
DAILY_MIN_DAYS = 5
OCCASIONAL_MAX_GAP = 30


def local_day(when: datetime, tz: tzinfo) -> tuple[int, int]:
    """Return ``(day ordinal, hour)`` of an aware datetime in ``tz``."""
    local = when.astimezone(tz)
    return local.toordinal(), local.hour


@dataclass(slots=True)
class VisitorProfile:
    """What a plate's classes are computed from. ``hours``: 24 arrival counts."""

    first_day: int
    last_day: int
    mask: int = 1
    max_gap: int = 0
    hours: list[int] = field(default_factory=lambda: [0] * 24)

    @classmethod
    def new(cls, day: int) -> VisitorProfile:
        """Profile of a plate first seen on ``day``."""
        return cls(first_day=day, last_day=day)

    def seen(self, day: int, hour: int | None = None) -> None:
        """Add one sighting on ``day``; ``hour`` (0-23) when it was an arrival."""
        if day > self.last_day:
            gap = day - self.last_day
            self.max_gap = max(self.max_gap, gap)
            self.mask = ((self.mask << gap) | 1) & _FULL if gap < MASK_DAYS else 1
            self.last_day = day
        elif day == self.last_day:
            self.mask |= 1
        else:  # a late delivery (catch-up) from an earlier day
            offset = self.last_day - day
            if offset < MASK_DAYS:
                self.mask |= 1 << offset
            if day < self.first_day:
                self.max_gap = max(self.max_gap, self.first_day - day)
                self.first_day = day
        if hour is not None:
            self.hours[hour] += 1

    def days_in(self, day: int, start_back: int, length: int = 7) -> int:
        """Sighting days among ``day-start_back-length+1 .. day-start_back``."""
        offset = self.last_day - day + start_back
        mask = self.mask >> offset if offset >= 0 else self.mask << -offset
        return (mask & ((1 << length) - 1)).bit_count()

    def classify(self, day: int) -> str:
        """Visitor class on ``day`` (see the module docstring)."""
        if self.first_day >= day:
            return CLASS_FIRST_TIME
        this_week = self.days_in(day, 0)
        last_week = self.days_in(day, 7)
        if this_week >= DAILY_MIN_DAYS and last_week >= DAILY_MIN_DAYS:
            return CLASS_DAILY
        if this_week and last_week:
            return CLASS_WEEKLY
        if self.max_gap <= OCCASIONAL_MAX_GAP:
            return CLASS_OCCASIONAL
        return CLASS_RARE

    @property
    def usual_hour(self) -> int | None:
        """Local hour with the most arrivals, or None when no arrival was counted."""
        best = max(range(24), key=lambda h: (self.hours[h], -h))
        return best if self.hours[best] else None

    def encode_hours(self) -> str:
        """Storage form of ``hours``: 24 comma-separated counts."""
        return ",".join(map(str, self.hours))

    @staticmethod
    def decode_hours(text: str | None) -> list[int]:
        """Inverse of :meth:`encode_hours` (a malformed value gives zeros)."""
        try:
            hours = [int(v) for v in (text or "").split(",")]
        except ValueError:
            hours = []
        return hours if len(hours) == 24 else [0] * 24


def rebuild(days: Iterable[int], arrival_hours: Iterable[int]) -> VisitorProfile | None:
    """Profile from a plate's stored sighting days and arrival hours (after purges/migration)."""
    ordered = sorted(set(days))
    if not ordered:
        return None
    profile = VisitorProfile.new(ordered[0])
    for day in ordered[1:]:
        profile.seen(day)
    for hour in arrival_hours:
        if 0 <= hour < 24:
            profile.hours[hour] += 1
    return profile
