"""Plate-in-query HTTP GET (Milesight "HTTP Type / Get Method").

Source: ``docs/protocols.md``, "Plate in the query string".

Pure module (no Home Assistant import). The camera calls the configured URL with
``?Caption=LPR&description=<PLATE>``. The vendor document prints it as
``?Caption = LPR&description = MS12345``; cameras that copy such a URL literally send the spaces
(``Caption%20=%20LPR``), so keys and values are matched after stripping blanks and keys are
case-insensitive. The GET carries the plate only: no time, picture or direction.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote_plus

from .models import PlateRead, ProtocolError

#: Longest query string accepted (characters).
MAX_QUERY_LENGTH = 4096
#: Query keys that carry the plate, in order of preference.
PLATE_PARAMS = ("description", "plate", "license_plate", "licenseplate")


class PlateQueryError(ProtocolError):
    """The query carries no plate (or is over the length cap)."""


def query_params(query_string: str) -> dict[str, str]:
    """Return the query's parameters with blanks stripped and keys case-folded (first wins).

    Accepts a raw query string with or without the leading ``?``; ``+``/``%20`` decode to spaces.
    Raises :class:`PlateQueryError` over :data:`MAX_QUERY_LENGTH` characters.
    """
    if len(query_string) > MAX_QUERY_LENGTH:
        raise PlateQueryError(f"query over {MAX_QUERY_LENGTH} characters")
    params: dict[str, str] = {}
    for key, value in parse_qsl(query_string.lstrip("?"), keep_blank_values=True):
        name = unquote_plus(key).strip().casefold()
        if name and name not in params:
            params[name] = value.strip()
    return params


def looks_like_plate_query(query_string: str) -> bool:
    """Return True when the query has a ``description``/``plate`` parameter or ``Caption=LPR``."""
    try:
        params = query_params(query_string)
    except PlateQueryError:
        return False
    return any(p in params for p in PLATE_PARAMS) or params.get("caption", "").upper() == "LPR"


def parse_plate_query(query_string: str) -> PlateRead:
    """Turn ``?Caption=LPR&description=PLATE`` into a :class:`PlateRead` (time = now, UTC).

    Raises :class:`PlateQueryError` when no plate parameter is present or it is empty.
    """
    params = query_params(query_string)
    for name in PLATE_PARAMS:
        plate = params.get(name)
        if plate:
            read = PlateRead(plate=plate)
            caption = params.get("caption")
            if caption:
                read.extra["caption"] = caption
            return read
    raise PlateQueryError("GET without a plate: expected ?Caption=LPR&description=<plate>")
