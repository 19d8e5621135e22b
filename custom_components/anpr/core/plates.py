"""Plate text handling and plate lists (no Home Assistant import).

Normalisation: upper case, spaces and separators removed, homoglyphs folded (Greek and Cyrillic
look-alikes to Latin), so every camera's way of writing a plate compares equal. Plate lists:
named groups with a category (``allowed`` / ``alert`` / ``ignored``), a priority and entries;
:func:`plate_entry` checks an entry a user typed (actions, options flow, panel) the same way
everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
import logging
import re
from typing import Any
import unicodedata

from .validity import Validity, ValidityError

_LOGGER = logging.getLogger(__package__)

#: List categories: what a match means (a known vehicle, an alert, a plate to ignore).
CATEGORY_ALLOWED = "allowed"
CATEGORY_ALERT = "alert"
CATEGORY_IGNORED = "ignored"
CATEGORIES = [CATEGORY_ALLOWED, CATEGORY_ALERT, CATEGORY_IGNORED]
#: Which category wins when one plate is on several lists (lower first).
CATEGORY_ORDER = {CATEGORY_ALERT: 0, CATEGORY_ALLOWED: 1, CATEGORY_IGNORED: 2}

# Look-alike letters from Greek and Cyrillic folded to Latin (upper case).
_HOMOGLYPHS = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "У": "Y", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ү": "Y",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip
_HOMOGLYPH_TABLE = str.maketrans(_HOMOGLYPHS)
_SEPARATORS = re.compile(r"[\s\-_.·•:/\\|]+")


def normalise_plate(text: str) -> str:
    """Return the canonical form of a plate text: ``"ab-12 cde"`` → ``"AB12CDE"``.

    Unicode is NFKC-normalised (full-width digits become ASCII), upper-cased, separators and
    spaces are removed and Greek/Cyrillic homoglyphs are folded to Latin. Native characters that
    have no Latin look-alike (``粤``, ``Ä``) are kept.
    """
    folded = unicodedata.normalize("NFKC", text).upper().translate(_HOMOGLYPH_TABLE)
    return _SEPARATORS.sub("", folded)


@dataclass(kw_only=True)
class PlateGroup:
    """A named list of plates. ``category`` is ``allowed``, ``alert`` or ``ignored``.

    ``vehicles``: whether its plates get vehicle devices (vehicles.py); None means "only for
    ``allowed`` groups" (an alert list of stolen cars can hold thousands of plates).
    """

    id: str
    name: str
    category: str
    priority: str = "medium"
    icon: str | None = None
    description: str | None = None
    vehicles: bool | None = None

    @property
    def tracks_vehicles(self) -> bool:
        """True when the group's plates get vehicle devices."""
        return self.vehicles if self.vehicles is not None else self.category == CATEGORY_ALLOWED


@dataclass(kw_only=True)
class PlateEntry:
    """One listed plate (normalised) in one group.

    ``description``: owner/vehicle text; ``aliases``: alternative readings (normalised) that
    count as exact matches; ``cameras``: camera subentry ids the entry is limited to (empty =
    every camera); ``rules``: per-plate regular expressions matched (fully) against the read
    plate after global corrections; ``validity``: when the entry applies (None = always).
    """

    plate: str
    group: str
    description: str | None = None
    aliases: list[str] = field(default_factory=list)
    cameras: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    validity: Validity | None = None

    def as_dict(self) -> dict[str, Any]:
        """Storage form (JSON types)."""
        return {
            "plate": self.plate,
            "group": self.group,
            "description": self.description,
            "aliases": list(self.aliases),
            "cameras": list(self.cameras),
            "rules": list(self.rules),
            "validity": self.validity.as_dict() if self.validity else None,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PlateEntry:
        """Rebuild from :meth:`as_dict`; raises KeyError/TypeError/ValidityError when broken."""
        return cls(
            plate=str(raw["plate"]),
            group=str(raw["group"]),
            description=raw.get("description"),
            aliases=[str(a) for a in raw.get("aliases") or ()],
            cameras=[str(c) for c in raw.get("cameras") or ()],
            rules=[str(r) for r in raw.get("rules") or ()],
            validity=Validity.from_dict(raw.get("validity")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ListMatch:
    """Result of matching a plate against the lists: which entry, group and why.

    ``matched_by`` is ``exact``, ``alias``, ``rule`` (a per-plate regex), ``fuzzy`` or
    ``camera``; ``reason`` is a human sentence; ``rule`` the regex or format rule involved;
    ``distance`` the edit distance of a fuzzy match.
    """

    entry: PlateEntry
    group: PlateGroup
    matched_by: str
    reason: str
    rule: str | None = None
    distance: int = 0


DEFAULT_GROUPS = (
    PlateGroup(id="allowed", name="Allowed", category=CATEGORY_ALLOWED, priority="medium"),
    PlateGroup(id="alert", name="Alert", category=CATEGORY_ALERT, priority="critical"),
    PlateGroup(id="ignored", name="Ignored", category=CATEGORY_IGNORED, priority="low"),
)


class PlateLists:
    """Groups and entries in memory, serialisable with :meth:`as_dict` / :meth:`from_dict`."""

    def __init__(
        self, groups: Iterable[PlateGroup] = DEFAULT_GROUPS, entries: Iterable[PlateEntry] = ()
    ) -> None:
        """Build the lists from groups and entries."""
        self.groups: dict[str, PlateGroup] = {g.id: PlateGroup(**asdict(g)) for g in groups}
        self.entries: dict[tuple[str, str], PlateEntry] = {}
        self._by_plate: dict[str, list[PlateEntry]] = {}
        #: Bumped on every change; matchers rebuild their indexes when it moves.
        self.revision = 0
        for entry in entries:
            self.add(entry)

    def add(self, entry: PlateEntry) -> PlateEntry:
        """Add or replace ``entry`` (plate normalised).

        Raises KeyError for an unknown group, ValueError for an empty plate and ``re.error``
        for a per-plate rule that is not a regular expression.
        """
        if entry.group not in self.groups:
            raise KeyError(entry.group)
        entry.plate = normalise_plate(entry.plate)
        if not entry.plate:
            raise ValueError("empty plate")
        entry.aliases = [normalise_plate(a) for a in entry.aliases if a.strip()]
        entry.rules = [r.strip() for r in entry.rules if r.strip()]
        for rule in entry.rules:
            re.compile(rule)
        self.remove(entry.plate, entry.group)
        self.entries[(entry.group, entry.plate)] = entry
        for key in dict.fromkeys((entry.plate, *entry.aliases)):
            self._by_plate.setdefault(key, []).append(entry)
        self.revision += 1
        return entry

    def find_group(self, text: str) -> str | None:
        """Return the id of the group ``text`` names (its id, or its name in any case)."""
        if text in self.groups:
            return text
        folded = text.casefold()
        return next((gid for gid, g in self.groups.items() if g.name.casefold() == folded), None)

    def get(self, plate: str, group: str) -> PlateEntry | None:
        """Return the entry of ``plate`` in ``group`` or None."""
        return self.entries.get((group, normalise_plate(plate)))

    def keys(self) -> set[str]:
        """Every listed plate and alternative reading (normalised)."""
        return set(self._by_plate)

    def entries_with_rules(self) -> list[PlateEntry]:
        """Entries that have per-plate regex rules."""
        return [e for e in self.entries.values() if e.rules]

    def exact(self, plate: str) -> list[PlateEntry]:
        """Entries whose plate or an alias is exactly ``plate`` (normalised text)."""
        return list(self._by_plate.get(plate, ()))

    def is_listed(self, plate: str) -> bool:
        """Return True when ``plate`` is a listed plate or alternative reading (exact)."""
        return bool(self._by_plate.get(plate))

    def set_group(self, group: PlateGroup) -> None:
        """Add or replace a group (entries kept). Raises ValueError for an unknown category."""
        if group.category not in CATEGORIES:
            raise ValueError(group.category)
        self.groups[group.id] = group
        self.revision += 1

    def remove_group(self, group_id: str) -> int:
        """Remove a group and its entries; return the entries removed. KeyError if unknown."""
        if group_id not in self.groups:
            raise KeyError(group_id)
        removed = 0
        for _, plate in [k for k in self.entries if k[0] == group_id]:
            removed += self.remove(plate, group_id)
        del self.groups[group_id]
        self.revision += 1
        return removed

    def remove(self, plate: str, group: str | None = None) -> int:
        """Remove ``plate`` from ``group`` (every group when None); return entries removed."""
        plate = normalise_plate(plate)
        removed = 0
        for key in [k for k in self.entries if k[1] == plate and group in (None, k[0])]:
            entry = self.entries.pop(key)
            for alias in (entry.plate, *entry.aliases):
                bucket = self._by_plate.get(alias, [])
                if entry in bucket:
                    bucket.remove(entry)
                if not bucket:
                    self._by_plate.pop(alias, None)
            removed += 1
        if removed:
            self.revision += 1
        return removed

    def match(self, plate: str, camera_id: str | None = None) -> ListMatch | None:
        """Return the exact (or alias) match for a normalised ``plate``, highest priority first.

        Entries scoped to other cameras are skipped. Alert beats allowed beats ignored when a
        plate is in several groups.
        """
        candidates = [
            e for e in self._by_plate.get(plate, ()) if not e.cameras or camera_id in e.cameras
        ]
        if not candidates:
            return None
        best = min(
            candidates, key=lambda e: CATEGORY_ORDER.get(self.groups[e.group].category, 3)
        )
        group = self.groups[best.group]
        how = "exact" if best.plate == plate else "alias"
        return ListMatch(
            entry=best, group=group, matched_by=how, reason=f"{how} match in {group.name}"
        )

    def as_dict(self) -> dict[str, Any]:
        """Serialise to plain JSON types."""
        return {
            "groups": [asdict(g) for g in self.groups.values()],
            "entries": [e.as_dict() for e in self.entries.values()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> PlateLists:
        """Rebuild from :meth:`as_dict` output (None gives the default groups)."""
        if not data:
            return cls()
        known = {f.name for f in fields(PlateGroup)}
        groups: list[PlateGroup] = []
        for raw_group in data.get("groups", []):
            try:
                groups.append(PlateGroup(**{k: v for k, v in raw_group.items() if k in known}))
            except TypeError:
                _LOGGER.warning("Skipped a stored plate list that could not be read")
        lists = cls(groups or DEFAULT_GROUPS)
        skipped = 0
        for raw in data.get("entries", []):
            try:
                lists.add(PlateEntry.from_dict(raw))
            except (KeyError, TypeError, ValueError, ValidityError, re.error):
                skipped += 1
        if skipped:
            _LOGGER.warning("Skipped %d stored plate entries that could not be read", skipped)
        return lists


# --- Entries typed by a user ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryProblem:
    """One reason a typed plate entry is refused.

    ``field`` is the input it concerns (``plate``, ``group``, ``validity``, ``rules``);
    ``error`` the translation key (``invalid_plate``, ``unknown_group``, ``invalid_validity``,
    ``invalid_rule``: the same key under ``exceptions`` for actions and websocket commands and
    under ``options.error`` for the list editor); ``placeholders`` fill the exception message.
    """

    field: str
    error: str
    placeholders: Mapping[str, str]


class InvalidPlateEntry(ValueError):
    """A typed plate entry was refused; ``problems`` lists every reason, in field order."""

    def __init__(self, problems: list[EntryProblem]) -> None:
        """Keep the problems (at least one)."""
        super().__init__(", ".join(f"{p.field}: {p.error}" for p in problems))
        self.problems = problems


def plate_entry(
    lists: PlateLists,
    *,
    plate: str,
    group: str,
    description: str | None = None,
    aliases: Iterable[str] = (),
    cameras: Iterable[str] = (),
    validity: str | None = None,
    rules: Iterable[str] = (),
) -> PlateEntry:
    """Check and normalise one plate entry as a user typed it; return it (not yet added).

    - ``plate`` is normalised (:func:`normalise_plate`); nothing left: ``invalid_plate``
      ``{plate}`` (the text as typed);
    - ``group`` is a group id or name (any case, :meth:`PlateLists.find_group`); the entry gets
      the id; none: ``unknown_group`` ``{group}``;
    - ``validity`` is validity text (``core/validity.py``; empty or None: always);
      otherwise ``invalid_validity`` ``{validity, error}``;
    - ``rules`` are stripped and blank ones dropped; each must be a regular expression:
      ``invalid_rule`` ``{rule, error}``;
    - blank ``aliases`` are dropped (:meth:`PlateLists.add` normalises the rest); an empty
      ``description`` becomes None; ``cameras`` (subentry ids) are kept as given: which names
      a surface accepts for a camera is its own business.

    Raises :class:`InvalidPlateEntry` with every problem found.
    """
    problems: list[EntryProblem] = []
    normalised = normalise_plate(plate)
    if not normalised:
        problems.append(EntryProblem("plate", "invalid_plate", {"plate": plate}))
    group_id = lists.find_group(group)
    if group_id is None:
        problems.append(EntryProblem("group", "unknown_group", {"group": group}))
    window = None
    try:
        window = Validity.parse(validity or "")
    except ValidityError as err:
        problems.append(
            EntryProblem(
                "validity", "invalid_validity", {"validity": validity or "", "error": str(err)}
            )
        )
    kept_rules = [r.strip() for r in rules if r.strip()]
    for rule in kept_rules:
        try:
            re.compile(rule)
        except re.error as err:
            problems.append(
                EntryProblem("rules", "invalid_rule", {"rule": rule, "error": str(err)})
            )
    if problems or group_id is None:
        raise InvalidPlateEntry(problems)
    return PlateEntry(
        plate=normalised,
        group=group_id,
        description=description or None,
        aliases=[a for a in aliases if a.strip()],
        cameras=list(cameras),
        rules=kept_rules,
        validity=window,
    )


# --- CSV import / export ---------------------------------------------------------------------

#: Columns of the plate-list CSV (header row optional on import; extra columns ignored).
LIST_CSV_COLUMNS = ("plate", "group", "description", "validity", "aliases", "cameras")
MAX_CSV_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """One rejected CSV row: 1-based ``line``, the raw ``plate`` text and an error key.

    ``error`` is one of ``empty_plate``, ``unknown_group``, ``invalid_validity``,
    ``too_many_rows``; ``detail`` says more (e.g. the bad token).
    """

    line: int
    plate: str
    error: str
    detail: str = ""


def parse_list_csv(
    text: str, lists: PlateLists, default_group: str | None = None
) -> tuple[list[PlateEntry], list[CsvProblem]]:
    """Parse CSV rows ``plate, group, description, validity[, aliases, cameras]``.

    The group is matched by id or name (case-insensitive); an empty group takes
    ``default_group``. Aliases and cameras are ``;``-separated. Returns the good entries (not yet
    added) and one :class:`CsvProblem` per bad row; never raises for bad rows.
    """
    import csv  # noqa: PLC0415 - only needed here
    import io  # noqa: PLC0415

    by_name = {g.name.casefold(): gid for gid, g in lists.groups.items()}
    by_name.update({gid.casefold(): gid for gid in lists.groups})
    good: list[PlateEntry] = []
    problems: list[CsvProblem] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for line, row in enumerate(reader, 1):
        cells = [c.strip() for c in row] + [""] * len(LIST_CSV_COLUMNS)
        if not any(cells):
            continue
        if line == 1 and cells[0].casefold() == "plate":
            continue
        if len(good) + len(problems) >= MAX_CSV_ROWS:
            problems.append(CsvProblem(line, cells[0], "too_many_rows", str(MAX_CSV_ROWS)))
            break
        plate = normalise_plate(cells[0])
        if not plate:
            problems.append(CsvProblem(line, cells[0], "empty_plate"))
            continue
        group_text = cells[1] or default_group or ""
        group = by_name.get(group_text.casefold())
        if group is None:
            problems.append(CsvProblem(line, cells[0], "unknown_group", group_text))
            continue
        try:
            validity = Validity.parse(cells[3])
        except ValidityError as err:
            problems.append(CsvProblem(line, cells[0], "invalid_validity", str(err)))
            continue
        good.append(
            PlateEntry(
                plate=plate,
                group=group,
                description=cells[2] or None,
                validity=validity,
                aliases=[a for a in cells[4].split(";") if a.strip()],
                cameras=[c.strip() for c in cells[5].split(";") if c.strip()],
            )
        )
    return good, problems


def list_csv(lists: PlateLists) -> str:
    """Return every entry as CSV with a header (:data:`LIST_CSV_COLUMNS`), group by name."""
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LIST_CSV_COLUMNS)
    for entry in sorted(lists.entries.values(), key=lambda e: (e.group, e.plate)):
        writer.writerow(
            [
                entry.plate,
                lists.groups[entry.group].name,
                entry.description or "",
                entry.validity.to_text() if entry.validity else "",
                ";".join(entry.aliases),
                ";".join(entry.cameras),
            ]
        )
    return out.getvalue()
