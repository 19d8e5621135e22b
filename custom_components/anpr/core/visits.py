"""Visits: entry → exit of one vehicle, with dwell time. No Home Assistant import.

A *visit* is one stay of a vehicle on the site. What a read means depends on the camera's
*role* (a camera subentry setting):

* ``entry``: every read is an arrival; ``exit``: every read is a departure;
* ``both``: the read's direction decides (``in`` arrival, ``out`` departure; a read without a
  direction counts as *seen on site*: it adds to an open visit or opens one);
* ``pass_by``: the camera watches a road, not the site: its reads never touch visits.

State machine per vehicle (the stored plate form, see :mod:`.privacy`), all times aware UTC:

* arrival or seen, no open visit → a visit **opens** (``status`` ``open``);
* arrival or seen, visit open → the read **adds** to it (``reads`` + 1, ``last_seen`` moves);
* departure, visit open → the visit **closes** (``closed``, ``dwell_s`` = exit − entry);
* departure, no open visit → an **exit without entry** is recorded (``exit_only``, no start);
* no read for ``timeout`` after the last one → the visit closes as ``no_exit`` ("no exit seen";
  it ends at its last read, so its dwell is the time the vehicle was *seen* on site).

The tracker keeps only the open visits in memory (one small object per vehicle on site); the
history (``history.py``) stores every visit and loads the open ones back after a restart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
import uuid

ROLE_ENTRY = "entry"
ROLE_EXIT = "exit"
ROLE_BOTH = "both"
ROLE_PASS_BY = "pass_by"
CAMERA_ROLES = [ROLE_BOTH, ROLE_ENTRY, ROLE_EXIT, ROLE_PASS_BY]
DEFAULT_ROLE = ROLE_BOTH

STATUS_OPEN = "open"
STATUS_CLOSED = "closed"
STATUS_NO_EXIT = "no_exit"
STATUS_EXIT_ONLY = "exit_only"
STATUSES = [STATUS_OPEN, STATUS_CLOSED, STATUS_NO_EXIT, STATUS_EXIT_ONLY]

#: What a step did, as shown on the sighting (``visit_action``).
ACTION_OPENED = "opened"
ACTION_CONTINUED = "continued"
ACTION_CLOSED = "closed"
ACTION_EXIT_WITHOUT_ENTRY = "exit_without_entry"

MEANING_ARRIVAL = "arrival"
MEANING_DEPARTURE = "departure"
MEANING_SEEN = "seen"


def read_meaning(role: str, direction: str) -> str | None:
    """Map a camera role and a read's direction (``in``/``out``/``unknown``) to its meaning.

    Returns ``"arrival"``, ``"departure"``, ``"seen"`` or None (pass-by camera: no visit).
    An unknown role is treated as ``both``.
    """
    if role == ROLE_PASS_BY:
        return None
    if role == ROLE_ENTRY:
        return MEANING_ARRIVAL
    if role == ROLE_EXIT:
        return MEANING_DEPARTURE
    if direction == "in":
        return MEANING_ARRIVAL
    if direction == "out":
        return MEANING_DEPARTURE
    return MEANING_SEEN


@dataclass(slots=True, kw_only=True)
class Visit:
    """One visit. ``plate`` is the stored form (hashed in privacy mode).

    ``started`` is None for an exit without entry; ``ended`` is None while open; ``reads``
    counts the sightings in the visit; cameras are camera subentry ids.
    """

    id: str
    plate: str
    started: datetime | None
    last_seen: datetime
    ended: datetime | None = None
    status: str = STATUS_OPEN
    entry_camera: str | None = None
    exit_camera: str | None = None
    reads: int = 1

    @property
    def dwell_s(self) -> float | None:
        """Seconds from entry to exit (or to the last read for ``no_exit``); None otherwise."""
        if self.started is None or self.ended is None:
            return None
        return max(0.0, (self.ended - self.started).total_seconds())

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (ISO times, ``dwell_s`` rounded to 0.1 s)."""
        dwell = self.dwell_s
        return {
            "id": self.id,
            "plate": self.plate,
            "status": self.status,
            "started": self.started.isoformat() if self.started else None,
            "ended": self.ended.isoformat() if self.ended else None,
            "last_seen": self.last_seen.isoformat(),
            "dwell_s": None if dwell is None else round(dwell, 1),
            "entry_camera": self.entry_camera,
            "exit_camera": self.exit_camera,
            "reads": self.reads,
        }


@dataclass(frozen=True, slots=True)
class VisitStep:
    """Result of one read.

    ``visit`` is a snapshot to store; ``expired`` an older open visit of the
    same vehicle that timed out before this read (store it too).
    """

    action: str
    visit: Visit
    expired: Visit | None = None


class VisitTracker:
    """The open visits of a site. Not thread-safe; the integration calls it in the event loop.

    ``timeout``: a visit without a read for this long closes as ``no_exit`` (None = never).
    """

    def __init__(
        self, timeout: timedelta | None, new_id: Callable[[], str] | None = None
    ) -> None:
        """Create an empty tracker; :meth:`load` the open visits from the history next."""
        self.timeout = timeout
        self._new_id = new_id or (lambda: uuid.uuid4().hex)
        self.open: dict[str, Visit] = {}

    def load(self, visits: Iterable[Visit]) -> None:
        """Take the open visits read back from the history (after a restart)."""
        for visit in visits:
            if visit.status == STATUS_OPEN:
                self.open[visit.plate] = visit

    @property
    def on_site(self) -> int:
        """Number of vehicles with an open visit."""
        return len(self.open)

    def _timed_out(self, visit: Visit, now: datetime) -> bool:
        return self.timeout is not None and now - visit.last_seen >= self.timeout

    def _close_no_exit(self, visit: Visit) -> Visit:
        del self.open[visit.plate]
        visit.status = STATUS_NO_EXIT
        visit.ended = visit.last_seen
        return replace(visit)

    def step(
        self, plate: str, role: str, direction: str, camera_id: str, time: datetime
    ) -> VisitStep | None:
        """Apply one new sighting; returns what happened, or None (pass-by camera, no plate)."""
        meaning = read_meaning(role, direction)
        if meaning is None or not plate:
            return None
        current = self.open.get(plate)
        expired = None
        if current is not None and self._timed_out(current, time):
            expired = self._close_no_exit(current)
            current = None
        if meaning == MEANING_DEPARTURE:
            if current is None:
                visit = Visit(
                    id=self._new_id(), plate=plate, started=None, last_seen=time, ended=time,
                    status=STATUS_EXIT_ONLY, exit_camera=camera_id,
                )  # fmt: skip
                return VisitStep(ACTION_EXIT_WITHOUT_ENTRY, visit, expired)
            del self.open[plate]
            current.reads += 1
            current.last_seen = max(current.last_seen, time)
            current.ended = max(time, current.started or time)
            current.status = STATUS_CLOSED
            current.exit_camera = camera_id
            return VisitStep(ACTION_CLOSED, replace(current), expired)
        if current is None:
            visit = Visit(
                id=self._new_id(), plate=plate, started=time, last_seen=time,
                entry_camera=camera_id,
            )  # fmt: skip
            self.open[plate] = visit
            return VisitStep(ACTION_OPENED, replace(visit), expired)
        current.reads += 1
        current.last_seen = max(current.last_seen, time)
        return VisitStep(ACTION_CONTINUED, replace(current), expired)

    def expire(self, now: datetime) -> list[Visit]:
        """Close every open visit whose last read is ``timeout`` or more before ``now``."""
        return [
            self._close_no_exit(visit)
            for visit in list(self.open.values())
            if self._timed_out(visit, now)
        ]

    def rename(self, old: str, new: str) -> None:
        """Move an open visit to another plate form (privacy rewrite, confirmed reading)."""
        visit = self.open.pop(old, None)
        if visit is not None and new not in self.open:
            visit.plate = new
            self.open[new] = visit

    def forget(self, plate: str) -> None:
        """Drop a plate's open visit (purge of everything about a plate)."""
        self.open.pop(plate, None)
