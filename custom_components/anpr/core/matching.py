"""Plate matching: country formats, character fixes, per-plate rules and fuzzy search.

No Home Assistant import. Order of precedence for one read (README "Plate lists"; the
corrections work like Frigate's LPR ``replace_rules``/``format``):

1. normalise (``plates.normalise_plate``), the hub's ordered global regex corrections and the
   camera's learnt misreads (``pipeline.Pipeline.correct``);
2. country format fixes (:func:`fix_format`): only when the plate fits none of the country's
   formats, O↔0, I↔1, B↔8 are swapped at the positions the format wants a letter or a digit,
   and only when that makes it fit exactly one template (docs/protocols.md, "UK plate formats");
3. exact match on plate or alternative reading, then per-plate regex rules, then fuzzy match
   (edit distance ≤ N; nearest wins; two different plates at the nearest distance → no fuzzy
   match) — each only among entries valid now and scoped to this camera;
4. the camera's own list verdict (``pipeline._classify``) when nothing above matched.

Within one step, alert beats allowed beats ignored when a plate is listed in several groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
import re
from zoneinfo import ZoneInfo

from .plates import CATEGORY_ORDER, ListMatch, PlateEntry, PlateGroup, PlateLists

# --- country formats ---------------------------------------------------------------------------

#: Position classes: L = letter, D = digit. Characters that look alike across the classes.
TO_LETTER = {"0": "O", "1": "I", "8": "B"}
TO_DIGIT = {"O": "0", "I": "1", "B": "8"}


@dataclass(frozen=True, slots=True)
class PlateFormat:
    """One national format: ``template`` like ``LLDDLLL`` plus an optional extra check regex.

    ``name`` identifies the rule in a sighting's ``corrections``/``reason``; ``check`` (full
    match) adds constraints the template can't express (e.g. NI district letters).
    """

    name: str
    template: str
    check: re.Pattern[str] | None = None

    def fits(self, plate: str) -> bool:
        """Return True when ``plate`` (normalised) has this format."""
        if len(plate) != len(self.template):
            return False
        for ch, cls in zip(plate, self.template, strict=True):
            if cls == "L" and not ("A" <= ch <= "Z"):
                return False
            if cls == "D" and not ch.isdigit():
                return False
        return self.check is None or self.check.fullmatch(plate) is not None

    def fix(self, plate: str) -> str | None:
        """Swap look-alikes position by position; return the fitting plate or None."""
        if len(plate) != len(self.template):
            return None
        out = []
        for ch, cls in zip(plate, self.template, strict=True):
            if cls == "L" and ch.isdigit():
                out.append(TO_LETTER.get(ch, ch))
            elif cls == "D" and ch.isalpha():
                out.append(TO_DIGIT.get(ch, ch))
            else:
                out.append(ch)
        fixed = "".join(out)
        return fixed if self.fits(fixed) else None


def _expand(name: str, pattern: str, check: str | None = None) -> list[PlateFormat]:
    """Expand ``L{1,3}D{1,4}``-style patterns into fixed-length templates."""
    parts = re.findall(r"([LD])\{(\d)(?:,(\d))?\}|([LD])", pattern)
    lengths: list[list[str]] = [[""]]
    for cls, lo, hi, single in parts:
        options = [single] if single else [cls * n for n in range(int(lo), int(hi or lo) + 1)]
        lengths = [[*prefix, o] for prefix in lengths for o in options]
    compiled = re.compile(check) if check else None
    return [PlateFormat(name, "".join(t), compiled) for t in lengths]


#: Formats per country (ISO 3166 alpha-2), most likely first (docs/protocols.md,
#: "UK plate formats").
COUNTRY_FORMATS: dict[str, list[PlateFormat]] = {
    "GB": [
        *_expand("uk_current", "L{2}D{2}L{3}"),
        *_expand("uk_prefix", "LD{1,3}L{3}"),
        *_expand("uk_suffix", "L{3}D{1,3}L"),
        *_expand("uk_northern_ireland", "L{1,3}D{1,4}", r"[A-Z]*[IZ][A-Z]*[0-9]+"),
        *_expand("uk_dateless", "D{1,4}L{1,3}"),
        *_expand("uk_dateless", "L{1,3}D{1,4}"),
        PlateFormat("uk_diplomatic", "DDDLDDD", re.compile(r"[0-9]{3}[DX][0-9]{3}")),
    ],
}
COUNTRY_ALIASES = {"UK": "GB", "GBR": "GB", "UNITED KINGDOM": "GB", "ENGLAND": "GB",
                   "GREAT BRITAIN": "GB", "NI": "GB", "NIR": "GB"}  # fmt: skip


def country_code(value: str | None) -> str | None:
    """Map a camera's country text (``"UK"``, ``"GBR"``, ``"gb"``) to an upper-case code.

    Known aliases map to the key of :data:`COUNTRY_FORMATS`; other text is returned upper-cased
    (a country without formats: no fixes). Empty text gives None.
    """
    if not value or not value.strip():
        return None
    key = value.strip().upper()
    return COUNTRY_ALIASES.get(key, key)


@dataclass(frozen=True, slots=True)
class FormatFix:
    """Outcome of :func:`fix_format`: the plate, the format it fits (or None), whether fixed."""

    plate: str
    format: str | None
    fixed: bool = False


def fix_format(plate: str, country: str | None) -> FormatFix:
    """Check ``plate`` against ``country``'s formats and fix look-alike characters.

    A plate that already fits a format is kept. Otherwise each template of the same length is
    tried with position-aware swaps (O↔0, I↔1, B↔8); the first format family (in the table's
    order) with exactly one fitting result wins; ambiguity inside that family keeps the plate.
    Unknown countries keep the plate (``format`` None).
    """
    formats = COUNTRY_FORMATS.get(country or "")
    if not formats:
        return FormatFix(plate, None)
    for fmt in formats:
        if fmt.fits(plate):
            return FormatFix(plate, fmt.name)
    by_family: dict[str, set[str]] = {}
    for fmt in formats:
        fixed = fmt.fix(plate)
        if fixed is not None:
            by_family.setdefault(fmt.name, set()).add(fixed)
    for name, results in by_family.items():
        if len(results) == 1:
            return FormatFix(results.pop(), name, fixed=True)
        return FormatFix(plate, None)
    return FormatFix(plate, None)


def is_uk_plate(plate: str) -> bool:
    """Return True when ``plate`` (normalised) fits a UK format (the DVLA knows only those)."""
    return any(fmt.fits(plate) for fmt in COUNTRY_FORMATS["GB"])


# --- edit distance and the fuzzy index ---------------------------------------------------------


def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; with ``limit``, any value above it is returned as ``limit + 1``."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        best = i
        for j, cb in enumerate(b, 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            current.append(value)
            best = min(best, value)
        if limit is not None and best > limit:
            return limit + 1
        previous = current
    return previous[-1]


def deletions(text: str, max_deletes: int) -> set[str]:
    """Every string made from ``text`` by deleting 0..``max_deletes`` characters."""
    result = {text}
    frontier = {text}
    for _ in range(max_deletes):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        result |= frontier
    return result


class FuzzyIndex:
    """Deletion-neighbourhood (SymSpell-style) index for edit distance ≤ ``max_distance``.

    Two strings within Levenshtein distance N share a string reachable by ≤ N deletions from
    each, so the candidates of a query are the keys its own deletions hit; each candidate is then
    verified with :func:`levenshtein`. Memory: about Σ C(len, ≤N) keys per plate (8 for a 7-char
    plate at N=1, 29 at N=2). Query: O(C(len, ≤N)) dict lookups plus a few verifications.
    """

    def __init__(self, words: Iterable[str], max_distance: int) -> None:
        """Index ``words`` (normalised plates)."""
        self.max_distance = max(0, max_distance)
        self._keys: dict[str, list[str]] = {}
        self.words: set[str] = set()
        for word in words:
            self.add(word)

    def add(self, word: str) -> None:
        """Add one word (idempotent)."""
        if word in self.words:
            return
        self.words.add(word)
        for key in deletions(word, self.max_distance):
            self._keys.setdefault(key, []).append(word)

    def remove(self, word: str) -> None:
        """Remove one word (no-op when absent)."""
        if word not in self.words:
            return
        self.words.discard(word)
        for key in deletions(word, self.max_distance):
            bucket = self._keys.get(key)
            if bucket is not None and word in bucket:
                bucket.remove(word)
                if not bucket:
                    del self._keys[key]

    def search(self, query: str, max_distance: int | None = None) -> list[tuple[int, str]]:
        """Return ``(distance, word)`` for every word within the distance, nearest first."""
        limit = self.max_distance if max_distance is None else min(max_distance, self.max_distance)
        if limit <= 0:
            return [(0, query)] if query in self.words else []
        seen: set[str] = set()
        found: list[tuple[int, str]] = []
        for key in deletions(query, limit):
            for word in self._keys.get(key, ()):
                if word in seen:
                    continue
                seen.add(word)
                dist = levenshtein(query, word, limit)
                if dist <= limit:
                    found.append((dist, word))
        found.sort()
        return found


# --- the matcher -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MatchOutcome:
    """What :meth:`Matcher.match` found: the list match (or None) and why not when None.

    ``skipped`` explains entries that matched the text but did not apply (other camera, outside
    the validity window) so the sighting can say so.
    """

    match: ListMatch | None
    skipped: str | None = None


class Matcher:
    """Matches normalised plates against :class:`PlateLists` (see module docstring for order).

    ``fuzzy_distance``: N of the fuzzy step (0 = off). ``tz``: time zone of validity windows.
    The fuzzy index and compiled rules follow the lists lazily when their ``revision`` moves
    (only the plates added or removed since are (un)indexed), so list edits apply to the next
    read without a reload and without a full rebuild.
    """

    def __init__(
        self, lists: PlateLists, *, fuzzy_distance: int = 1, tz: tzinfo | None = None
    ) -> None:
        """Bind to ``lists``."""
        self.lists = lists
        self.fuzzy_distance = max(0, int(fuzzy_distance))
        self.tz: tzinfo = tz or ZoneInfo("UTC")
        self._revision = -1
        self._index = FuzzyIndex((), 0)
        self._rules: list[tuple[re.Pattern[str], PlateEntry]] = []

    def prepare(self) -> None:
        """Build the index now (e.g. in the executor at start-up, before any read)."""
        self._refresh()

    def _refresh(self) -> None:
        if (
            self._revision == self.lists.revision
            and self._index.max_distance == self.fuzzy_distance
        ):
            return
        keys = self.lists.keys()
        if self._index.max_distance != self.fuzzy_distance:
            self._index = FuzzyIndex(keys, self.fuzzy_distance)
        else:
            for gone in self._index.words - keys:
                self._index.remove(gone)
            for new in keys - self._index.words:
                self._index.add(new)
        self._rules = [
            (re.compile(rule), entry)
            for entry in self.lists.entries_with_rules()
            for rule in entry.rules
        ]
        self._revision = self.lists.revision

    def _eligible(
        self, entries: Sequence[PlateEntry], camera_id: str | None, when: datetime | None
    ) -> tuple[list[PlateEntry], str | None]:
        ok: list[PlateEntry] = []
        skipped: str | None = None
        for entry in entries:
            if entry.group not in self.lists.groups:
                continue
            if entry.cameras and camera_id not in entry.cameras:
                name = self._group(entry).name
                skipped = skipped or f"{entry.plate} in {name} not for this camera"
                continue
            if entry.validity is not None and when is not None and not entry.validity.active(
                when, self.tz
            ):
                skipped = skipped or (
                    f"{entry.plate} in {self._group(entry).name} outside its validity window"
                )
                continue
            ok.append(entry)
        return ok, skipped

    def _group(self, entry: PlateEntry) -> PlateGroup:
        return self.lists.groups[entry.group]

    def _best(self, entries: Sequence[PlateEntry]) -> PlateEntry:
        return min(entries, key=lambda e: CATEGORY_ORDER.get(self._group(e).category, 3))

    def match(
        self, plate: str, *, camera_id: str | None = None, when: datetime | None = None
    ) -> MatchOutcome:
        """Match a normalised (and corrected) plate; never raises for any plate text."""
        self._refresh()
        skipped: str | None = None
        # 1. exact / alias
        entries, why = self._eligible(self.lists.exact(plate), camera_id, when)
        skipped = skipped or why
        if entries:
            best = self._best(entries)
            group = self._group(best)
            how = "exact" if best.plate == plate else "alias"
            return MatchOutcome(
                ListMatch(
                    entry=best,
                    group=group,
                    matched_by=how,
                    reason=f"{how} match of {best.plate} in {group.name}",
                )
            )
        # 2. per-plate regex rules
        hits = [entry for pattern, entry in self._rules if pattern.fullmatch(plate)]
        entries, why = self._eligible(hits, camera_id, when)
        skipped = skipped or why
        if entries:
            best = self._best(entries)
            group = self._group(best)
            rule = next(r for r in best.rules if re.fullmatch(r, plate))
            return MatchOutcome(
                ListMatch(
                    entry=best,
                    group=group,
                    matched_by="rule",
                    rule=rule,
                    reason=f"rule {rule} of {best.plate} in {group.name}",
                )
            )
        # 3. fuzzy: nearest distance; different plates tied at it -> no match
        if self.fuzzy_distance > 0:
            found = self._fuzzy(plate, camera_id, when)
            if isinstance(found, ListMatch):
                return MatchOutcome(found)
            skipped = skipped or found
        return MatchOutcome(None, skipped)

    def _fuzzy(
        self, plate: str, camera_id: str | None, when: datetime | None
    ) -> ListMatch | str | None:
        by_distance: dict[int, list[tuple[str, PlateEntry]]] = {}
        for distance, word in self._index.search(plate):
            if distance == 0:
                continue
            entries, _ = self._eligible(self.lists.exact(word), camera_id, when)
            for entry in entries:
                by_distance.setdefault(distance, []).append((word, entry))
        if not by_distance:
            return None
        distance = min(by_distance)
        candidates = by_distance[distance]
        plates = {entry.plate for _, entry in candidates}
        if len(plates) > 1:
            return f"fuzzy tie between {', '.join(sorted(plates))} at distance {distance}"
        best = self._best([entry for _, entry in candidates])
        group = self._group(best)
        return ListMatch(
            entry=best,
            group=group,
            matched_by="fuzzy",
            distance=distance,
            reason=f"fuzzy match of {best.plate} in {group.name} (distance {distance})",
        )
