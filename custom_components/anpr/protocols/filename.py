"""Plate, time and other fields from the names of uploaded ANPR pictures.

Pure module (no Home Assistant import). Cameras that upload their pictures by FTP/NAS encode the
read in the file name (``docs/protocols.md``, "Folder uploads (file names)"; the README of
rhizomatics/anpr2mqtt):

* Hikvision "custom" rule (Capture Time, Plate No., Alarm Type):
  ``20250602103045407_B4DM3N_VEHICLE_DETECTION.jpg``; plates may hold ``-`` (``549-A8``), lower
  case and non-ASCII letters; with no plate read the name is
  ``20250602103045407_VEHICLE_DETECTION.jpg``; a 19-digit time prefix is seen as well
  (``2024110312013232013_P99JHG_VEHICLE_DETECTION.jpeg``).
* Hikvision default rule: ``<ip>_<channel>_<yyyyMMddHHmmssSSS>_VEHICLE_DETECTION.jpg``
  (``192.168.10.11_01_20211223100318344_VEHICLE_DETECTION.jpg``): no plate in the name.
* A free regular expression with named groups ``plate`` (alias ``target``, anpr2mqtt's name) and
  ``time`` (alias ``dt``); every other named group is kept in :attr:`ParsedName.fields`.

Times are the camera's local wall-clock time; :class:`FilenamePattern` turns them into aware UTC
datetimes with the camera's IANA time zone. Unlike anpr2mqtt (which passes the three millisecond
digits as *microseconds*, so ``…45407`` becomes ``:45.000407``), ``SSS`` is milliseconds:
``…45407`` is 45.407 s.

19-digit times: the Hikvision picture name ("picName" of the plate polling API, which the FTP name
starts with) is ``yyyyMMddHHmmssSSS`` followed by two more digits. The two extra digits are not
part of the time (``2024110312013232013`` is 2024-11-03 12:01:32.320 local time); they are kept as
``fields["sequence"]`` ("13"). That reading is ours (no document confirms it); it keeps the time
right to the millisecond whatever the two digits mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .models import ProtocolError, is_no_plate
from .timestamps import to_utc

#: Longest file name we look at (ext4/NTFS limit is 255 bytes); longer input is refused.
MAX_NAME_LENGTH = 255

#: Extensions the presets accept (case-insensitive).
IMAGE_EXTENSIONS: frozenset[str] = frozenset({"jpg", "jpeg", "png"})

_TIME_GROUPS = ("time", "dt")
_PLATE_GROUPS = ("plate", "target")


class FilenameError(ProtocolError):
    """A file name that does not match the pattern, or whose time is not a valid date.

    Also raised by :class:`FilenamePattern` for a pattern or time zone that cannot be used.
    """


class Preset(StrEnum):
    """File-name pattern presets offered in the config flow."""

    HIKVISION_CUSTOM = "hikvision_custom"
    """``<time>[_<plate>]_VEHICLE_DETECTION.<jpg|jpeg|png>`` (Hikvision "custom" rule)."""
    HIKVISION_DEFAULT = "hikvision_default"
    """``<ip>_<channel>_<time>_VEHICLE_DETECTION.<ext>`` (Hikvision default rule)."""
    CUSTOM = "custom"
    """A user regex with named groups (see :class:`FilenamePattern`)."""


_EXT = r"\.(?P<ext>jpe?g|png)"
_TIME = r"(?P<time>[0-9]{17}(?:[0-9]{2})?)"

#: The regular expressions behind the presets (matched against the whole base name,
#: case-insensitively). The custom rule's plate is anything up to the last ``_VEHICLE_DETECTION``
#: except ``_``, ``/`` and ``\``: ``-``, spaces, lower case and non-ASCII plates pass.
PRESET_REGEX: dict[Preset, str] = {
    Preset.HIKVISION_CUSTOM: _TIME
    + r"(?:_(?P<plate>[^_/\\]+))?_(?P<event>VEHICLE_DETECTION)"
    + _EXT,
    Preset.HIKVISION_DEFAULT: (
        r"(?P<ip>[0-9]{1,3}(?:\.[0-9]{1,3}){3})_(?P<channel>[0-9]+)_"
        + _TIME
        + r"_(?P<event>VEHICLE_DETECTION)"
        + _EXT
    ),
}


@dataclass(frozen=True, slots=True)
class ParsedName:
    """What a file name says about one read.

    - ``plate``: the plate text as written in the name, stripped; ``""`` when the name carries no
      plate (no ``plate`` group, an empty group, or a "no plate" sentinel such as ``unknown``).
    - ``time``: aware UTC datetime of the capture, or None when the pattern has no time group.
    - ``time_raw``: the time digits as in the name (kept as a string).
    - ``fields``: every other named group that matched (``ip``, ``channel``, ``event``, ``ext``,
      ``sequence`` for 19-digit times, user groups), values as strings.
    """

    plate: str
    time: datetime | None
    time_raw: str | None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def has_plate(self) -> bool:
        """True when the name carries a plate."""
        return bool(self.plate)


def load_time_zone(name: str) -> tzinfo:
    """Return the IANA time zone ``name`` (e.g. ``Europe/London``).

    Raises :class:`FilenameError` for an empty or unknown name.
    """
    if not name or not isinstance(name, str):
        raise FilenameError("time zone missing")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise FilenameError(f"unknown time zone {name!r}") from err


def parse_compact_time(text: str, zone: tzinfo) -> tuple[datetime, str | None]:
    """Parse a compact camera time in local time ``zone`` into an aware UTC datetime.

    Accepted (separators such as ``-``, ``:``, ``T``, ``.``, ``_`` and spaces are ignored):
    14 digits ``yyyyMMddHHmmss``; 17 digits ``yyyyMMddHHmmssSSS`` (SSS = milliseconds);
    19 digits ``yyyyMMddHHmmssSSS`` + a two-digit sequence number, returned as the second item
    (None otherwise). Non-existent or ambiguous local times (DST changes) resolve with
    ``fold=0``. Raises :class:`FilenameError` for any other length or an impossible date.
    """
    digits = re.sub(r"[\s\-:T._]", "", text)
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (14, 17, 19):
        raise FilenameError(f"time {text!r} is not yyyyMMddHHmmss[SSS[NN]]")
    sequence = digits[17:] if len(digits) == 19 else None
    millis = int(digits[14:17]) if len(digits) >= 17 else 0
    try:
        local = datetime(
            int(digits[0:4]),
            int(digits[4:6]),
            int(digits[6:8]),
            int(digits[8:10]),
            int(digits[10:12]),
            int(digits[12:14]),
            millis * 1000,
            tzinfo=zone,
        )
    except ValueError as err:
        raise FilenameError(f"time {text!r} is not a valid date: {err}") from err
    utc = to_utc(local)
    if utc is None:
        raise FilenameError(f"time {text!r} is out of range")
    return utc, sequence


class FilenamePattern:
    """A compiled file-name pattern plus the camera's time zone.

    ``regex`` is matched against the whole base name (``re.fullmatch``, case-insensitive). Named
    groups: ``plate`` (or ``target``) and ``time`` (or ``dt``) are interpreted; any other named
    group is passed through in :attr:`ParsedName.fields`. A pattern needs at least one of the two.
    ``time_zone`` is an IANA name; file-name times are local times in that zone.

    Raises :class:`FilenameError` for an invalid regex, a regex with neither group, or an unknown
    time zone.
    """

    def __init__(self, regex: str, time_zone: str = "UTC") -> None:
        """Compile ``regex`` and load ``time_zone``."""
        try:
            self.regex = re.compile(regex, re.IGNORECASE)
        except (re.error, OverflowError) as err:  # a huge repeat ("a{99999999999}") overflows
            raise FilenameError(f"invalid regular expression: {err}") from err
        groups = set(self.regex.groupindex)
        self._time_group = next((g for g in _TIME_GROUPS if g in groups), None)
        self._plate_group = next((g for g in _PLATE_GROUPS if g in groups), None)
        if self._time_group is None and self._plate_group is None:
            raise FilenameError("the pattern needs a named group 'plate' or 'time'")
        self.zone = load_time_zone(time_zone)

    @classmethod
    def from_preset(
        cls, preset: Preset | str, time_zone: str = "UTC", custom_regex: str | None = None
    ) -> FilenamePattern:
        """Build the pattern for ``preset``; ``custom_regex`` is used (and needed) for ``custom``.

        Raises :class:`FilenameError` for an unknown preset or a missing/invalid custom regex.
        """
        try:
            preset = Preset(preset)
        except ValueError as err:
            raise FilenameError(f"unknown file-name preset {preset!r}") from err
        if preset is Preset.CUSTOM:
            if not custom_regex:
                raise FilenameError("the custom preset needs a regular expression")
            return cls(custom_regex, time_zone)
        return cls(PRESET_REGEX[preset], time_zone)

    def parse(self, name: str) -> ParsedName:
        """Parse one base name (no directory part) such as ``<time>_<plate>_VEHICLE_DETECTION.jpg``.

        Returns a :class:`ParsedName`. Raises :class:`FilenameError` when the name is longer than
        :data:`MAX_NAME_LENGTH`, does not match, or its time is not a valid date.
        """
        if len(name) > MAX_NAME_LENGTH:
            raise FilenameError(f"file name longer than {MAX_NAME_LENGTH} characters")
        match = self.regex.fullmatch(name)
        if match is None:
            raise FilenameError(f"file name {name!r} does not match the pattern")
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        plate = ""
        if self._plate_group is not None:
            plate = groups.pop(self._plate_group, "").strip()
            if is_no_plate(plate):
                plate = ""
        time: datetime | None = None
        time_raw: str | None = None
        if self._time_group is not None and self._time_group in groups:
            time_raw = groups.pop(self._time_group)
            time, sequence = parse_compact_time(time_raw, self.zone)
            if sequence is not None:
                groups.setdefault("sequence", sequence)
        for alias in (*_TIME_GROUPS, *_PLATE_GROUPS):
            groups.pop(alias, None)
        return ParsedName(plate=plate, time=time, time_raw=time_raw, fields=groups)


def has_image_extension(name: str) -> bool:
    """Return True when ``name`` ends in ``.jpg``, ``.jpeg`` or ``.png`` (any case)."""
    _, dot, ext = name.rpartition(".")
    return bool(dot) and ext.casefold() in IMAGE_EXTENSIONS
