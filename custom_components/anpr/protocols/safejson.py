"""JSON decoding with a nesting-depth limit checked before parsing (no Home Assistant import).

Python's ``json`` module has no depth limit: a body of 100,000 ``[`` raises
:class:`RecursionError` from deep inside the decoder (or exhausts the C stack on some builds),
which is not a :class:`ValueError` and escaped every handler. No camera format nests deeper
than 6 levels (Hikvision ``mixedTargetDetection``: ``CaptureResult[] → Vehicle → Property[]``;
``docs/protocols.md``, "ANPR alerts (XML and JSON)"), so :data:`MAX_JSON_DEPTH` refuses hostile
input long before that.

The check is linear and runs at C speed for normal bodies: strings (where brackets are data)
are removed with one regular expression, then only the remaining brackets are counted, and the
scan stops at the first level over the limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Deepest nesting accepted (objects and arrays); camera formats use at most 6.
MAX_JSON_DEPTH = 32

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")


class JsonDepthError(ValueError):
    """The document nests deeper than the limit (a :class:`ValueError`, like bad JSON)."""


def json_depth_ok(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Return False when ``data`` nests objects/arrays deeper than ``limit``; never raises.

    Unbalanced or otherwise malformed input is not judged here (the parser refuses it).
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return True
    depth = 0
    for match in _BRACKETS.finditer(_STRING.sub(b"", raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return False
        elif depth:
            depth -= 1
    return True


def loads(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> Any:
    """Decode JSON like :func:`json.loads` after checking its depth.

    Raises :class:`JsonDepthError` for input nested deeper than ``limit`` and
    :class:`json.JSONDecodeError` / :class:`UnicodeDecodeError` (both ``ValueError``) as
    ``json.loads`` does; :class:`RecursionError` is turned into :class:`JsonDepthError` too.
    """
    if not json_depth_ok(data, limit):
        raise JsonDepthError(f"JSON nested deeper than {limit} levels")
    try:
        return json.loads(data)
    except RecursionError as err:  # pragma: no cover - the depth check comes first
        raise JsonDepthError(f"JSON nested deeper than {limit} levels") from err
