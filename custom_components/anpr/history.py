"""Persistent sightings history in SQLite (no Home Assistant import).

Chosen for scale (DESIGN.md "Sightings history": ≥ 1 M sightings, indexed by plate and time):
one ``sightings`` row per sighting and one ``plate_stats`` row per plate (count, first/last
seen), in WAL mode so a crash never corrupts the file. The class is synchronous and **not**
thread-safe: the Home Assistant side runs every call on one dedicated worker thread
(:class:`~custom_components.anpr.store.HistoryStore`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
import csv
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
import sqlite3
from typing import Any

from .matching import levenshtein

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

#: ``PRAGMA user_version`` of a database with every migration below applied.
SCHEMA_VERSION = 2

#: In-place migrations, run once each in order on open (``user_version`` says which ran).
#: Version 2 (the panel's websocket API, issue 15): the thumbnail path and merged-read count
#: of each sighting, and the indexes a keyset page ``ORDER BY ts DESC, id DESC`` needs under
#: each filter (SQLite appends the rowid ``id`` to every index entry, so ``(x, ts)`` serves
#: ``WHERE x = ? ORDER BY ts DESC, id DESC`` without sorting).
MIGRATIONS: dict[int, tuple[str, ...]] = {
    2: (
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
    " read_plate, image_path, thumb_path, reads"
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

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict (ISO time)."""
        return {
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


class SightingHistory:
    """SQLite store of sightings. Every method may raise :class:`sqlite3.Error`."""

    def __init__(self, path: Path | str) -> None:
        """Remember the database path (``":memory:"`` allowed); call :meth:`open` next."""
        self.path = str(path)
        self._db: sqlite3.Connection | None = None

    def open(self) -> None:
        """Open (creating if needed) the database in WAL mode."""
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            db.executescript(SCHEMA)
            self._migrate(db)
        except BaseException:
            db.close()
            raise
        self._db = db

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        """Apply the :data:`MIGRATIONS` this database lacks, each in one transaction."""
        # 0 (never set) is the first schema, which SCHEMA creates.
        version = max(1, int(db.execute("PRAGMA user_version").fetchone()[0]))
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
                    " direction, confidence, read_plate, image_path)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    ),
                )
                result.append(replace(before, row_id=cursor.lastrowid))
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
    ) -> tuple[str, list[Any]]:
        where: list[str] = []
        args: list[Any] = []
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
