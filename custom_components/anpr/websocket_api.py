"""Websocket API of the ANPR panel and card (version 1; README "Websocket API").

Every command is ``anpr/v1/<name>``; every answer carries ``api_version`` (1). Version 1 only
grows: new optional inputs and new answer fields may appear (visits, for example), nothing is
renamed or removed; an incompatible change gets ``anpr/v2/...`` next to v1. Reads are open to
every logged-in user; writes need an administrator (``websocket_api.require_admin``). Inputs
are validated by voluptuous schemas with length caps (:data:`MAX_TEXT`, :data:`MAX_ITEMS`,
:data:`MAX_PAGE`); errors come back as websocket errors (``invalid_format``, ``not_found``,
``not_loaded``, ``unauthorized``, ``home_assistant_error`` with a translation key).

A sighting in an answer (:func:`sighting_json`)::

    {"id": 123, "plate": "AB12CDE", "read_plate": "AB12CDE", "time": "<ISO UTC>",
     "camera_id": "<subentry id>", "camera": "Driveway", "status": "known|unknown|alert|ignored",
     "category": "allowed|alert|ignored|null", "list": "Allowed", "direction": "in|out|unknown",
     "confidence": 0.93, "reads": 2, "description": "Alice's car",
     "thumbnail": "<signed path>|null", "picture": "<signed path>|null",
     "visit_id": "<visit id>|null", "visitor_class": "first_time|daily|weekly|occasional|rare|null",
     "dwell_s": 4820.0}

``visitor_class`` is the plate's class on the sighting's day (core/visitors.py), ``dwell_s``
is set only on the sighting that closed its visit (the exit read), else null.

A visit (:func:`visit_json`)::

    {"id": "<visit id>", "plate": "AB12CDE", "status": "open|closed|no_exit|exit_only",
     "started": "<ISO UTC>|null", "ended": "<ISO UTC>|null", "last_seen": "<ISO UTC>",
     "dwell_s": 4820.0, "reads": 2, "entry_camera_id": "<subentry id>|null",
     "entry_camera": "Gate in|null", "exit_camera_id": ..., "exit_camera": ...}
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Coroutine
from dataclasses import asdict, replace
from datetime import datetime, timedelta
import math
import re
import struct
from typing import Any

from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_INVALID_FORMAT, ERR_NOT_FOUND
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import CATEGORY_ALERT, CATEGORY_ALLOWED, CATEGORY_IGNORED, DOMAIN
from .core.history import UNLISTED, SightingQuery, SightingRow
from .core.plates import (
    InvalidPlateEntry,
    PlateEntry,
    list_csv,
    normalise_plate,
    parse_list_csv,
    plate_entry,
)
from .core.visits import STATUSES, Visit
from .lookup import reginfo
from .protocols.models import Direction
from .runtime import AnprConfigEntry
from .ui import KIND_PICTURE, KIND_THUMBNAIL, loaded_hub, picture_path

API_VERSION = 1
MAX_TEXT = 100
MAX_PLATE = 20
MAX_ITEMS = 50
MAX_PAGE = 200
DEFAULT_PAGE = 50
MAX_CSV = 1_000_000
#: How long a signed picture path stays valid.
SIGNED_FOR = timedelta(hours=12)

STATUS_KNOWN = "known"
STATUS_UNKNOWN = "unknown"
STATUS_ALERT = "alert"
STATUS_IGNORED = "ignored"
#: Status (what the user sees, = event type, plus ``ignored``) -> stored list category.
STATUS_CATEGORY = {
    STATUS_KNOWN: CATEGORY_ALLOWED,
    STATUS_UNKNOWN: UNLISTED,
    STATUS_ALERT: CATEGORY_ALERT,
    STATUS_IGNORED: CATEGORY_IGNORED,
}
CATEGORY_STATUS = {v or None: k for k, v in STATUS_CATEGORY.items()}
PLATE_MATCHES = ("exact", "prefix", "fuzzy")

_text = vol.All(str, vol.Strip, vol.Length(min=1, max=MAX_TEXT))
_plate = vol.All(str, vol.Strip, vol.Length(min=1, max=MAX_PLATE))
#: A visit cursor: 8 bytes of time and a visit id (at most 64 bytes), base64url.
_MAX_VISIT_CURSOR = 100
_CURSOR = re.compile(r"^[A-Za-z0-9_-]{16}$")


def _aware(value: Any) -> datetime:
    """Voluptuous validator: an ISO 8601 date-time with a UTC offset (returned in UTC)."""
    if not isinstance(value, str) or len(value) > 40:
        raise vol.Invalid("expected an ISO 8601 date-time")
    parsed = dt_util.parse_datetime(value)
    if parsed is None:
        raise vol.Invalid("expected an ISO 8601 date-time")
    if parsed.tzinfo is None:
        raise vol.Invalid("the date-time needs a UTC offset")
    return dt_util.as_utc(parsed)


def _list_of(item: Any, limit: int = MAX_ITEMS) -> Any:
    return vol.All([item], vol.Length(max=limit))


FILTERS: dict[str | vol.Marker, Any] = {
    vol.Optional("cameras"): _list_of(_text),
    vol.Optional("statuses"): _list_of(vol.In(list(STATUS_CATEGORY))),
    vol.Optional("lists"): _list_of(_text),
    vol.Optional("directions"): _list_of(vol.In([d.value for d in Direction])),
    vol.Optional("start"): _aware,
    vol.Optional("end"): _aware,
    vol.Optional("plate"): _plate,
    vol.Optional("plate_match", default="exact"): vol.In(PLATE_MATCHES),
    vol.Optional("distance", default=1): vol.All(int, vol.Range(min=1, max=2)),
}

type Handler = Callable[
    [HomeAssistant, ActiveConnection, dict[str, Any]], Coroutine[Any, Any, None]
]


def encode_cursor(row: SightingRow) -> str:
    """Opaque keyset cursor of a row: its ``(ts, id)`` packed, base64url (16 characters)."""
    assert row.id is not None
    return base64.urlsafe_b64encode(struct.pack(">dI", row.time.timestamp(), row.id)).decode()


def _decode_cursor(text: str) -> tuple[float, int]:
    if not _CURSOR.match(text):
        raise vol.Invalid("bad cursor")
    raw = base64.urlsafe_b64decode(text.encode())  # 16 URL-safe characters always decode
    ts, row_id = struct.unpack(">dI", raw)
    if math.isnan(ts) or row_id < 1:
        raise vol.Invalid("bad cursor")
    return ts, row_id


def _hub(hass: HomeAssistant) -> AnprConfigEntry:
    entry = loaded_hub(hass)
    if entry is None:
        raise HomeAssistantError(translation_domain=DOMAIN, translation_key="hub_not_loaded")
    return entry


def _sign(hass: HomeAssistant, sighting_id: int, kind: str) -> str:
    return async_sign_path(hass, picture_path(sighting_id, kind), SIGNED_FOR)


def sighting_json(hass: HomeAssistant, entry: AnprConfigEntry, row: SightingRow) -> dict[str, Any]:
    """Version-1 form of a stored sighting (module docstring); picture paths are signed."""
    assert row.id is not None
    listed = entry.runtime_data.lists.lists.exact(row.plate)
    description = next((e.description for e in listed if e.description), None)
    return {
        "id": row.id,
        "plate": row.plate,
        "read_plate": row.read_plate,
        "time": row.time.isoformat(),
        "camera_id": row.camera_id,
        "camera": row.camera,
        "status": CATEGORY_STATUS.get(row.category, STATUS_UNKNOWN),
        "category": row.category,
        "list": row.list_name,
        "direction": row.direction,
        "confidence": row.confidence,
        "reads": row.reads,
        "description": description,
        "thumbnail": _sign(hass, row.id, KIND_THUMBNAIL) if row.thumb_path else None,
        "picture": _sign(hass, row.id, KIND_PICTURE) if row.image_path else None,
        "visit_id": row.visit_id,
        "visitor_class": row.visitor_class,
        "dwell_s": None if row.dwell_s is None else round(row.dwell_s, 1),
    }


def visit_json(entry: AnprConfigEntry, visit: Visit) -> dict[str, Any]:
    """Version-1 form of a stored visit (module docstring); camera names from the subentries."""
    data = visit.as_dict()
    for key in ("entry_camera", "exit_camera"):
        camera_id = data.pop(key)
        sub = entry.subentries.get(camera_id) if camera_id else None
        data[f"{key}_id"] = camera_id
        data[key] = sub.title if sub is not None else camera_id
    return data


def _camera_id(entry: AnprConfigEntry, camera: str) -> str:
    """Map a camera subentry id or name to its subentry id (unknown names stay as given)."""
    if camera in entry.subentries:
        return camera
    for sid, sub in entry.subentries.items():
        if sub.title.casefold() == camera.casefold():
            return sid
    return camera


async def build_query(entry: AnprConfigEntry, msg: dict[str, Any]) -> SightingQuery:
    """Turn the validated :data:`FILTERS` of a message into a :class:`SightingQuery`."""
    plate: str | None = None
    prefix: str | None = None
    plates: tuple[str, ...] | None = None
    if "plate" in msg:
        text = normalise_plate(msg["plate"])
        if not text:
            raise vol.Invalid("plate has no letters or digits")
        match msg["plate_match"]:
            case "prefix":
                prefix = text
            case "fuzzy":
                found = await entry.runtime_data.history.async_fuzzy_plates(
                    text, msg["distance"]
                )
                plates = tuple(found)
            case _:
                plate = text
    return SightingQuery(
        camera_ids=tuple(dict.fromkeys(_camera_id(entry, c) for c in msg.get("cameras", []))),
        categories=tuple(dict.fromkeys(STATUS_CATEGORY[s] for s in msg.get("statuses", []))),
        list_names=tuple(dict.fromkeys(msg.get("lists", []))),
        directions=tuple(dict.fromkeys(msg.get("directions", []))),
        plate=plate,
        plate_prefix=prefix,
        plates=plates,
        start=msg.get("start"),
        end=msg.get("end"),
    )


def matches(query: SightingQuery, row: SightingRow) -> bool:
    """Whether a (new) row passes the filters of a subscription (same rules as the SQL)."""
    ts = row.time.timestamp()
    checks = (
        not query.camera_ids or row.camera_id in query.camera_ids,
        not query.categories or (row.category or UNLISTED) in query.categories,
        not query.list_names or row.list_name in query.list_names,
        not query.directions or row.direction in query.directions,
        query.plate is None or row.plate == query.plate,
        not query.plate_prefix or row.plate.startswith(query.plate_prefix),
        query.plates is None or row.plate in query.plates,
        query.start is None or ts >= query.start.timestamp(),
        query.end is None or ts < query.end.timestamp(),
    )
    return all(checks)


def _result(connection: ActiveConnection, msg: dict[str, Any], **data: Any) -> None:
    connection.send_result(msg["id"], {"api_version": API_VERSION, **data})


# ----------------------------------------------------------------------------- reads


@websocket_command({vol.Required("type"): "anpr/v1/info"})
@async_response
async def ws_info(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Answer what the UI needs first: may the user write, cameras, lists, statuses."""
    entry = _hub(hass)
    lists = entry.runtime_data.lists.lists
    _result(
        connection,
        msg,
        admin=connection.user.is_admin,
        entry_id=entry.entry_id,
        statuses=list(STATUS_CATEGORY),
        directions=[d.value for d in Direction],
        cameras=[
            {"id": sid, "name": sub.title} for sid, sub in entry.subentries.items()
        ],
        lists=[asdict(g) for g in lists.groups.values()],
        max_page=MAX_PAGE,
    )


@websocket_command(
    {
        vol.Required("type"): "anpr/v1/sightings/list",
        **FILTERS,
        vol.Optional("cursor"): vol.All(str, vol.Length(max=32)),
        vol.Optional("limit", default=DEFAULT_PAGE): vol.All(
            int, vol.Range(min=1, max=MAX_PAGE)
        ),
    }
)
@async_response
async def ws_list_sightings(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """One page of sightings, newest first; ``next_cursor`` fetches the next (or is null)."""
    entry = _hub(hass)
    try:
        query = await build_query(entry, msg)
        if "cursor" in msg:
            query = SightingQuery(**{**_fields(query), "before": _decode_cursor(msg["cursor"])})
    except vol.Invalid as err:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err))
        return
    limit = msg["limit"]
    rows = await entry.runtime_data.history.async_page(query, limit + 1)
    more = len(rows) > limit
    rows = await entry.runtime_data.history.async_annotate(rows[:limit])
    _result(
        connection,
        msg,
        sightings=[sighting_json(hass, entry, r) for r in rows],
        next_cursor=encode_cursor(rows[-1]) if more else None,
    )


def _fields(query: SightingQuery) -> dict[str, Any]:
    return {name: getattr(query, name) for name in query.__dataclass_fields__}


@websocket_command(
    {vol.Required("type"): "anpr/v1/sightings/subscribe", **FILTERS}
)
@async_response
async def ws_subscribe_sightings(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Live sightings matching the filters: events ``{"event": "added"|"updated", ...}``.

    ``added`` comes right after the bus event of a new sighting, ``updated`` when its
    thumbnail is ready or a repeat read was merged into it (same ``id``). A fuzzy filter uses
    the plates known when subscribing plus any new plate within the distance.
    """
    entry = _hub(hass)
    try:
        query = await build_query(entry, msg)
    except vol.Invalid as err:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err))
        return
    feed = entry.runtime_data.feed
    fuzzy_target = (
        (normalise_plate(msg["plate"]), msg["distance"])
        if msg.get("plate_match") == "fuzzy"
        else None
    )

    @callback
    def forward(kind: str, row: SightingRow) -> None:
        if fuzzy_target is not None and query.plates is not None:
            from .core.matching import levenshtein  # noqa: PLC0415

            target, distance = fuzzy_target
            near = levenshtein(target, row.plate, distance) <= distance
            if row.plate not in query.plates and not near:
                return
            probe = SightingQuery(**{**_fields(query), "plates": None})
        else:
            probe = query
        if not matches(probe, row):
            return
        connection.send_message(
            event_message(
                msg["id"],
                {"api_version": API_VERSION, "event": kind,
                 "sighting": sighting_json(hass, entry, row)},
            )
        )

    connection.subscriptions[msg["id"]] = feed.async_subscribe(forward)
    _result(connection, msg)


@websocket_command(
    {vol.Required("type"): "anpr/v1/sightings/get", vol.Required("sighting_id"): vol.All(
        int, vol.Range(min=1, max=2**53))}
)
@async_response
async def ws_get_sighting(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """One sighting with its plate's history: counts, first/last seen, hour profile, recent.

    ``plate.hours`` has 24 counts (local hours of Home Assistant's time zone); ``previous``
    holds up to 10 earlier sightings of the plate; ``list_entries`` the plate's list entries;
    ``reginfo`` the DVLA answer for the plate when the lookup cache has one (else null);
    ``visit`` the sighting's visit (:func:`visit_json`, null when it has none);
    ``plate.visitor_class`` the class at the plate's latest sighting day and
    ``plate.usual_hour`` its usual local arrival hour (0-23), each null when unknown.
    """
    entry = _hub(hass)
    history = entry.runtime_data.history
    row = await history.async_get(msg["sighting_id"])
    if row is None:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "no such sighting")
        return
    row = (await history.async_annotate([row]))[0]
    stats = await history.async_stats(row.plate)
    hours = await history.async_hour_profile(row.plate, dt_util.get_default_time_zone())
    previous = await history.async_annotate(
        await history.async_page(
            SightingQuery(plate=row.plate, before=(row.time.timestamp(), row.id or 0)), 10
        )
    )
    visit = (
        await history.async_run(history.history.visit, row.visit_id) if row.visit_id else None
    )
    profile = await history.async_run(history.history.profile, row.plate)
    lists = entry.runtime_data.lists.lists
    lookup = entry.runtime_data.lookup
    cached = lookup.cache.get(row.plate) if lookup is not None else None
    _result(
        connection,
        msg,
        sighting=sighting_json(hass, entry, row),
        reginfo=reginfo(cached.status, cached.vehicle, cached.message) if cached else None,
        plate={
            "plate": row.plate,
            "count": stats.count,
            "first_seen": stats.first_seen.isoformat() if stats.first_seen else None,
            "last_seen": stats.last_seen.isoformat() if stats.last_seen else None,
            "last_camera": stats.last_camera,
            "hours": hours,
            "visitor_class": profile.classify(profile.last_day) if profile else None,
            "usual_hour": profile.usual_hour if profile else None,
        },
        visit=visit_json(entry, visit) if visit is not None else None,
        previous=[sighting_json(hass, entry, r) for r in previous],
        list_entries=[_entry_json(e) for e in lists.exact(row.plate)],
    )


def encode_visit_cursor(visit: Visit) -> str:
    """Opaque keyset cursor of a visit: its ``(last_ts, id)`` packed, base64url."""
    raw = struct.pack(">d", visit.last_seen.timestamp()) + visit.id.encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_visit_cursor(text: str) -> tuple[float, str]:
    try:
        raw = base64.urlsafe_b64decode(text.encode())
        (ts,) = struct.unpack(">d", raw[:8])
        visit_id = raw[8:].decode()
    except (ValueError, struct.error) as err:  # binascii.Error and UnicodeError are ValueErrors
        raise vol.Invalid("bad cursor") from err
    if math.isnan(ts) or not visit_id:
        raise vol.Invalid("bad cursor")
    return ts, visit_id


@websocket_command(
    {
        vol.Required("type"): "anpr/v1/visits/list",
        vol.Optional("plate"): _plate,
        vol.Optional("camera"): _text,
        vol.Optional("status"): vol.In(STATUSES),
        vol.Optional("start"): _aware,
        vol.Optional("end"): _aware,
        vol.Optional("cursor"): vol.All(str, vol.Length(max=_MAX_VISIT_CURSOR)),
        vol.Optional("limit", default=DEFAULT_PAGE): vol.All(
            int, vol.Range(min=1, max=MAX_PAGE)
        ),
    }
)
@async_response
async def ws_list_visits(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """One page of visits (:func:`visit_json`), newest last read first, as ``search_visits``.

    ``plate`` is exact (in privacy mode the query is hashed as well, as the action does);
    ``camera`` (id or name) matches the entry or exit camera; a visit matches ``start``/``end``
    when it overlaps them; ``next_cursor`` fetches the next page (or is null).
    """
    entry = _hub(hass)
    filters: dict[str, Any] = {
        key: msg[key] for key in ("status", "start", "end") if key in msg
    }
    try:
        if "plate" in msg:
            plate = normalise_plate(msg["plate"])
            if not plate:
                raise vol.Invalid("plate has no letters or digits")
            filters["plates"] = entry.runtime_data.pipeline.privacy.query_forms(plate)
        if "cursor" in msg:
            filters["before"] = _decode_visit_cursor(msg["cursor"])
    except vol.Invalid as err:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err))
        return
    if "camera" in msg:
        filters["camera_id"] = _camera_id(entry, msg["camera"])
    limit = msg["limit"]
    history = entry.runtime_data.history
    visits = await history.async_run(
        history.history.search_visits, limit=limit + 1, **filters
    )
    more = len(visits) > limit
    visits = visits[:limit]
    _result(
        connection,
        msg,
        visits=[visit_json(entry, v) for v in visits],
        next_cursor=encode_visit_cursor(visits[-1]) if more else None,
    )


@websocket_command({vol.Required("type"): "anpr/v1/vehicles"})
@async_response
async def ws_vehicles(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """List the listed vehicles: on site now, last seen, last camera, direction."""
    entry = _hub(hass)
    tracker = entry.runtime_data.vehicles
    vehicles = sorted(
        tracker.vehicles.values(),
        key=lambda v: (not v.present, -(v.last_seen.timestamp() if v.last_seen else 0), v.plate),
    )
    _result(
        connection,
        msg,
        vehicles=[{"plate": v.plate, "name": v.name, **v.as_dict()} for v in vehicles],
    )


@websocket_command({vol.Required("type"): "anpr/v1/cameras"})
@async_response
async def ws_cameras(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Each camera: connection state, last sighting, sightings in the last hour and day.

    ``connected`` is true/false for stream sources, null for push/folder sources (no
    connection to keep); ``settings_url`` opens the hub's page where the camera is configured.
    """
    entry = _hub(hass)
    runtime = entry.runtime_data
    now = dt_util.utcnow()
    cameras = []
    for sid, sub in entry.subentries.items():
        camera = runtime.cameras.get(sid)
        (hour, day), last = await runtime.history.async_camera_activity(
            sid, [now - timedelta(hours=1), now - timedelta(days=1)]
        )
        cameras.append(
            {
                "id": sid,
                "name": sub.title,
                "kind": sub.data.get("kind"),
                "running": camera is not None and camera.source is not None,
                "connected": camera.connected if camera is not None else False,
                "last_sighting": last.isoformat() if last else None,
                "last_plate": camera.last_sighting.plate
                if camera is not None and camera.last_sighting
                else None,
                "sightings_hour": hour,
                "sightings_day": day,
                "reads": camera.counters["reads"] if camera is not None else 0,
                "settings_url": f"/config/integrations/integration/{DOMAIN}",
            }
        )
    _result(connection, msg, cameras=cameras)


def _entry_json(entry: PlateEntry) -> dict[str, Any]:
    return entry.as_dict() | {"validity": entry.validity.to_text() if entry.validity else None}


@websocket_command({vol.Required("type"): "anpr/v1/lists/get"})
@async_response
async def ws_lists(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Return the plate lists (the options-flow editor's and the actions' store) and CSV."""
    entry = _hub(hass)
    lists = entry.runtime_data.lists.lists
    _result(
        connection,
        msg,
        groups=[asdict(g) for g in lists.groups.values()],
        entries=[_entry_json(e) for e in lists.entries.values()],
        csv=list_csv(lists),
    )


# ----------------------------------------------------------------------------- writes

ENTRY_FIELDS: dict[str | vol.Marker, Any] = {
    vol.Required("plate"): _plate,
    vol.Required("group"): _text,
    vol.Optional("description"): vol.Any(None, vol.All(str, vol.Length(max=MAX_TEXT))),
    vol.Optional("aliases"): _list_of(_plate),
    vol.Optional("cameras"): _list_of(_text),
    vol.Optional("validity"): vol.Any(None, vol.All(str, vol.Length(max=500))),
    vol.Optional("rules"): _list_of(vol.All(str, vol.Length(min=1, max=200)), 10),
}


def _error(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _group(entry: AnprConfigEntry, group: str) -> str:
    if (gid := entry.runtime_data.lists.lists.find_group(group)) is not None:
        return gid
    raise _error("unknown_group", group=group)


def _entry_from(entry: AnprConfigEntry, msg: dict[str, Any]) -> PlateEntry:
    """Check a list entry sent by the panel (``core.plates.plate_entry``); unknown cameras drop."""
    try:
        item = plate_entry(
            entry.runtime_data.lists.lists,
            plate=msg["plate"],
            group=msg["group"],
            description=msg.get("description"),
            aliases=msg.get("aliases", []),
            validity=msg.get("validity"),
            rules=msg.get("rules", []),
        )
    except InvalidPlateEntry as err:
        problem = err.problems[0]
        raise _error(problem.error, **problem.placeholders) from err
    cameras = (_camera_id(entry, c) for c in msg.get("cameras", []))
    item.cameras = [c for c in cameras if c in entry.subentries]
    return item


@websocket_command(
    {
        vol.Required("type"): "anpr/v1/lists/entry/set",
        **ENTRY_FIELDS,
        vol.Optional("original_plate"): _plate,
        vol.Optional("original_group"): _text,
    }
)
@require_admin
@async_response
async def ws_set_entry(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Add or replace a list entry; with ``original_*`` the edited entry moves/renames."""
    entry = _hub(hass)
    item = _entry_from(entry, msg)
    store = entry.runtime_data.lists
    if "original_plate" in msg or "original_group" in msg:
        old_group = _group(entry, msg.get("original_group", msg["group"]))
        store.lists.remove(msg.get("original_plate", item.plate), old_group)
    store.lists.add(item)
    store.async_schedule_save()
    _result(connection, msg, entry=_entry_json(item))


@websocket_command(
    {vol.Required("type"): "anpr/v1/lists/entry/remove", vol.Required("plate"): _plate,
     vol.Required("group"): _text}
)
@require_admin
@async_response
async def ws_remove_entry(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Remove a plate from one list."""
    entry = _hub(hass)
    store = entry.runtime_data.lists
    removed = store.lists.remove(msg["plate"], _group(entry, msg["group"]))
    if not removed:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "plate not on that list")
        return
    store.async_schedule_save()
    _result(connection, msg, removed=removed)


@websocket_command(
    {
        vol.Required("type"): "anpr/v1/lists/import",
        vol.Required("csv"): vol.All(str, vol.Length(max=MAX_CSV)),
        vol.Optional("group"): _text,
        vol.Optional("replace", default=False): bool,
    }
)
@require_admin
@async_response
async def ws_import(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Import list CSV (the ``import_plates`` action's format); bad rows come back."""
    entry = _hub(hass)
    store = entry.runtime_data.lists
    default_group = _group(entry, msg["group"]) if "group" in msg else None
    good, problems = parse_list_csv(msg["csv"], store.lists, default_group)
    if msg["replace"]:
        for gid in {e.group for e in good}:
            for key in [k for k in store.lists.entries if k[0] == gid]:
                store.lists.remove(key[1], gid)
    for item in good:
        store.lists.add(item)
    store.async_schedule_save()
    _result(
        connection,
        msg,
        added=len(good),
        rejected=[
            {"line": p.line, "plate": p.plate, "error": p.error, "detail": p.detail}
            for p in problems
        ],
    )


@websocket_command(
    {
        vol.Required("type"): "anpr/v1/sightings/misread",
        vol.Required("sighting_id"): vol.All(int, vol.Range(min=1, max=2**53)),
        vol.Required("plate"): _plate,
        vol.Optional("group"): _text,
    }
)
@require_admin
@async_response
async def ws_misread(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Mark a misread ("this was <plate>"): add the read as that entry's alternative reading.

    The corrected plate must be on a list (``group`` picks one when it is on several).
    """
    entry = _hub(hass)
    row = await entry.runtime_data.history.async_get(msg["sighting_id"])
    if row is None:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "no such sighting")
        return
    store = entry.runtime_data.lists
    target = normalise_plate(msg["plate"])
    group = _group(entry, msg["group"]) if "group" in msg else None
    listed = [
        e for e in store.lists.entries.values()
        if e.plate == target and group in (None, e.group)
    ]
    if not listed or target == row.plate:
        raise _error("plate_not_listed", plate=target)
    item = listed[0]
    if row.plate not in item.aliases:
        item = replace(item, aliases=[*item.aliases, row.plate])
        store.lists.add(item)
        store.async_schedule_save()
    _result(connection, msg, entry=_entry_json(item))


@websocket_command(
    {vol.Required("type"): "anpr/v1/sightings/delete",
     vol.Required("sighting_id"): vol.All(int, vol.Range(min=1, max=2**53))}
)
@require_admin
@async_response
async def ws_delete_sighting(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Delete one sighting with its thumbnail and saved picture."""
    from .purge import async_purge  # noqa: PLC0415

    entry = _hub(hass)
    deleted = await async_purge(entry, sighting_id=msg["sighting_id"])
    if not deleted:
        connection.send_error(msg["id"], ERR_NOT_FOUND, "no such sighting")
        return
    _result(connection, msg, deleted=deleted)


@websocket_command(
    {vol.Required("type"): "anpr/v1/sightings/purge_plate", vol.Required("plate"): _plate}
)
@require_admin
@async_response
async def ws_purge_plate(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Delete everything kept about a plate, as the ``purge_plate`` action does.

    Sightings with their pictures and thumbnails, visits, counts and visitor profile, learnt
    misreads (each stored form: clear and hashed). Result: ``deleted`` (sightings), ``visits``,
    ``pictures`` and ``thumbnails`` (files), ``misreads``.
    """
    from .purge import async_purge_plate  # noqa: PLC0415

    entry = _hub(hass)
    plate = normalise_plate(msg["plate"])
    if not plate:
        raise _error("invalid_plate", plate=msg["plate"])
    result = await async_purge_plate(entry, plate)
    _result(
        connection,
        msg,
        deleted=result["sightings"],
        visits=result["visits"],
        pictures=result["pictures"],
        thumbnails=result["thumbnails"],
        misreads=result["misreads"],
    )


@websocket_command(
    {
        vol.Required("type"): "anpr/v1/sightings/export",
        **FILTERS,
        vol.Optional("limit", default=10_000): vol.All(int, vol.Range(min=1, max=100_000)),
    }
)
@async_response
async def ws_export(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Return the filtered sightings as CSV text (the ``export_sightings`` columns)."""
    from .core.history import CSV_COLUMNS  # noqa: PLC0415

    entry = _hub(hass)
    try:
        query = await build_query(entry, msg)
    except vol.Invalid as err:
        connection.send_error(msg["id"], ERR_INVALID_FORMAT, str(err))
        return
    rows = await entry.runtime_data.history.async_page(query, msg["limit"])
    _result(connection, msg, csv=csv_text(rows, CSV_COLUMNS), rows=len(rows))


def csv_text(rows: list[SightingRow], columns: tuple[str, ...]) -> str:
    """CSV text of rows (header first), empty cells for missing values."""
    import csv  # noqa: PLC0415
    import io  # noqa: PLC0415

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        data = row.as_dict()
        writer.writerow([data[c] if data[c] is not None else "" for c in columns])
    return out.getvalue()


COMMANDS = (
    ws_info, ws_list_sightings, ws_subscribe_sightings, ws_get_sighting, ws_list_visits,
    ws_vehicles,
    ws_cameras, ws_lists, ws_set_entry, ws_remove_entry, ws_import, ws_misread,
    ws_delete_sighting, ws_purge_plate, ws_export,
)  # fmt: skip


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register every ``anpr/v1/*`` command (once, in ``async_setup``)."""
    for command in COMMANDS:
        async_register_command(hass, command)

