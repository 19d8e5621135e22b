"""Validity windows of listed plates (no Home Assistant import).

A window says *when* a listed plate counts as listed (README "Plate lists"; like
NumberOK's date/time/weekday schedules): an optional date range, optional weekdays and
an optional daily time range. Times are wall-clock times in Home Assistant's time zone, so a
window keeps meaning "09:00-12:00" across DST changes. A time range whose end is before its start
runs across midnight ("22:00-06:00"): it belongs to the day it *starts* on, so weekdays and dates
are checked against that day.

Text form (CSV import/export, options-flow editor), tokens in any order, separated by spaces::

    2025-01-01..2025-06-30   date range (either side may be empty: "..2025-06-30")
    Mon-Fri  or  Tue,Thu     weekdays (English three-letter names, ranges allowed)
    09:00-12:00              daily time range (end before start = across midnight)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
import re
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DATE_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})?\.\.(\d{4}-\d{2}-\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ValidityError(ValueError):
    """A validity text or dict could not be parsed; ``str(err)`` names the bad token."""


@dataclass(frozen=True, kw_only=True)
class Validity:
    """When a list entry applies.

    ``start_date``/``end_date``: inclusive local dates or None (open). ``weekdays``: 0=Monday …
    6=Sunday; empty means every day. ``start_time``/``end_time``: local wall-clock times; both None
    means all day; ``end_time <= start_time`` means the window runs across midnight.
    """

    start_date: date | None = None
    end_date: date | None = None
    weekdays: frozenset[int] = field(default_factory=frozenset)
    start_time: time | None = None
    end_time: time | None = None

    def __post_init__(self) -> None:
        """Check the parts are consistent; raises :class:`ValidityError`."""
        if (self.start_time is None) != (self.end_time is None):
            raise ValidityError("a time range needs a start and an end")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidityError("the end date is before the start date")
        if any(d < 0 or d > 6 for d in self.weekdays):
            raise ValidityError("weekday out of range")

    @property
    def overnight(self) -> bool:
        """True when the daily time range runs across midnight."""
        return (
            self.start_time is not None
            and self.end_time is not None
            and self.end_time <= self.start_time
        )

    def _day_ok(self, day: date) -> bool:
        if self.start_date is not None and day < self.start_date:
            return False
        if self.end_date is not None and day > self.end_date:
            return False
        return not self.weekdays or day.weekday() in self.weekdays

    def active(self, when: datetime, tz: tzinfo) -> bool:
        """Return True when the aware datetime ``when`` falls inside the window in ``tz``.

        Wall-clock comparison in ``tz``: during the repeated hour at the end of DST both
        instants with the same wall time are inside a window containing that time; times that
        do not exist (skipped hour in spring) simply never occur.
        """
        local = when.astimezone(tz)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        if self.start_time is None or self.end_time is None:
            return self._day_ok(day)
        if not self.overnight:
            return self._day_ok(day) and self.start_time <= clock < self.end_time
        if clock >= self.start_time:
            return self._day_ok(day)
        if clock < self.end_time:
            return self._day_ok(day - timedelta(days=1))
        return False

    # --- text and storage forms -------------------------------------------------------------

    def to_text(self) -> str:
        """Return the text form (see module docstring); empty string for "always"."""
        parts: list[str] = []
        if self.start_date or self.end_date:
            start = self.start_date.isoformat() if self.start_date else ""
            end = self.end_date.isoformat() if self.end_date else ""
            parts.append(f"{start}..{end}")
        if self.weekdays:
            parts.append(",".join(WEEKDAYS[d].title() for d in sorted(self.weekdays)))
        if self.start_time is not None and self.end_time is not None:
            parts.append(f"{self.start_time:%H:%M}-{self.end_time:%H:%M}")
        return " ".join(parts)

    @classmethod
    def parse(cls, text: str) -> Validity | None:
        """Parse the text form; empty text gives None. Raises :class:`ValidityError`."""
        start_date = end_date = None
        weekdays: set[int] = set()
        start_time = end_time = None
        for token in text.split():
            if m := _TIME_RANGE.match(token):
                h1, m1, h2, m2 = (int(x) for x in m.groups())
                try:
                    start_time, end_time = time(h1, m1), time(h2 % 24, m2)
                except ValueError as err:
                    raise ValidityError(f"bad time range {token!r}") from err
                if h2 == 24 and m2 == 0:
                    end_time = time(0, 0)
            elif m := _DATE_RANGE.match(token):
                try:
                    start_date = date.fromisoformat(m.group(1)) if m.group(1) else None
                    end_date = date.fromisoformat(m.group(2)) if m.group(2) else None
                except ValueError as err:
                    raise ValidityError(f"bad date range {token!r}") from err
            elif _DATE.match(token):
                try:
                    start_date = end_date = date.fromisoformat(token)
                except ValueError as err:
                    raise ValidityError(f"bad date {token!r}") from err
            else:
                weekdays |= _parse_weekdays(token)
        if start_date is None and end_date is None and start_time is None and not weekdays:
            return None
        return cls(
            start_date=start_date,
            end_date=end_date,
            weekdays=frozenset(weekdays),
            start_time=start_time,
            end_time=end_time,
        )

    def as_dict(self) -> dict[str, Any]:
        """Storage form (JSON types)."""
        return {
            "start_date": self.start_date.isoformat() if self.start_date else None,
            "end_date": self.end_date.isoformat() if self.end_date else None,
            "weekdays": sorted(self.weekdays),
            "start_time": self.start_time.strftime("%H:%M") if self.start_time else None,
            "end_time": self.end_time.strftime("%H:%M") if self.end_time else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | str | None) -> Validity | None:
        """Rebuild from :meth:`as_dict` output (or the text form); raises ValidityError."""
        if data is None or data == {}:
            return None
        if isinstance(data, str):
            return cls.parse(data)
        try:
            return cls(
                start_date=date.fromisoformat(data["start_date"])
                if data.get("start_date")
                else None,
                end_date=date.fromisoformat(data["end_date"]) if data.get("end_date") else None,
                weekdays=frozenset(int(d) for d in data.get("weekdays") or ()),
                start_time=time.fromisoformat(data["start_time"])
                if data.get("start_time")
                else None,
                end_time=time.fromisoformat(data["end_time"]) if data.get("end_time") else None,
            )
        except (TypeError, ValueError, KeyError) as err:
            raise ValidityError(str(err)) from err


def _parse_weekdays(token: str) -> set[int]:
    days: set[int] = set()
    for part in token.lower().split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            a = WEEKDAYS.index(first[:3])
            b = WEEKDAYS.index(last[:3]) if last else a
        except ValueError as err:
            raise ValidityError(f"not a weekday, date or time range: {token!r}") from err
        if len(first) < 3 or (last and len(last) < 3):
            raise ValidityError(f"not a weekday, date or time range: {token!r}")
        i = a
        while True:
            days.add(i)
            if i == b:
                break
            i = (i + 1) % 7
    return days
