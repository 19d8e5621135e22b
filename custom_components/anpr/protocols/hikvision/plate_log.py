"""Hikvision plate log (catch-up): the ``<Plates>`` answer and exactly-once delivery bookkeeping.

Pure module (no Home Assistant import). ``POST /ISAPI/Traffic/channels/<ch>/vehicleDetect/plates``
with ``<AfterTime><picTime>…</picTime></AfterTime>`` lists the reads the camera stored after a
cursor; ``picName``/``picTime`` stay strings (they can be 25 digits). Source:
``docs/protocols.md``, "Hikvision ISAPI", "Plate log (catch-up)"; Hikvision "ISAPI Developer
Guide", traffic chapter (``vehicleDetect/plates``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
import re
from typing import Any

from ..models import Direction, PlateRead, direction_from_vendor, is_no_plate
from .documents import (
    SOURCE,
    HikvisionError,
    find_all,
    find_text,
    int_text,
    list_verdict,
    local_tag,
    parse_time,
    parse_xml,
)

#: Cap for a plate-log answer (bytes).
MAX_PLATES_SIZE = 4 * 1024 * 1024


def pic_name_key(pic_name: str) -> str:
    """Sort key for ``picName``/``picTime`` strings, never converted to a number.

    Both start with ``yyyyMMddHHmmss`` followed by sub-second/sequence digits of varying width
    (18 or 25 digits seen), so they compare as right-padded strings, like decimal fractions.
    """
    return pic_name.strip().ljust(40, "0")


@dataclass(slots=True, kw_only=True)
class PlateLogEntry:
    """One ``<Plate>`` of the plate log; ``pic_name`` stays a string (it can be 25 digits)."""

    pic_name: str
    plate: str
    capture_time: str | None = None
    country: str | None = None
    lane: int | None = None
    direction: str | None = None
    matching_result: str | None = None

    def to_read(
        self, *, direction_map: Mapping[str, Direction] | None = None, tz: tzinfo = UTC
    ) -> PlateRead:
        """Build the :class:`PlateRead` (vendor_id = picName, ``extra["catch_up"]`` = True)."""
        when = parse_time(self.capture_time, tz) or parse_time(self.pic_name, tz)
        return PlateRead(
            plate=self.plate,
            time=when or datetime.now(UTC),
            source=SOURCE,
            direction=direction_from_vendor(self.direction, dict(direction_map or {})),
            direction_raw=self.direction,
            country=self.country,
            lane=self.lane,
            vendor_id=self.pic_name,
            camera_list=list_verdict(self.matching_result),
            camera_list_name=self.matching_result,
            extra={"pic_name": self.pic_name, "catch_up": True},
        )


def parse_plates(data: bytes, max_size: int = MAX_PLATES_SIZE) -> list[PlateLogEntry]:
    """Parse a ``<Plates>`` plate-log answer; entries sorted by picName (oldest first).

    A single ``<Plate>`` is not wrapped; entries without picName are skipped; "no plate" entries
    are kept (the caller decides). Raises :class:`HikvisionError` for bad XML.
    Source: ``POST /ISAPI/Traffic/channels/<ch>/vehicleDetect/plates``; ``docs/protocols.md``,
    "Hikvision ISAPI", "Plate log (catch-up)".
    """
    roots = parse_xml(data, max_size)
    root = roots[0]
    if local_tag(root.tag) == "Plate":
        plates = roots
    elif local_tag(root.tag) == "Plates":
        plates = list(find_all(root, "Plate"))
    else:
        raise HikvisionError(f"unexpected plate-log root <{local_tag(root.tag)}>")
    out: list[PlateLogEntry] = []
    for plate in plates:
        pic_name = find_text(plate, "picName")
        if not pic_name:
            continue
        out.append(
            PlateLogEntry(
                pic_name=pic_name,
                plate=find_text(plate, "plateNumber") or "",
                capture_time=find_text(plate, "captureTime"),
                country=find_text(plate, "country"),
                lane=int_text(find_text(plate, "laneNo")),
                direction=find_text(plate, "direction"),
                matching_result=find_text(plate, "matchingResult"),
            )
        )
    out.sort(key=lambda e: pic_name_key(e.pic_name))
    return out


def plates_request_body(pic_time: str) -> bytes:
    """Body of the plate-log request: ``<AfterTime><picTime>…</picTime></AfterTime>``."""
    if not pic_time.isdigit():
        raise HikvisionError("picTime must be digits")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<AfterTime><picTime>{pic_time}</picTime></AfterTime>"
    ).encode()


def pic_time_for(moment: datetime, tz: tzinfo = UTC) -> str:
    """Format a datetime as an 18-digit ``picTime`` cursor in the camera's zone."""
    return moment.astimezone(tz).strftime("%Y%m%d%H%M%S") + "0000"


def pic_time_before(moment: datetime, seconds: float, tz: tzinfo = UTC) -> str:
    """Return a ``picTime`` cursor ``seconds`` before ``moment``."""
    return pic_time_for(moment - timedelta(seconds=seconds), tz)


# --- Catch-up bookkeeping -------------------------------------------------------------------

_PLATE_KEY = re.compile(r"[^0-9A-Za-z]+")


def plate_key(plate: str) -> str:
    """Compare form of a plate: upper case, separators and spaces removed."""
    return _PLATE_KEY.sub("", plate).upper() or plate.strip().upper()


class CatchUpTracker:
    """Decide which plate-log entries were missed, so each read is delivered exactly once.

    State (JSON-serialisable via :meth:`as_dict`): ``cursor`` (a ``picName``/``picTime`` string
    for the next ``AfterTime`` query, never converted to a number) and ``recent`` (plate key,
    epoch second, picName) of reads delivered since the cursor. Live alertStream reads advance the
    cursor to their capture second (:meth:`note_live`); :meth:`select` drops log entries already
    delivered (same picName, or same plate within ``tolerance`` seconds of a live read) and moves
    the cursor to the newest picName. ``tz`` is the camera's zone (log times have no offset).
    Source: ``docs/protocols.md``, "Hikvision ISAPI", "Plate log (catch-up)".
    """

    def __init__(
        self,
        cursor: str | None = None,
        recent: Iterable[Iterable[Any]] = (),
        *,
        tz: tzinfo = UTC,
        tolerance: float = 2.0,
        max_recent: int = 1000,
    ) -> None:
        """Restore the state (``recent`` rows are ``[plate_key, epoch, picName-or-None]``)."""
        self.cursor = cursor if cursor and cursor.isdigit() else None
        self.tz = tz
        self.tolerance = tolerance
        self.max_recent = max_recent
        self.recent: list[tuple[str, float, str | None]] = []
        for row in recent:
            values = list(row) if isinstance(row, (list, tuple)) else []
            if len(values) == 3 and isinstance(values[0], str):
                try:
                    self.recent.append(
                        (values[0], float(values[1]), str(values[2]) if values[2] else None)
                    )
                except (TypeError, ValueError):
                    continue

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable state for persistence."""
        return {"cursor": self.cursor, "recent": [list(row) for row in self.recent]}

    def _advance(self, candidate: str) -> None:
        if self.cursor is None or pic_name_key(candidate) > pic_name_key(self.cursor):
            self.cursor = candidate

    def _trim(self) -> None:
        if len(self.recent) > self.max_recent:
            del self.recent[: len(self.recent) - self.max_recent]

    def start(self, now: datetime) -> str:
        """Initialise the cursor at ``now`` when there is none (first connection); return it."""
        if self.cursor is None:
            self.cursor = pic_time_for(now, self.tz)
        return self.cursor

    def caught_up_already(self, read: PlateRead) -> bool:
        """Tell whether a live read was already delivered from the plate log.

        A race at reconnection: the log answered before the live alert arrived.
        """
        key = plate_key(read.plate)
        epoch = read.time.timestamp()
        return any(
            row[2] is not None and row[0] == key and abs(row[1] - epoch) <= self.tolerance
            for row in self.recent
        )

    def note_live(self, read: PlateRead) -> None:
        """Remember a read delivered from the live stream or a webhook."""
        self.recent.append((plate_key(read.plate), read.time.timestamp(), None))
        # Entries of the read's own second may still be missing from the log query: keep the
        # cursor one second before it, so they come back and are de-duplicated by ``recent``.
        self._advance(pic_time_before(read.time, 1, self.tz))
        self._trim()

    def skip(self, entries: Iterable[PlateLogEntry]) -> None:
        """Move the cursor past ``entries`` without delivering them (first connection)."""
        for entry in entries:
            self._advance(entry.pic_name)

    def select(self, entries: Iterable[PlateLogEntry]) -> list[PlateLogEntry]:
        """Return the entries to deliver (oldest first) and advance the cursor past all."""
        out: list[PlateLogEntry] = []
        delivered_names = {row[2] for row in self.recent if row[2]}
        for entry in sorted(entries, key=lambda e: pic_name_key(e.pic_name)):
            if self.cursor is not None and pic_name_key(entry.pic_name) <= pic_name_key(
                self.cursor
            ):
                continue
            self._advance(entry.pic_name)
            if entry.pic_name in delivered_names or is_no_plate(entry.plate):
                continue
            when = parse_time(entry.capture_time, self.tz) or parse_time(entry.pic_name, self.tz)
            key = plate_key(entry.plate)
            epoch = when.timestamp() if when else None
            if epoch is not None and any(
                row[0] == key and row[2] is None and abs(row[1] - epoch) <= self.tolerance
                for row in self.recent
            ):
                continue
            delivered_names.add(entry.pic_name)
            self.recent.append((key, epoch or 0.0, entry.pic_name))
            out.append(entry)
        # Rows older than the cursor can no longer come back from the log.
        cursor_time = parse_time(self.cursor, self.tz) if self.cursor else None
        if cursor_time is not None:
            limit = cursor_time.timestamp() - 60
            self.recent = [row for row in self.recent if row[1] >= limit]
        self._trim()
        return out
