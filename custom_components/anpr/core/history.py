"""Persistent sightings history in SQLite (no Home Assistant import).

Chosen for scale (≥ 1 M sightings, indexed by plate and time; measured in bench/README.md):
one ``sightings`` row per sighting and one ``plate_stats`` row per plate (count, first/last
seen), in WAL mode so a crash never corrupts the file. The class is synchronous and **not**
thread-safe: the Home Assistant side runs every call on one dedicated worker thread
(:class:`~custom_components.anpr.store.HistoryStore`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
import contextlib
import csv
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
import json
from pathlib import Path
import sqlite3
from typing import Any

from .matching import levenshtein
from .visitors import VisitorProfile, local_day, rebuild
from .visits import STATUS_CLOSED, STATUS_OPEN, Visit

#: Columns of a sightings CSV export, in order.
CSV_COLUMNS = ("time", "plate", "read_plate", "camera", "camera_id", "direction", "category",
               "list", "confidence", "image_path")  # fmt: skip

SCHEMA = """
CREATE TABLE IF NOT EXISTS sightings (
    id INTEGER PRIMARY KEY,
    plate TEXT NOT NULL,
    ts REAL NOT NULL,
    camera_id TEXT NOT NULL,
    camera TEXT,
    category TEXT,
    list_name TEXT,
    direction TEXT,
    confidence REAL,
    read_plate TEXT,
    image_path TEXT
);
CREATE INDEX IF NOT EXISTS sightings_plate_ts ON sightings (plate, ts);
CREATE INDEX IF NOT EXISTS sightings_ts ON sightings (ts);
CREATE TABLE IF NOT EXISTS plate_stats (
    plate TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    first_ts REAL NOT NULL,
    last_ts REAL NOT NULL,
    last_camera TEXT
) WITHOUT ROWID;
"""

#: Schema version 2: visits, visitor profiles, sighting ids/visit ids/alternatives.
#: Applied in place to a version-1 database by :meth:`SightingHistory.open` (columns added,
#: tables created; profiles are rebuilt lazily per plate from its sightings).
VISITS_SCHEMA_VERSION = 2
SIGHTING_COLUMNS_V2 = {"sid": "TEXT", "visit_id": "TEXT", "alternatives": "TEXT"}
SCHEMA_V2 = """
CREATE INDEX IF NOT EXISTS sightings_sid ON sightings (sid) WHERE sid IS NOT NULL;
CREATE TABLE IF NOT EXISTS visits (
    id TEXT PRIMARY KEY,
    plate TEXT NOT NULL,
    start_ts REAL,
    last_ts REAL NOT NULL,
    end_ts REAL,
    status TEXT NOT NULL,
    entry_camera TEXT,
    exit_camera TEXT,
    reads INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS visits_plate_ts ON visits (plate, last_ts);
CREATE INDEX IF NOT EXISTS visits_ts ON visits (last_ts);
CREATE INDEX IF NOT EXISTS visits_open ON visits (status) WHERE status = 'open';
CREATE TABLE IF NOT EXISTS plate_profile (
    plate TEXT PRIMARY KEY,
    first_day INTEGER NOT NULL,
    last_day INTEGER NOT NULL,
    mask INTEGER NOT NULL,
    max_gap INTEGER NOT NULL,
    hours TEXT NOT NULL
) WITHOUT ROWID;
"""

#: Columns of a visits CSV export, in order (times ISO 8601 UTC, dwell in seconds).
VISIT_CSV_COLUMNS = ("id", "plate", "status", "started", "ended", "dwell_s", "entry_camera",
                     "exit_camera", "reads")  # fmt: skip
_VISIT_SELECT = (
    "SELECT id, plate, start_ts, last_ts, end_ts, status, entry_camera, exit_camera, reads"
    " FROM visits"
)

#: ``PRAGMA user_version`` of a database with every migration applied.
SCHEMA_VERSION = 3

#: In-place migrations after version 2, run once each in order on open (``user_version`` says
#: which ran). Version 3 (the panel's websocket API): the thumbnail path and
#: merged-read count of each sighting, and the indexes a keyset page
#: ``ORDER BY ts DESC, id DESC`` needs under each filter (SQLite appends the rowid ``id`` to
#: every index entry, so ``(x, ts)`` serves ``WHERE x = ? ORDER BY ts DESC, id DESC`` without
#: sorting).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    3: (
        "ALTER TABLE sightings ADD COLUMN thumb_path TEXT",
        "ALTER TABLE sightings ADD COLUMN reads INTEGER",
        "CREATE INDEX IF NOT EXISTS sightings_camera_ts ON sightings (camera_id, ts)",
        "CREATE INDEX IF NOT EXISTS sightings_category_ts ON sightings (category, ts)",
        "CREATE INDEX IF NOT EXISTS sightings_list_ts ON sightings (list_name, ts)",
        "CREATE INDEX IF NOT EXISTS sightings_direction_ts ON sightings (direction, ts)",
    ),
}

_COLUMNS = (
    "id, plate, ts, camera_id, camera, category, list_name, direction, confidence,"
    " read_plate, image_path, thumb_path, reads, sid, visit_id, alternatives"
)


@dataclass(frozen=True, slots=True)
class PlateStats:
    """Counts for one plate *before* the sighting being recorded.

    ``count``: number of earlier sightings; ``first_seen``/``last_seen``: aware UTC datetimes or
    None when the plate was never seen; ``last_camera``: camera name of the last sighting.
    """

    count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    last_camera: str | None = None
    #: Visitor class of the plate *with* this sighting (core/visitors.py), None when unknown.
    visitor_class: str | None = None
    #: Usual local arrival hour (0-23) or None.
    usual_hour: int | None = None
    #: History id of the row just recorded (:meth:`SightingHistory.record_many`), else None.
    row_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SightingRow:
    """One sighting as stored. ``time`` is aware UTC; ``confidence`` 0-1 or None."""

    plate: str
    time: datetime
    camera_id: str
    camera: str | None = None
    category: str | None = None
    list_name: str | None = None
    direction: str | None = None
    confidence: float | None = None
    read_plate: str | None = None
    image_path: str | None = None
    #: History row id (None before the row is stored), thumbnail file, reads merged into it.
    id: int | None = None
    thumb_path: str | None = None
    reads: int = 1
    #: Sighting id (``Sighting.id``), used to correct a stored sighting later.
    sid: str | None = None
    visit_id: str | None = None
    #: Other readings merged into this sighting: ``{plate: reads}`` (stored forms).
    alternatives: dict[str, int] | None = None
    #: The visit snapshot to store with this sighting, and an older one that timed out.
    visit: Visit | None = None
    expired: Visit | None = None
    #: True when the sighting counts as an arrival for the usual arrival hour.
    arrival: bool = False
    #: Shown, not stored columns (:meth:`SightingHistory.annotate`): the plate's visitor class
    #: on the sighting's day, and the dwell in seconds when this sighting closed its visit.
    visitor_class: str | None = None
    dwell_s: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict (ISO time)."""
        return {
            "id": self.sid,
            "visit_id": self.visit_id,
            "alternatives": self.alternatives,
            "plate": self.plate,
            "time": self.time.isoformat(),
            "camera_id": self.camera_id,
            "camera": self.camera,
            "category": self.category,
            "list": self.list_name,
            "direction": self.direction,
            "confidence": self.confidence,
            "read_plate": self.read_plate,
            "image_path": self.image_path,
        }


def _ts(value: datetime) -> float:
    return value.timestamp()


def _dt(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def _row(r: Sequence[Any]) -> SightingRow:
    """Build a :class:`SightingRow` from a ``SELECT`` of :data:`_COLUMNS`."""
    return SightingRow(
        id=r[0],
        plate=r[1],
        time=datetime.fromtimestamp(r[2], UTC),
        camera_id=r[3],
        camera=r[4],
        category=r[5],
        list_name=r[6],
        direction=r[7],
        confidence=r[8],
        read_plate=r[9],
        image_path=r[10],
        thumb_path=r[11],
        reads=r[12] or 1,
        sid=r[13],
        visit_id=r[14],
        alternatives=json.loads(r[15]) if r[15] else None,
    )


#: Value of :attr:`SightingQuery.categories` meaning "on no list" (``category IS NULL``).
UNLISTED = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SightingQuery:
    """Filters of one keyset page (:meth:`SightingHistory.page`); every field is optional.

    Each tuple is "any of" (empty = no filter); ``categories`` holds list categories
    (``allowed``/``alert``/``ignored``) or :data:`UNLISTED`. ``plate`` is exact, ``plate_prefix``
    a plain prefix (no wildcards), ``plates`` "any of" (fuzzy search expands to it); ``start`` /
    ``end`` aware datetimes (inclusive / exclusive). ``before`` is the keyset cursor: the
    ``(ts, id)`` of the last row of the previous page (rows strictly older are returned).
    """

    camera_ids: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    list_names: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    plate: str | None = None
    plate_prefix: str | None = None
    plates: tuple[str, ...] | None = None
    start: datetime | None = None
    end: datetime | None = None
    before: tuple[float, int] | None = None

    def where(self, *, scan_by_time: bool = False) -> tuple[str, list[Any]]:
        """Return the SQL ``WHERE`` clause (or "") and its arguments.

        ``scan_by_time`` keeps SQLite off the plate index for the prefix and "any of" plate
        filters (``+plate``), so it walks the time index newest first and stops after one page
        instead of sorting every row of the matching plates (see :meth:`SightingHistory.page`).
        """
        column = "+plate" if scan_by_time else "plate"
        where: list[str] = []
        args: list[Any] = []

        def any_of(column: str, values: Sequence[str]) -> None:
            if values:
                where.append(f"{column} IN ({','.join('?' * len(values))})")
                args.extend(values)

        any_of("camera_id", self.camera_ids)
        named = [c for c in self.categories if c != UNLISTED]
        if self.categories:
            parts = [f"category IN ({','.join('?' * len(named))})"] if named else []
            if UNLISTED in self.categories:
                parts.append("category IS NULL")
            where.append("(" + " OR ".join(parts) + ")")
            args.extend(named)
        any_of("list_name", self.list_names)
        any_of("direction", self.directions)
        if self.plate is not None:
            where.append("plate = ?")
            args.append(self.plate)
        if self.plate_prefix:
            # A range on the plate index (LIKE would not use it: it is case-insensitive).
            where.append(f"{column} >= ? AND {column} < ?")
            args.extend(self.prefix_range())
        if self.plates is not None:
            where.append(f"{column} IN ({','.join('?' * len(self.plates)) or 'NULL'})")
            args.extend(self.plates)
        if self.start is not None:
            where.append("ts >= ?")
            args.append(_ts(self.start))
        if self.end is not None:
            where.append("ts < ?")
            args.append(_ts(self.end))
        if self.before is not None:
            where.append("(ts, id) < (?, ?)")
            args.extend(self.before)
        return (" WHERE " + " AND ".join(where)) if where else "", args

    def prefix_range(self) -> tuple[str, str]:
        """``(low, high)`` bounds of the plates starting with :attr:`plate_prefix`."""
        prefix = self.plate_prefix or ""
        return prefix, prefix + "\U0010ffff"


def closed_by(visit: Visit, row: SightingRow) -> bool:
    """Whether ``row`` is the exit read that closed ``visit`` (status ``closed``).

    The closing read is on the exit camera at the visit's end (or, for an exit read stamped
    before the entry, at or before the start, where the visit's end is clamped).
    """
    if visit.status != STATUS_CLOSED or visit.ended is None:
        return False
    if row.camera_id != visit.exit_camera:
        return False
    return row.time == visit.ended or (visit.ended == visit.started and row.time <= visit.ended)


class SightingHistory:
    """SQLite store of sightings. Every method may raise :class:`sqlite3.Error`."""

    def __init__(self, path: Path | str) -> None:
        """Remember the database path (``":memory:"`` allowed); call :meth:`open` next."""
        self.path = str(path)
        self._db: sqlite3.Connection | None = None
        #: Time zone of the site's calendar days (visitor classes); set by the integration.
        self.tz: tzinfo = UTC

    def open(self) -> None:
        """Open (creating if needed) the database in WAL mode."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            db.executescript(SCHEMA)
            self._db = db
            self._migrate()
            self._migrate_panel(db)
        except BaseException:
            self._db = None
            db.close()
            raise

    def _migrate(self) -> None:
        """Bring a database of version 0/1 to :data:`VISITS_SCHEMA_VERSION` (2), in place."""
        db = self.db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version >= VISITS_SCHEMA_VERSION:
            return
        have = {row[1] for row in db.execute("PRAGMA table_info(sightings)")}
        with self._transaction():
            for column, kind in SIGHTING_COLUMNS_V2.items():
                if column not in have:
                    db.execute(f"ALTER TABLE sightings ADD COLUMN {column} {kind}")
            for statement in SCHEMA_V2.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {VISITS_SCHEMA_VERSION}")

    @staticmethod
    def _migrate_panel(db: sqlite3.Connection) -> None:
        """Apply the :data:`MIGRATIONS` (after version 2) this database lacks, each atomically."""
        version = max(VISITS_SCHEMA_VERSION, int(db.execute("PRAGMA user_version").fetchone()[0]))
        for target in sorted(v for v in MIGRATIONS if v > version):
            db.execute("BEGIN")
            try:
                for statement in MIGRATIONS[target]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {int(target)}")
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the database (idempotent)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection; raises :class:`sqlite3.ProgrammingError` when closed."""
        if self._db is None:
            raise sqlite3.ProgrammingError("history is not open")
        return self._db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Run the block in one transaction: committed at the end, rolled back on any error."""
        db = self.db
        db.execute("BEGIN")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def stats(self, plate: str) -> PlateStats:
        """Return the counts for ``plate`` (normalised text)."""
        row = self.db.execute(
            "SELECT count, first_ts, last_ts, last_camera FROM plate_stats WHERE plate = ?",
            (plate,),
        ).fetchone()
        if row is None:
            return PlateStats()
        return PlateStats(row[0], _dt(row[1]), _dt(row[2]), row[3])

    def record(self, row: SightingRow) -> PlateStats:
        """Store one sighting and return the plate's stats from *before* it."""
        return self.record_many([row])[0]

    def record_many(self, rows: Sequence[SightingRow]) -> list[PlateStats]:
        """Store several sightings in one transaction; return each one's previous stats."""
        db = self.db
        result: list[PlateStats] = []
        db.execute("BEGIN")
        try:
            for row in rows:
                before = self.stats(row.plate)
                ts = _ts(row.time)
                cursor = db.execute(
                    "INSERT INTO sightings (plate, ts, camera_id, camera, category, list_name,"
                    " direction, confidence, read_plate, image_path, sid, visit_id,"
                    " alternatives) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        row.plate,
                        ts,
                        row.camera_id,
                        row.camera,
                        row.category,
                        row.list_name,
                        row.direction,
                        row.confidence,
                        row.read_plate,
                        row.image_path,
                        row.sid,
                        row.visit_id,
                        json.dumps(row.alternatives) if row.alternatives else None,
                    ),
                )
                for visit in (row.expired, row.visit):
                    if visit is not None:
                        self._save_visit(visit)
                profile = self._profile(row.plate, before.count)
                day, hour = local_day(row.time, self.tz)
                if profile is None:
                    profile = VisitorProfile.new(day)
                    if row.arrival:
                        profile.hours[hour] += 1
                else:
                    profile.seen(day, hour if row.arrival else None)
                self._save_profile(row.plate, profile)
                result.append(
                    PlateStats(
                        before.count, before.first_seen, before.last_seen, before.last_camera,
                        profile.classify(day), profile.usual_hour, cursor.lastrowid,
                    )
                )  # fmt: skip
                db.execute(
                    "INSERT INTO plate_stats (plate, count, first_ts, last_ts, last_camera)"
                    " VALUES (?, 1, ?, ?, ?) ON CONFLICT(plate) DO UPDATE SET"
                    " count = count + 1, first_ts = min(first_ts, excluded.first_ts),"
                    " last_ts = max(last_ts, excluded.last_ts),"
                    " last_camera = CASE WHEN excluded.last_ts >= last_ts"
                    " THEN excluded.last_camera ELSE last_camera END",
                    (row.plate, ts, ts, row.camera),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return result

    # -- visitor profiles ----------------------------------------------------------------

    def _profile(self, plate: str, count: int) -> VisitorProfile | None:
        """Return the plate's stored profile.

        Rebuilt from its sightings when missing (migration, purge) while the plate has earlier
        sightings (``count``); None for a new plate.
        """
        row = self.db.execute(
            "SELECT first_day, last_day, mask, max_gap, hours FROM plate_profile"
            " WHERE plate = ?",
            (plate,),
        ).fetchone()
        if row is not None:
            return VisitorProfile(
                row[0], row[1], row[2], row[3], VisitorProfile.decode_hours(row[4])
            )
        if count == 0:
            return None
        return self._rebuild_profile(plate)

    def _rebuild_profile(self, plate: str) -> VisitorProfile | None:
        tz = self.tz
        days = [
            local_day(datetime.fromtimestamp(r[0], UTC), tz)[0]
            for r in self.db.execute("SELECT ts FROM sightings WHERE plate = ?", (plate,))
        ]
        arrivals = [
            local_day(datetime.fromtimestamp(r[0], UTC), tz)[1]
            for r in self.db.execute(
                "SELECT start_ts FROM visits WHERE plate = ? AND start_ts IS NOT NULL"
                " UNION ALL SELECT ts FROM sightings WHERE plate = ? AND visit_id IS NULL",
                (plate, plate),
            )
        ]
        return rebuild(days, arrivals)

    def _save_profile(self, plate: str, profile: VisitorProfile) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO plate_profile (plate, first_day, last_day, mask, max_gap,"
            " hours) VALUES (?, ?, ?, ?, ?, ?)",
            (plate, profile.first_day, profile.last_day, profile.mask, profile.max_gap,
             profile.encode_hours()),
        )  # fmt: skip

    def annotate(self, rows: Sequence[SightingRow]) -> list[SightingRow]:
        """Return ``rows`` with :attr:`~SightingRow.visitor_class` and ``dwell_s`` filled in.

        Two indexed ``IN`` lookups for the whole batch (the rows' plates in ``plate_profile``,
        their visit ids in ``visits``), never a scan of the history. The class is the stored
        profile's class on the row's local day (:meth:`VisitorProfile.classify`; exactly what
        the sighting's event said for the plate's latest day); None while a plate has no stored
        profile (it is rebuilt at the plate's next sighting after a purge or correction).
        ``dwell_s`` is set on the row that closed its visit (the visit's exit read).
        """
        db = self.db
        plates = list({r.plate for r in rows})
        visit_ids = list({r.visit_id for r in rows if r.visit_id})
        profiles: dict[str, VisitorProfile] = {}
        for start in range(0, len(plates), 500):
            chunk = plates[start : start + 500]
            for r in db.execute(
                "SELECT plate, first_day, last_day, mask, max_gap FROM plate_profile"
                f" WHERE plate IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                profiles[r[0]] = VisitorProfile(r[1], r[2], r[3], r[4])
        visits: dict[str, Visit] = {}
        for start in range(0, len(visit_ids), 500):
            chunk = visit_ids[start : start + 500]
            for r in db.execute(
                _VISIT_SELECT + f" WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ):
                visits[r[0]] = self._visit(r)
        result = []
        for row in rows:
            profile = profiles.get(row.plate)
            visit = visits.get(row.visit_id or "")
            result.append(
                replace(
                    row,
                    visitor_class=profile.classify(local_day(row.time, self.tz)[0])
                    if profile is not None
                    else None,
                    dwell_s=visit.dwell_s
                    if visit is not None and closed_by(visit, row)
                    else None,
                )
            )
        return result

    def visit(self, visit_id: str) -> Visit | None:
        """Return the stored visit with id ``visit_id``, or None."""
        r = self.db.execute(_VISIT_SELECT + " WHERE id = ?", (visit_id,)).fetchone()
        return None if r is None else self._visit(r)

    def profile(self, plate: str) -> VisitorProfile | None:
        """Return the visitor profile of a stored plate form (None when never seen).

        The visitor profile of a stored plate form (None when never seen).
        """
        return self._profile(plate, self.stats(plate).count)

    # -- visits ----------------------------------------------------------------------------

    def _save_visit(self, visit: Visit) -> None:
        self.db.execute(
            "INSERT INTO visits (id, plate, start_ts, last_ts, end_ts, status, entry_camera,"
            " exit_camera, reads) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE"
            " SET plate = excluded.plate, start_ts = excluded.start_ts,"
            " last_ts = excluded.last_ts, end_ts = excluded.end_ts, status = excluded.status,"
            " entry_camera = excluded.entry_camera, exit_camera = excluded.exit_camera,"
            " reads = excluded.reads",
            (
                visit.id,
                visit.plate,
                _ts(visit.started) if visit.started else None,
                _ts(visit.last_seen),
                _ts(visit.ended) if visit.ended else None,
                visit.status,
                visit.entry_camera,
                visit.exit_camera,
                visit.reads,
            ),
        )

    def save_visits(self, visits: Sequence[Visit]) -> None:
        """Store visits (new or changed: timeouts closed by the tracker) in one transaction."""
        with self._transaction():
            for visit in visits:
                self._save_visit(visit)

    @staticmethod
    def _visit(r: Sequence[Any]) -> Visit:
        return Visit(
            id=r[0], plate=r[1], started=_dt(r[2]), last_seen=datetime.fromtimestamp(r[3], UTC),
            ended=_dt(r[4]), status=r[5], entry_camera=r[6], exit_camera=r[7], reads=r[8],
        )  # fmt: skip

    def open_visits(self) -> list[Visit]:
        """Every visit still open (loaded into the tracker at start)."""
        return [
            self._visit(r)
            for r in self.db.execute(_VISIT_SELECT + " WHERE status = ?", (STATUS_OPEN,))
        ]

    def search_visits(
        self,
        *,
        plates: Iterable[str] | None = None,
        camera_id: str | None = None,
        status: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = 100,
        before: tuple[float, str] | None = None,
    ) -> list[Visit]:
        """Visits matching every filter, newest (last read) first, then by id descending.

        ``plates``: stored plate forms; ``camera_id``: entry or exit camera; ``start``/``end``:
        aware datetimes, a visit matches when it overlaps ``[start, end)``. ``before`` is a
        keyset cursor: the ``(last_ts, id)`` of the previous page's last visit.
        """
        where: list[str] = []
        args: list[Any] = []
        if plates is not None:
            plate_list = list(plates)
            where.append(f"plate IN ({','.join('?' * len(plate_list)) or 'NULL'})")
            args.extend(plate_list)
        if camera_id is not None:
            where.append("(entry_camera = ? OR exit_camera = ?)")
            args.extend([camera_id, camera_id])
        if status is not None:
            where.append("status = ?")
            args.append(status)
        if start is not None:
            where.append("last_ts >= ?")
            args.append(_ts(start))
        if end is not None:
            where.append("coalesce(start_ts, last_ts) < ?")
            args.append(_ts(end))
        if before is not None:
            where.append("(last_ts, id) < (?, ?)")
            args.extend(before)
        sql = _VISIT_SELECT + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY last_ts DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, int(limit)))
        return [self._visit(r) for r in self.db.execute(sql, args)]

    def export_visits_csv(
        self, path: Path | str, camera_names: dict[str, str] | None = None, **filters: Any
    ) -> int:
        """Write matching visits (:data:`VISIT_CSV_COLUMNS`) to a CSV file; return rows.

        Camera ids are written as names from ``camera_names`` when known. Raises OSError.
        """
        names = camera_names or {}
        count = 0
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(VISIT_CSV_COLUMNS)
            for visit in self.search_visits(limit=None, **filters):
                data = visit.as_dict()
                for key in ("entry_camera", "exit_camera"):
                    if data[key] is not None:
                        data[key] = names.get(data[key], data[key])
                writer.writerow(
                    [data[c] if data[c] is not None else "" for c in VISIT_CSV_COLUMNS]
                )
                count += 1
        return count

    def purge_visits(self, before: datetime) -> int:
        """Delete visits (not open) whose last read is older than ``before``; return count."""
        return self.db.execute(
            "DELETE FROM visits WHERE last_ts < ? AND status != ?", (_ts(before), STATUS_OPEN)
        ).rowcount

    def purge_pictures(self, before: datetime) -> list[str]:
        """Forget saved pictures of sightings older than ``before``; return their paths."""
        db = self.db
        with self._transaction():
            paths = [
                r[0]
                for r in db.execute(
                    "SELECT image_path FROM sightings WHERE ts < ? AND image_path IS NOT NULL",
                    (_ts(before),),
                )
            ]
            db.execute(
                "UPDATE sightings SET image_path = NULL WHERE ts < ? AND image_path IS NOT NULL",
                (_ts(before),),
            )
        return paths

    def purge_plate(self, forms: Sequence[str]) -> tuple[int, int, list[str]]:
        """Delete everything about a plate (each stored form).

        Sightings, their pictures' paths, visits, stats and profile. Returns (sightings,
        visits, picture paths).
        """
        sightings = 0
        images: list[str] = []
        for form in forms:
            deleted, paths = self.purge_with_images(plate=form)
            sightings += deleted
            images += paths
        db = self.db
        marks = ",".join("?" * len(forms)) or "NULL"
        with self._transaction():
            visits = db.execute(f"DELETE FROM visits WHERE plate IN ({marks})", list(forms))
            db.execute(f"DELETE FROM plate_profile WHERE plate IN ({marks})", list(forms))
            db.execute(f"DELETE FROM plate_stats WHERE plate IN ({marks})", list(forms))
        return sightings, visits.rowcount, images

    # -- corrections and privacy rewrite ----------------------------------------------------

    def _refresh_plates(self, plates: Iterable[str]) -> None:
        """Rebuild stats of ``plates`` from their sightings; drop their profiles.

        Profiles are rebuilt lazily at the plate's next sighting. Inside a transaction.
        """
        db = self.db
        for plate in set(plates):
            db.execute("DELETE FROM plate_stats WHERE plate = ?", (plate,))
            db.execute("DELETE FROM plate_profile WHERE plate = ?", (plate,))
            db.execute(
                "INSERT INTO plate_stats (plate, count, first_ts, last_ts, last_camera)"
                " SELECT plate, count(*), min(ts), max(ts), (SELECT camera FROM sightings l"
                " WHERE l.plate = s.plate ORDER BY ts DESC LIMIT 1) FROM sightings s"
                " WHERE plate = ? GROUP BY plate",
                (plate,),
            )

    def sighting(self, sid: str) -> SightingRow | None:
        """Return the stored sighting with id ``sid`` (``Sighting.id``), or None.

        The stored sighting with id ``sid`` (``Sighting.id``), or None.
        """
        return next(self.iter_rows(limit=1, sid=sid), None)

    def reassign(
        self, sid: str, plate: str, alternatives: dict[str, int] | None = None
    ) -> str | None:
        """Change the plate of the sighting ``sid`` (a confirmed or better reading).

        Its visit moves too when it holds only this sighting; ``alternatives`` (when given) replaces
        its merged readings. Returns the old plate, or None when no such sighting exists.
        """
        db = self.db
        row = db.execute(
            "SELECT plate, visit_id FROM sightings WHERE sid = ?", (sid,)
        ).fetchone()
        if row is None:
            return None
        old, visit_id = row
        if alternatives is not None:
            db.execute(
                "UPDATE sightings SET alternatives = ? WHERE sid = ?",
                (json.dumps(alternatives) if alternatives else None, sid),
            )
        if old == plate:
            return str(old)
        with self._transaction():
            db.execute("UPDATE sightings SET plate = ? WHERE sid = ?", (plate, sid))
            if visit_id is not None:
                db.execute(
                    "UPDATE visits SET plate = ? WHERE id = ? AND reads = 1", (plate, visit_id)
                )
            self._refresh_plates([old, plate])
        return str(old)

    def clear_plates_to_hash(self, listed: frozenset[str]) -> list[str]:
        """Plates stored in the clear that are not listed (the privacy rewrite's work list)."""
        return [
            r[0]
            for r in self.db.execute("SELECT plate FROM plate_stats WHERE plate NOT GLOB '#*'")
            if r[0] not in listed
        ]

    def rewrite_plates(
        self,
        plates: Sequence[str],
        hash_plate: Callable[[str], str],
        rename_picture: Callable[[str, str, str], str | None] | None = None,
    ) -> int:
        """Replace each clear plate by its hash everywhere, in one transaction.

        Covers sightings, read texts, merged alternatives, visits, stats and profiles; returns
        the number of plates rewritten.
        ``rename_picture(path, plate, hashed)`` renames a saved picture whose file name carries
        the plate and returns the new path (None: keep the path).
        """
        db = self.db
        with self._transaction():
            for plate in plates:
                new = hash_plate(plate)
                if rename_picture is not None:
                    for sid, path in db.execute(
                        "SELECT id, image_path FROM sightings WHERE plate = ?"
                        " AND image_path IS NOT NULL",
                        (plate,),
                    ).fetchall():
                        if (moved := rename_picture(path, plate, new)) is not None:
                            db.execute(
                                "UPDATE sightings SET image_path = ? WHERE id = ?", (moved, sid)
                            )
                for sid, alternatives in db.execute(
                    "SELECT id, alternatives FROM sightings WHERE plate = ?"
                    " AND alternatives IS NOT NULL",
                    (plate,),
                ).fetchall():
                    alts = {hash_plate(k): v for k, v in json.loads(alternatives).items()}
                    db.execute(
                        "UPDATE sightings SET alternatives = ? WHERE id = ?",
                        (json.dumps(alts), sid),
                    )
                db.execute(
                    "UPDATE sightings SET plate = ?, read_plate = NULL WHERE plate = ?",
                    (new, plate),
                )
                db.execute("UPDATE visits SET plate = ? WHERE plate = ?", (new, plate))
                self._refresh_plates([plate, new])
        return len(plates)

    def _where(
        self,
        *,
        plate: str | None = None,
        plate_like: str | None = None,
        plates: Iterable[str] | None = None,
        camera_id: str | None = None,
        list_name: str | None = None,
        category: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        sid: str | None = None,
    ) -> tuple[str, list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        if sid is not None:
            where.append("sid = ?")
            args.append(sid)
        if plate is not None:
            where.append("plate = ?")
            args.append(plate)
        if plate_like is not None:
            where.append("plate LIKE ? ESCAPE '\\'")
            args.append(plate_like)
        if plates is not None:
            plate_list = list(plates)
            where.append(f"plate IN ({','.join('?' * len(plate_list)) or 'NULL'})")
            args.extend(plate_list)
        if camera_id is not None:
            where.append("camera_id = ?")
            args.append(camera_id)
        if list_name is not None:
            where.append("list_name = ?")
            args.append(list_name)
        if category is not None:
            where.append("category = ?")
            args.append(category)
        if start is not None:
            where.append("ts >= ?")
            args.append(_ts(start))
        if end is not None:
            where.append("ts < ?")
            args.append(_ts(end))
        return (" WHERE " + " AND ".join(where)) if where else "", args

    def iter_rows(self, *, limit: int | None = None, **filters: Any) -> Iterator[SightingRow]:
        """Yield sightings matching ``filters`` (see :meth:`search`), newest first, lazily."""
        cond, args = self._where(**filters)
        sql = f"SELECT {_COLUMNS} FROM sightings" + cond + " ORDER BY ts DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, int(limit)))
        for r in self.db.execute(sql, args):
            yield _row(r)

    def page(self, query: SightingQuery, limit: int) -> list[SightingRow]:
        """Return up to ``limit`` sightings matching ``query``, newest first (keyset paging).

        Ordered by ``(ts, id)`` descending, so the cursor of the next page is the last row's
        ``(ts, id)`` (:attr:`SightingQuery.before`); stable while new rows arrive.
        """
        cond, args = query.where(scan_by_time=self._scan_by_time(query, limit))
        sql = f"SELECT {_COLUMNS} FROM sightings{cond} ORDER BY ts DESC, id DESC LIMIT ?"
        return [_row(r) for r in self.db.execute(sql, [*args, max(0, int(limit))])]

    def _scan_by_time(self, query: SightingQuery, limit: int) -> bool:
        """Whether a plate prefix / any-of filter is cheaper on the time index.

        On the plate index SQLite reads and sorts every sighting of the matching plates
        (``matching`` rows); on the time index it reads about ``limit * total / matching`` rows
        newest first. The plate stats give ``matching`` exactly; the time index wins when
        ``matching ** 2 > limit * total``.
        """
        if query.plate_prefix:
            matching = self.db.execute(
                "SELECT coalesce(sum(count), 0) FROM plate_stats WHERE plate >= ? AND plate < ?",
                query.prefix_range(),
            ).fetchone()[0]
        elif query.plates:
            matching = self.db.execute(
                "SELECT coalesce(sum(count), 0) FROM plate_stats"
                f" WHERE plate IN ({','.join('?' * len(query.plates))})",
                query.plates,
            ).fetchone()[0]
        else:
            return False
        total = self.db.execute("SELECT coalesce(max(id), 0) FROM sightings").fetchone()[0]
        return bool(matching * matching > max(1, limit) * total)

    def get(self, sighting_id: int) -> SightingRow | None:
        """Return the sighting with history id ``sighting_id`` or None."""
        r = self.db.execute(
            f"SELECT {_COLUMNS} FROM sightings WHERE id = ?", (sighting_id,)
        ).fetchone()
        return None if r is None else _row(r)

    def set_thumbnail(self, sighting_id: int, path: str) -> None:
        """Attach a thumbnail file to a stored sighting."""
        self.db.execute("UPDATE sightings SET thumb_path = ? WHERE id = ?", (path, sighting_id))

    def set_reads(self, sighting_id: int, reads: int) -> None:
        """Store how many reads were merged into a sighting (repeat window)."""
        self.db.execute("UPDATE sightings SET reads = ? WHERE id = ?", (reads, sighting_id))

    def camera_activity(
        self, camera_id: str, since: Sequence[datetime]
    ) -> tuple[list[int], datetime | None]:
        """One camera's sightings at or after each time in ``since``, and its newest sighting.

        Index seeks on ``sightings_camera_ts`` only (no scan of the camera's history).
        """
        counts = [
            int(
                self.db.execute(
                    "SELECT count(*) FROM sightings WHERE camera_id = ? AND ts >= ?",
                    (camera_id, _ts(when)),
                ).fetchone()[0]
            )
            for when in since
        ]
        last = self.db.execute(
            "SELECT max(ts) FROM sightings WHERE camera_id = ?", (camera_id,)
        ).fetchone()[0]
        return counts, _dt(last)

    def fuzzy_plates(self, plate: str, distance: int, cap: int = 1000) -> list[str]:
        """Known plates within ``distance`` edits of ``plate`` (nearest first, at most ``cap``).

        Distance 1 asks SQLite for the candidates with GLOB patterns (one ``?`` per position for
        substitutions and insertions, exact rows for deletions) on the ``plate_stats`` primary
        key; larger distances scan the plates of a compatible length in SQL for one of
        ``distance + 1`` pieces of the plate (pigeonhole), and compute the edit distance of
        those candidates only.
        """
        found: list[tuple[int, str]] = []
        if distance == 1 and not any(ch in plate for ch in "*?[]"):
            candidates: set[str] = set()
            patterns = [plate[:i] + "?" + plate[i + 1 :] for i in range(len(plate))]
            patterns += [plate[:i] + "?" + plate[i:] for i in range(len(plate) + 1)]
            for pattern in patterns:
                candidates.update(
                    r[0]
                    for r in self.db.execute(
                        "SELECT plate FROM plate_stats WHERE plate GLOB ?", (pattern,)
                    )
                )
            shorter = {plate[:i] + plate[i + 1 :] for i in range(len(plate))} or {""}
            candidates.update(
                r[0]
                for r in self.db.execute(
                    f"SELECT plate FROM plate_stats WHERE plate IN ({','.join('?' * len(shorter))})",  # noqa: E501
                    list(shorter),
                )
            )
            found = sorted((int(c != plate), c) for c in candidates)
            return [p for _, p in found[:cap]]
        lo, hi = len(plate) - distance, len(plate) + distance
        # Pigeonhole filter in SQL: split the plate into distance + 1 pieces; `distance` edits
        # touch at most `distance` of them, so a plate within the distance contains at least
        # one piece unchanged. Only those candidates get the (Python) edit distance.
        size = max(1, len(plate) // (distance + 1))
        pieces = [plate[i * size : (i + 1) * size] for i in range(distance)]
        pieces.append(plate[distance * size :])
        contains = " OR ".join("instr(plate, ?) > 0" for _ in pieces)
        for (known,) in self.db.execute(
            "SELECT plate FROM plate_stats WHERE length(plate) BETWEEN ? AND ?"
            f" AND ({contains})",
            (lo, hi, *pieces),
        ):
            d = levenshtein(plate, known, distance)
            if d <= distance:
                found.append((d, known))
        found.sort()
        return [p for _, p in found[:cap]]

    def hour_profile(self, plate: str, tz: tzinfo) -> list[int]:
        """Sightings of ``plate`` per local hour of day (24 counts) in time zone ``tz``."""
        hours = [0] * 24
        for (ts,) in self.db.execute("SELECT ts FROM sightings WHERE plate = ?", (plate,)):
            hours[datetime.fromtimestamp(ts, tz).hour] += 1
        return hours

    def set_image_path(self, plate: str, time: datetime, camera_id: str, path: str) -> None:
        """Attach a saved picture to the sighting identified by plate, time and camera."""
        self.db.execute(
            "UPDATE sightings SET image_path = ? WHERE plate = ? AND ts = ? AND camera_id = ?",
            (path, plate, _ts(time), camera_id),
        )

    def export_csv(self, path: Path | str, **filters: Any) -> int:
        """Write matching sightings to a CSV file (:data:`CSV_COLUMNS`); return rows written.

        Raises OSError when the file can't be written.
        """
        count = 0
        with Path(path).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for row in self.iter_rows(**filters):
                data = row.as_dict()
                writer.writerow([data[c] if data[c] is not None else "" for c in CSV_COLUMNS])
                count += 1
        return count

    def search(
        self,
        *,
        plate: str | None = None,
        plate_like: str | None = None,
        plates: Iterable[str] | None = None,
        camera_id: str | None = None,
        list_name: str | None = None,
        category: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int = 100,
    ) -> list[SightingRow]:
        """Return sightings matching every filter given, newest first.

        ``plate`` exact, ``plate_like`` an SQL LIKE pattern (``%``/``_``), ``plates`` any of a
        set (used by fuzzy search), ``start``/``end`` aware datetimes (inclusive/exclusive).
        """
        return list(
            self.iter_rows(
                limit=limit,
                plate=plate,
                plate_like=plate_like,
                plates=plates,
                camera_id=camera_id,
                list_name=list_name,
                category=category,
                start=start,
                end=end,
            )
        )

    def known_plates(self) -> list[str]:
        """Return every plate that has stats (used by fuzzy search)."""
        return [r[0] for r in self.db.execute("SELECT plate FROM plate_stats")]

    def purge(self, *, before: datetime | None = None, plate: str | None = None) -> int:
        """Delete sightings older than ``before`` and/or of ``plate``; return rows deleted.

        Plate stats are rebuilt for the affected plates so counts stay true.
        """
        return self.purge_with_images(before=before, plate=plate)[0]

    def purge_with_images(
        self,
        *,
        before: datetime | None = None,
        plate: str | None = None,
        sighting_id: int | None = None,
    ) -> tuple[int, list[str]]:
        """Like :meth:`purge` (also by history id); return the deleted sightings' files.

        The files are the saved pictures and the thumbnails of the deleted sightings.
        """
        if before is None and plate is None and sighting_id is None:
            return 0, []
        db = self.db
        where: list[str] = []
        args: list[Any] = []
        if before is not None:
            where.append("ts < ?")
            args.append(_ts(before))
        if plate is not None:
            where.append("plate = ?")
            args.append(plate)
        if sighting_id is not None:
            where.append("id = ?")
            args.append(sighting_id)
        cond = " AND ".join(where)
        db.execute("BEGIN")
        try:
            db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS _affected (plate TEXT PRIMARY KEY)"
            )
            db.execute("DELETE FROM _affected")
            images = [
                path
                for r in db.execute(
                    f"SELECT image_path, thumb_path FROM sightings WHERE {cond}"
                    " AND (image_path IS NOT NULL OR thumb_path IS NOT NULL)",
                    args,
                )
                for path in r
                if path is not None
            ]
            db.execute(f"INSERT OR IGNORE INTO _affected SELECT DISTINCT plate FROM sightings WHERE {cond}", args)  # noqa: E501
            deleted = db.execute(f"DELETE FROM sightings WHERE {cond}", args).rowcount
            db.execute("DELETE FROM plate_stats WHERE plate IN (SELECT plate FROM _affected)")
            db.execute("DELETE FROM plate_profile WHERE plate IN (SELECT plate FROM _affected)")
            db.execute(
                "INSERT INTO plate_stats (plate, count, first_ts, last_ts, last_camera)"
                " SELECT s.plate, count(*), min(s.ts), max(s.ts),"
                " (SELECT camera FROM sightings l WHERE l.plate = s.plate ORDER BY ts DESC LIMIT 1)"
                " FROM sightings s WHERE s.plate IN (SELECT plate FROM _affected) GROUP BY s.plate"
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return deleted, images

    def counts(self) -> dict[str, int]:
        """Return totals for diagnostics (no plates): sightings and distinct plates."""
        sightings = self.db.execute("SELECT count(*) FROM sightings").fetchone()[0]
        plates = self.db.execute("SELECT count(*) FROM plate_stats").fetchone()[0]
        return {"sightings": int(sightings), "plates": int(plates)}

    def visit_counts(self) -> dict[str, int]:
        """Totals for diagnostics (no plates): visits, open visits, plates stored hashed."""
        db = self.db
        visits = db.execute("SELECT count(*) FROM visits").fetchone()[0]
        open_ = db.execute("SELECT count(*) FROM visits WHERE status = 'open'").fetchone()[0]
        hashed = db.execute("SELECT count(*) FROM plate_stats WHERE plate GLOB '#*'").fetchone()[0]
        return {"visits": int(visits), "open_visits": int(open_), "hashed_plates": int(hashed)}
