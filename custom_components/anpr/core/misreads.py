"""One vehicle across misreads. No Home Assistant import.

Two reads are the same vehicle when they come from **one camera inside its repeat window** and
their plates are equal or **one edit apart** (Levenshtein distance 1) *as OCR gets it wrong*:
one character dropped or added, or one character read as its look-alike
(:data:`LOOKALIKES`: 0/O/D/Q, 1/I/L/T/J, 2/Z, 5/S, 6/G/C, 8/B, 4/A, 7/T/Y, M/N/H, U/V/W, E/F, K/X,
P/R) — unless both plates are listed as different plates (two family cars ``AB12CDE`` and
``AB12CDF`` passing together stay two sightings). A substitution of unlike characters
(``RP01AAA`` / ``RP02AAA``, consecutive fleet plates in convoy) is two vehicles.
Reads on other cameras or outside the window are never merged by similarity alone. The merged
sighting shows the best reading (:func:`best_reading`) and keeps the others as alternatives
with their counts.

Learnt misreads (:class:`LearntMisreads`) come from a user confirming "this was AB12CDE" for a
read: afterwards that exact text, on that camera (or every camera when none was given), is read
as the listed plate before list matching.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Groups of characters OCR engines confuse on plates; any two of one group are look-alikes.
LOOKALIKE_GROUPS = ("0ODQ", "1ILTJ", "2Z", "5S", "6GC", "8B", "4A", "7TY", "MNH", "UVW", "EF",
                    "KX", "PR")  # fmt: skip
LOOKALIKES: frozenset[tuple[str, str]] = frozenset(
    (a, b) for group in LOOKALIKE_GROUPS for a in group for b in group if a != b
)


def misread_of(a: str, b: str) -> bool:
    """Return True when ``a`` and ``b`` differ by one OCR-style edit (or are equal).

    One character dropped or added anywhere, or one character replaced by a look-alike.
    """
    if a == b:
        return True
    if len(a) == len(b):
        diffs = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        return len(diffs) == 1 and diffs[0] in LOOKALIKES
    return within_one_edit(a, b)


def within_one_edit(a: str, b: str) -> bool:
    """Return True when ``a`` and ``b`` are equal or one edit apart.

    True when ``a`` and ``b`` are equal or one substitution/insertion/deletion apart.
    """
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if la > lb:
        a, b, la, lb = b, a, lb, la
    for i in range(la):
        if a[i] != b[i]:
            return a[i:] == b[i + 1 :]
    return True


def same_vehicle(
    plate: str, other: str, *, plate_listed: bool, other_listed: bool
) -> bool:
    """Merge decision for two reads already known to be on one camera inside the window."""
    if plate == other:
        return True
    if plate_listed and other_listed:
        return False
    return misread_of(plate, other)


@dataclass(frozen=True, slots=True)
class Reading:
    """One candidate text of a merged sighting: how often, how sure, whether listed."""

    plate: str
    count: int
    confidence: float
    listed: bool
    first: int  # order of first appearance (0 = the read that opened the sighting)


def best_reading(readings: list[Reading]) -> str:
    """Return the text a merged sighting shows.

    A listed plate first, then the highest confidence, then the most reads, then the first
    seen. Raises ValueError for an empty list.
    """
    if not readings:
        raise ValueError("no readings")
    return max(readings, key=lambda r: (r.listed, r.confidence, r.count, -r.first)).plate


class LearntMisreads:
    """``read text → listed plate`` learnt from confirmations, per camera or everywhere."""

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        """Load from :meth:`as_dict` form: ``{read: {"plate": P, "cameras": [ids] | None}}``."""
        self._map: dict[str, tuple[str, frozenset[str] | None]] = {}
        for read, item in (data or {}).items():
            cameras = item.get("cameras")
            self._map[read] = (item["plate"], frozenset(cameras) if cameras else None)

    def __len__(self) -> int:
        """Return the number of learnt texts.

        Number of learnt texts.
        """
        return len(self._map)

    def learn(self, read: str, plate: str, camera_id: str | None = None) -> None:
        """Remember that ``read`` was ``plate`` (on ``camera_id``; None = on every camera)."""
        if read == plate:
            return
        previous = self._map.get(read)
        cameras: frozenset[str] | None
        if camera_id is None or (previous is not None and previous[1] is None
                                 and previous[0] == plate):  # fmt: skip
            cameras = None
        elif previous is not None and previous[0] == plate and previous[1] is not None:
            cameras = previous[1] | {camera_id}
        else:
            cameras = frozenset({camera_id})
        self._map[read] = (plate, cameras)

    def lookup(self, read: str, camera_id: str) -> str | None:
        """Return the listed plate ``read`` is known to be on ``camera_id``, or None.

        The listed plate ``read`` is known to be on ``camera_id``, or None.
        """
        item = self._map.get(read)
        if item is None or (item[1] is not None and camera_id not in item[1]):
            return None
        return item[0]

    def forget_plate(self, plate: str) -> int:
        """Drop every misread learnt for ``plate``; return how many."""
        gone = [read for read, (p, _) in self._map.items() if p == plate]
        for read in gone:
            del self._map[read]
        return len(gone)

    def as_dict(self) -> dict[str, Any]:
        """Storage form."""
        return {
            read: {"plate": plate, "cameras": sorted(cams) if cams else None}
            for read, (plate, cams) in self._map.items()
        }
