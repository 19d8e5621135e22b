"""Hikvision alertStream / multipart assembly: alerts joined with the pictures that follow them.

Pure module (no Home Assistant import). An alertStream, an HTTP-listening POST and an MNPR answer
all carry one alert part followed by its picture parts; the alert names them by ``pId``,
``Content-ID`` or file name (``docs/protocols.md``, "Hikvision ISAPI", "alertStream (arming)"
and "HTTP listening"; Hikvision "ISAPI Developer Guide", event chapter).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo

from ..models import Direction, ImageRole, PlateRead, ReadImage
from ..multipart import Part
from .alerts import HikAlert, PictureRef, is_image_part, parse_event_part, role_for_name
from .documents import HikvisionError


@dataclass(slots=True)
class _Pending:
    read: PlateRead
    expected: list[PictureRef]
    count: int | None
    hold: bool = False  # nothing announced: wait for flush() (end of a one-shot body)

    def complete(self) -> bool:
        if self.hold:
            return False
        wanted = self.count if self.count is not None else len(self.expected)
        return len(self.read.images) >= wanted


@dataclass(slots=True)
class AssemblerStats:
    """Counters for diagnostics."""

    reads: int = 0
    heartbeats: int = 0
    no_plate: int = 0
    other_events: int = 0
    orphan_pictures: int = 0
    duplicates: int = 0


class HikvisionEventAssembler:
    """Turn a sequence of multipart parts into complete :class:`PlateRead` objects.

    Feed every part with :meth:`add`; it returns reads that are complete (all announced pictures
    received, or a new event started). Pictures are linked to the pending read by
    ``pId``/``Content-ID``/``filename`` (``docs/protocols.md``, "Hikvision ISAPI", "alertStream
    (arming)"); a picture no alert announced still joins the pending read (role guessed from its
    name). ``hold_unannounced`` keeps a read without
    any picture info until :meth:`flush` (one-shot bodies: webhook POST, MNPR answer); a stream
    flushes after a short quiet time instead. Reads with the same (UUID, time) are delivered once.
    :meth:`add` raises :class:`HikvisionError` for a bad event part; state stays consistent.
    """

    def __init__(
        self,
        *,
        direction_map: Mapping[str, Direction] | None = None,
        tz: tzinfo = UTC,
        hold_unannounced: bool = False,
        dedupe_size: int = 512,
    ) -> None:
        """Create an assembler (one per connection or request body)."""
        self.direction_map = dict(direction_map or {})
        self.tz = tz
        self.hold_unannounced = hold_unannounced
        self._pending: list[_Pending] = []
        self._seen: dict[tuple[str, str], None] = {}
        self._dedupe_size = dedupe_size
        self.stats = AssemblerStats()
        self.last_heartbeat: HikAlert | None = None

    @property
    def has_pending(self) -> bool:
        """True while a read waits for its pictures."""
        return bool(self._pending)

    def add(self, part: Part) -> list[PlateRead]:
        """Process one part; return the reads completed by it (in arrival order)."""
        if is_image_part(part):
            return self._add_picture(part)
        alerts = parse_event_part(part, direction_map=self.direction_map, tz=self.tz)
        out = self.flush()
        for alert in alerts:
            if alert.is_heartbeat:
                self.stats.heartbeats += 1
                self.last_heartbeat = alert
                continue
            if not alert.is_anpr:
                self.stats.other_events += 1
                continue
            if alert.read is None:
                self.stats.no_plate += 1
                continue
            key = (alert.uuid or "", alert.read.time.isoformat())
            if alert.uuid and key in self._seen:
                self.stats.duplicates += 1
                continue
            if alert.uuid:
                self._seen[key] = None
                if len(self._seen) > self._dedupe_size:
                    self._seen.pop(next(iter(self._seen)))
            expected = [p for p in alert.pictures if p.url is None]
            count = alert.picture_count
            if count is not None and expected:
                count = min(count, len(expected))
            unannounced = count is None and not expected
            if count == 0 or (unannounced and not self.hold_unannounced):
                self.stats.reads += 1
                out.append(alert.read)
            else:
                self._pending.append(_Pending(alert.read, expected, count, hold=unannounced))
        return out

    def _add_picture(self, part: Part) -> list[PlateRead]:
        if part.oversize:
            raise HikvisionError(f"picture part of {part.size} bytes exceeds the size cap")
        if not self._pending:
            self.stats.orphan_pictures += 1
            return []
        keys = {k.casefold() for k in (part.name, part.filename, part.content_id) if k}
        target: _Pending | None = None
        role: ImageRole | None = None
        for pending in self._pending:
            for ref in pending.expected:
                if keys & ref.keys():
                    target, role = pending, ref.role
                    break
            if target:
                break
        if target is None:
            target = self._pending[-1]
            role = role_for_name(part.name or part.filename or part.content_id)
        if part.body:
            target.read.images.append(
                ReadImage(
                    data=part.body,
                    content_type="image/jpeg" if part.content_type == "image/pjpeg"
                    else part.content_type,
                    role=role or ImageRole.FULL,
                    name=part.filename or part.name,
                )
            )
        else:
            # Content-Length 0 picture (seen in the wild): counts as received, carries nothing.
            target.count = (target.count if target.count is not None else len(target.expected)) - 1
        out: list[PlateRead] = []
        while self._pending and self._pending[0].complete():
            out.append(self._pending.pop(0).read)
        self.stats.reads += len(out)
        return out

    def flush(self) -> list[PlateRead]:
        """Return every pending read as it is (pictures that never came are left out)."""
        out = [pending.read for pending in self._pending]
        self._pending.clear()
        self.stats.reads += len(out)
        return out

    def add_all(self, parts: Iterable[Part]) -> tuple[list[PlateRead], list[str]]:
        """Process parts of a one-shot body; return (reads incl. flushed ones, error messages)."""
        reads: list[PlateRead] = []
        errors: list[str] = []
        for part in parts:
            try:
                reads.extend(self.add(part))
            except HikvisionError as err:
                errors.append(str(err))
        reads.extend(self.flush())
        return reads, errors
