"""Camera timestamps: the one ISO 8601 parser every protocol module uses.

Pure module (no Home Assistant import). Cameras write ISO 8601 in several dialects
(``docs/protocols.md``, "Timestamps"); :func:`parse_iso_time` accepts all of them and returns an
aware UTC datetime, or None for anything it cannot read. Vendor forms that are not ISO 8601 (the
Hikvision digit ``picName`` and broken-offset forms, the FF ``YYYYMMDD HHMMSSFFF`` form) are read
by their own module, which then uses :func:`to_utc`; epoch digit strings go through
:func:`parse_epoch_digits`.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def parse_iso(value: object) -> datetime | None:
    """Parse ISO 8601 text as written: its own offset kept, naive when it has none.

    Accepts ``T``, a space or any single character between date and time, the basic format
    (``20200424T161627``), a fraction of any length after ``.`` or ``,`` (kept to microseconds),
    an offset as ``Z``/``z``, ``±hh:mm``, ``±hhmm`` or ``±hh``, and surrounding white space.
    Returns None for a non-string, empty or unreadable value; never raises.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[-1:] in ("z", "Z"):
        text = text[:-1] + "+00:00"  # datetime.fromisoformat refuses a lower-case "z"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def to_utc(moment: datetime, tz: tzinfo = UTC) -> datetime | None:
    """Return ``moment`` in UTC, reading a naive ``moment`` in ``tz`` (the camera's zone).

    None when the conversion leaves datetime's range (year 1 or 9999 with an offset).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return None


def parse_iso_time(value: object, tz: tzinfo = UTC) -> datetime | None:
    """Parse an ISO 8601 timestamp (any form :func:`parse_iso` reads) into an aware UTC datetime.

    A time without an offset is read in ``tz`` (the camera's zone; UTC unless the protocol says
    otherwise). Returns None for a non-string, empty, unreadable or out-of-range value; never
    raises. Source: ISO 8601 / RFC 3339 as the cameras write them, ``docs/protocols.md``,
    "Timestamps".
    """
    parsed = parse_iso(value)
    return None if parsed is None else to_utc(parsed, tz)


def parse_epoch_digits(text: str) -> datetime | None:
    """Read 10 digits as epoch seconds and 13 digits as epoch milliseconds (aware UTC).

    None for any other text or a value outside datetime's range; never raises.
    """
    if not (text.isdigit() and len(text) in (10, 13)):
        return None
    try:
        number = int(text)  # ValueError for digits int() does not read, such as "²"
        return datetime.fromtimestamp(number / 1000 if len(text) == 13 else number, UTC)
    except (OverflowError, OSError, ValueError):
        return None
