"""UK DVLA Vehicle Enquiry Service (VES) client and cache (no Home Assistant import).

docs/protocols.md, "UK DVLA Vehicle Enquiry Service": ``POST <base>/vehicle-enquiry/v1/vehicles``
with header ``x-api-key`` and body ``{"registrationNumber": "AB12CDE"}`` (the plate is personal
data, so it goes in the body). Every field of a 200 answer is optional; error bodies are
``{"errors": [{"status": "404", "code": "404", "title": ..., "detail": ...}]}`` where ``status``
may be a number (ER19MNT 503). 403 means a bad or missing key (body unverified), 429 too many
requests (body unverified). Only UK-format plates are ever sent (:func:`matching.is_uk_plate`).

The aiohttp session is injected (HA's shared session in the integration; a plain one in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import json
import time
from typing import Any

import aiohttp

from .matching import is_uk_plate

PRODUCTION_URL = "https://driver-vehicle-licensing.api.gov.uk"
TEST_URL = "https://uat.driver-vehicle-licensing.api.gov.uk"
PATH = "/vehicle-enquiry/v1/vehicles"
MAX_BODY = 64 * 1024
TIMEOUT = 10.0

#: Known 200 fields and their JSON types (anything else is kept as-is if it is a scalar).
FIELDS: dict[str, tuple[type, ...]] = {
    "registrationNumber": (str,), "taxStatus": (str,), "taxDueDate": (str,),
    "artEndDate": (str,), "motStatus": (str,), "motExpiryDate": (str,), "make": (str,),
    "monthOfFirstRegistration": (str,), "monthOfFirstDvlaRegistration": (str,),
    "yearOfManufacture": (int,), "engineCapacity": (int,), "co2Emissions": (int,),
    "fuelType": (str,), "markedForExport": (bool,), "colour": (str,), "typeApproval": (str,),
    "wheelplan": (str,), "revenueWeight": (int,), "realDrivingEmissions": (str,),
    "euroStatus": (str,), "dateOfLastV5CIssued": (str,),
}  # fmt: skip


class DvlaError(Exception):
    """Base of the client's errors (never contains the API key)."""


class DvlaAuthError(DvlaError):
    """403/401: the API key is wrong, missing or revoked."""


class DvlaUnavailable(DvlaError):
    """429, 5xx, timeout or connection error: try later (``retry_after`` seconds, if given)."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None):
        """Keep the HTTP status and the server's Retry-After (seconds)."""
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class VesResult:
    """One answer. ``status``: ``found``, ``not_found`` (404) or ``invalid`` (400).

    ``vehicle``: the 200 fields that had the expected type (every one optional); ``message``:
    the error detail for not_found/invalid.
    """

    status: str
    vehicle: dict[str, Any] = field(default_factory=dict)
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form (also the cache's storage form)."""
        return {"status": self.status, "vehicle": dict(self.vehicle), "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VesResult:
        """Rebuild from :meth:`as_dict`."""
        return cls(str(data["status"]), dict(data.get("vehicle") or {}), data.get("message"))


def parse_vehicle(body: Any) -> dict[str, Any]:
    """Keep the 200 body's fields with the expected JSON types; drop the rest of wrong type."""
    if not isinstance(body, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in body.items():
        expected = FIELDS.get(key)
        if expected is None:
            if isinstance(value, str | int | float | bool):
                out[key] = value
            continue
        if isinstance(value, bool) and bool not in expected:
            continue
        if isinstance(value, expected):
            out[key] = value
    return out


def _error_detail(body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"]:
        first = body["errors"][0]
        if isinstance(first, dict):
            detail = first.get("detail") or first.get("title")
            return str(detail) if detail is not None else None
    return None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class VesClient:
    """Asks the VES about one plate at a time, with back-off after 429/5xx.

    After a 429 or 5xx (or a network failure) no request is sent until the back-off ends:
    ``Retry-After`` if the server gave one, else 60 s doubling up to 1 h; any success resets it.
    Raises :class:`DvlaAuthError`, :class:`DvlaUnavailable`; plates that are not UK-format return
    None without a request.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_key: str,
        *,
        base_url: str = PRODUCTION_URL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Bind to a session and key."""
        self._session = session
        self._key = api_key
        self._url = base_url.rstrip("/") + PATH
        self._clock: Callable[[], float] = clock
        self._backoff = 0.0
        self.retry_at = 0.0
        self.requests = 0

    @property
    def backing_off(self) -> bool:
        """True while requests are paused after a 429/5xx."""
        return bool(self._clock() < self.retry_at)

    def _fail(self, message: str, status: int | None, retry_after: float | None) -> DvlaUnavailable:
        self._backoff = min(3600.0, self._backoff * 2 if self._backoff else 60.0)
        self.retry_at = self._clock() + (retry_after if retry_after is not None else self._backoff)
        return DvlaUnavailable(message, status, retry_after)

    async def lookup(self, plate: str) -> VesResult | None:
        """Look ``plate`` (normalised) up. None for non-UK plates. See the class for errors."""
        if not is_uk_plate(plate):
            return None
        if self.backing_off:
            raise DvlaUnavailable("backing off", None, self.retry_at - self._clock())
        self.requests += 1
        try:
            async with self._session.post(
                self._url,
                json={"registrationNumber": plate},
                headers={"x-api-key": self._key, "Accept": "application/json"},
                timeout=aiohttp.ClientTimeout(total=TIMEOUT),
            ) as resp:
                raw = await resp.content.read(MAX_BODY + 1)
                status = resp.status
                retry_after = _retry_after(resp.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            raise self._fail(f"connection failed: {type(err).__name__}", None, None) from err
        body: Any = None
        if len(raw) <= MAX_BODY:
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
        if status in (401, 403):
            raise DvlaAuthError(f"DVLA refused the API key (HTTP {status})")
        if status == 429 or status >= 500:
            detail = _error_detail(body) or f"HTTP {status}"
            raise self._fail(detail, status, retry_after)
        self._backoff = 0.0
        self.retry_at = 0.0
        if status == 200:
            return VesResult("found", parse_vehicle(body))
        if status == 404:
            return VesResult("not_found", message=_error_detail(body))
        if status == 400:
            return VesResult("invalid", message=_error_detail(body))
        raise DvlaUnavailable(f"unexpected HTTP {status}", status)


class VesCache:
    """TTL cache of answers by plate (found and not_found alike), bounded in size.

    ``as_dict``/``from_dict`` give the persisted form; times are wall-clock epoch seconds.
    """

    def __init__(self, ttl: float, max_items: int = 10_000, clock: Any = time.time) -> None:
        """``ttl`` in seconds (0 disables caching)."""
        self.ttl = ttl
        self.max_items = max_items
        self._clock = clock
        self._items: dict[str, tuple[float, VesResult]] = {}

    def get(self, plate: str) -> VesResult | None:
        """Return a fresh answer or None."""
        item = self._items.get(plate)
        if item is None:
            return None
        if item[0] <= self._clock():
            del self._items[plate]
            return None
        return item[1]

    def put(self, plate: str, result: VesResult) -> None:
        """Store an answer; the oldest entries go when full."""
        if self.ttl <= 0:
            return
        self._items.pop(plate, None)
        self._items[plate] = (self._clock() + self.ttl, result)
        while len(self._items) > self.max_items:
            del self._items[next(iter(self._items))]

    def __len__(self) -> int:
        """Return the number of cached plates."""
        return len(self._items)

    def as_dict(self) -> dict[str, Any]:
        """Return the persisted form (expired entries dropped)."""
        now = self._clock()
        return {
            "items": {
                p: {"expires": exp, "result": r.as_dict()}
                for p, (exp, r) in self._items.items()
                if exp > now
            }
        }

    def load(self, data: dict[str, Any] | None) -> None:
        """Restore from :meth:`as_dict` output; broken items are skipped."""
        now = self._clock()
        for plate, item in ((data or {}).get("items") or {}).items():
            try:
                expires = float(item["expires"])
                result = VesResult.from_dict(item["result"])
            except (KeyError, TypeError, ValueError):
                continue
            if expires > now:
                self._items[plate] = (min(expires, now + self.ttl), result)
