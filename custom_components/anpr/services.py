"""Actions (services) of the ANPR integration, registered once in ``async_setup``.

Errors are translated: bad input raises ``ServiceValidationError``, failures
``HomeAssistantError`` (action-exceptions).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
import re
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .const import CATEGORIES, DOMAIN
from .coordinator import CameraCoordinator
from .core.plates import (
    InvalidPlateEntry,
    list_csv,
    normalise_plate,
    parse_list_csv,
    plate_entry,
)
from .core.privacy import is_hashed
from .core.validation import MAX_SEARCH_LEN, cap_search_text
from .core.visits import STATUSES, Visit
from .runtime import AnprConfigEntry

SERVICE_ADD_PLATE = "add_plate"
SERVICE_REMOVE_PLATE = "remove_plate"
SERVICE_TRIGGER_RECOGNITION = "trigger_recognition"
SERVICE_IMPORT_PLATES = "import_plates"
SERVICE_EXPORT_PLATES = "export_plates"
SERVICE_SEARCH_SIGHTINGS = "search_sightings"
SERVICE_EXPORT_SIGHTINGS = "export_sightings"
SERVICE_PURGE_SIGHTINGS = "purge_sightings"
SERVICE_SEARCH_VISITS = "search_visits"
SERVICE_EXPORT_VISITS = "export_visits"
SERVICE_PURGE_PLATE = "purge_plate"
SERVICE_CONFIRM_READING = "confirm_reading"

ATTR_PLATE = "plate"
ATTR_GROUP = "group"
ATTR_DESCRIPTION = "description"
ATTR_ALIASES = "aliases"
ATTR_CAMERAS = "cameras"
ATTR_VALIDITY = "validity"
ATTR_RULES = "rules"
ATTR_CSV = "csv"
ATTR_PATH = "path"
ATTR_REPLACE = "replace"
ATTR_FUZZY = "fuzzy"
ATTR_CAMERA = "camera"
ATTR_LIST = "list"
ATTR_CATEGORY = "category"
ATTR_START = "start"
ATTR_END = "end"
ATTR_LIMIT = "limit"
ATTR_OLDER_THAN_DAYS = "older_than_days"
ATTR_STATUS = "status"
ATTR_READ_PLATE = "read_plate"
ATTR_SIGHTING_ID = "sighting_id"

MAX_SEARCH_LIMIT = 10_000


def search_text(value: Any) -> str:
    """Voluptuous validator for a user's search text: a string of at most ``MAX_SEARCH_LEN``.

    Shared by the actions (plate, camera and list filters, plates to add or remove) and meant
    for the panel's websocket commands; raises :class:`vol.Invalid` for longer text.
    """
    try:
        return cap_search_text(cv.string(value), MAX_SEARCH_LEN)
    except ValueError as err:
        raise vol.Invalid(str(err)) from err


ADD_PLATE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_PLATE): search_text,
        vol.Optional(ATTR_GROUP, default="allowed"): search_text,
        vol.Optional(ATTR_DESCRIPTION): cv.string,
        vol.Optional(ATTR_ALIASES): vol.All(cv.ensure_list, [search_text]),
        vol.Optional(ATTR_CAMERAS): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_VALIDITY): cv.string,
        vol.Optional(ATTR_RULES): vol.All(cv.ensure_list, [cv.string]),
    }
)
IMPORT_SCHEMA = vol.Schema(
    {
        vol.Exclusive(ATTR_CSV, "source"): cv.string,
        vol.Exclusive(ATTR_PATH, "source"): cv.string,
        vol.Optional(ATTR_GROUP): cv.string,
        vol.Optional(ATTR_REPLACE, default=False): cv.boolean,
    }
)
EXPORT_PLATES_SCHEMA = vol.Schema(
    {vol.Optional(ATTR_GROUP): cv.string, vol.Optional(ATTR_PATH): cv.string}
)
_FILTERS: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_PLATE): search_text,
    vol.Optional(ATTR_FUZZY, default=0): vol.All(vol.Coerce(int), vol.Range(min=0, max=3)),
    vol.Optional(ATTR_CAMERA): search_text,
    vol.Optional(ATTR_LIST): search_text,
    vol.Optional(ATTR_CATEGORY): vol.In(CATEGORIES),
    vol.Optional(ATTR_START): cv.datetime,
    vol.Optional(ATTR_END): cv.datetime,
}
SEARCH_SCHEMA = vol.Schema(
    {
        **_FILTERS,
        vol.Optional(ATTR_LIMIT, default=100): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_SEARCH_LIMIT)
        ),
    }
)
EXPORT_SIGHTINGS_SCHEMA = vol.Schema({**_FILTERS, vol.Required(ATTR_PATH): cv.string})
PURGE_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_PLATE): search_text,
        vol.Optional(ATTR_OLDER_THAN_DAYS): vol.All(vol.Coerce(int), vol.Range(min=0)),
    }
)
_VISIT_FILTERS: dict[vol.Marker, Any] = {
    vol.Optional(ATTR_PLATE): search_text,
    vol.Optional(ATTR_CAMERA): search_text,
    vol.Optional(ATTR_STATUS): vol.In(STATUSES),
    vol.Optional(ATTR_START): cv.datetime,
    vol.Optional(ATTR_END): cv.datetime,
}
SEARCH_VISITS_SCHEMA = vol.Schema(
    {
        **_VISIT_FILTERS,
        vol.Optional(ATTR_LIMIT, default=100): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_SEARCH_LIMIT)
        ),
    }
)
EXPORT_VISITS_SCHEMA = vol.Schema({**_VISIT_FILTERS, vol.Required(ATTR_PATH): cv.string})
PURGE_PLATE_SCHEMA = vol.Schema({vol.Required(ATTR_PLATE): search_text})
CONFIRM_READING_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_PLATE): search_text,
        vol.Optional(ATTR_READ_PLATE): search_text,
        vol.Optional(ATTR_SIGHTING_ID): cv.string,
        vol.Optional(ATTR_CAMERA): search_text,
    }
)
REMOVE_PLATE_SCHEMA = vol.Schema(
    {vol.Required(ATTR_PLATE): search_text, vol.Optional(ATTR_GROUP): search_text}
)
TRIGGER_SCHEMA = vol.Schema({vol.Required(ATTR_DEVICE_ID): vol.All(cv.ensure_list, [cv.string])})


def async_get_hub(hass: HomeAssistant) -> AnprConfigEntry:
    """Return the loaded hub entry; raises a translated ServiceValidationError otherwise."""
    entries = hass.config_entries.async_entries(DOMAIN)
    for entry in entries:
        if entry.state is ConfigEntryState.LOADED:
            return entry  # type: ignore[return-value]
    raise ServiceValidationError(translation_domain=DOMAIN, translation_key="hub_not_loaded")


def _group_id(entry: AnprConfigEntry, group: str) -> str:
    if (gid := entry.runtime_data.lists.lists.find_group(group)) is not None:
        return gid
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="unknown_group",
        translation_placeholders={"group": group},
    )


def camera_for_device(hass: HomeAssistant, device_id: str) -> CameraCoordinator:
    """Return the running camera of a device; raises ServiceValidationError."""
    entry = async_get_hub(hass)
    device = dr.async_get(hass).async_get(device_id)
    if device is not None:
        for domain, ident in device.identifiers:
            if domain == DOMAIN and ident in entry.runtime_data.cameras:
                return entry.runtime_data.cameras[ident]
    raise ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_camera",
        translation_placeholders={"device_id": device_id},
    )


def _error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def _camera_id(entry: AnprConfigEntry, camera: str) -> str:
    """Map a camera device id, subentry id or name to the camera subentry id."""
    if camera in entry.subentries:
        return camera
    for sid, sub in entry.subentries.items():
        if sub.title.casefold() == camera.casefold():
            return sid
    device = dr.async_get(entry.runtime_data.hass).async_get(camera)
    if device is not None:
        for domain, ident in device.identifiers:
            if domain == DOMAIN and ident in entry.subentries:
                return ident
    raise _error("unknown_camera", camera=camera)


async def _async_add_plate(call: ServiceCall) -> None:
    entry = async_get_hub(call.hass)
    store = entry.runtime_data.lists
    try:
        item = plate_entry(
            store.lists,
            plate=call.data[ATTR_PLATE],
            group=call.data[ATTR_GROUP],
            description=call.data.get(ATTR_DESCRIPTION),
            aliases=call.data.get(ATTR_ALIASES, []),
            validity=call.data.get(ATTR_VALIDITY),
            rules=call.data.get(ATTR_RULES, []),
        )
    except InvalidPlateEntry as err:
        problem = err.problems[0]
        raise _error(problem.error, **problem.placeholders) from err
    item.cameras = [_camera_id(entry, c) for c in call.data.get(ATTR_CAMERAS, [])]
    store.lists.add(item)
    store.async_schedule_save()


def _allowed_path(hass: HomeAssistant, path: str) -> Path:
    """Resolve ``path`` and check it is under ``allowlist_external_dirs``."""
    resolved = Path(path).expanduser()
    if not resolved.is_absolute():
        resolved = Path(hass.config.path(path))
    if not hass.config.is_allowed_path(str(resolved)):
        raise _error("path_not_allowed", path=str(resolved))
    return resolved


async def _async_import_plates(call: ServiceCall) -> dict[str, Any]:
    entry = async_get_hub(call.hass)
    store = entry.runtime_data.lists
    default_group = _group_id(entry, call.data[ATTR_GROUP]) if ATTR_GROUP in call.data else None
    if ATTR_CSV in call.data:
        text = call.data[ATTR_CSV]
    elif ATTR_PATH in call.data:
        path = _allowed_path(call.hass, call.data[ATTR_PATH])
        try:
            text = await call.hass.async_add_executor_job(_read_text, path)
        except (OSError, UnicodeDecodeError) as err:
            raise _error("file_error", path=str(path), error=str(err)) from err
    else:
        raise _error("import_needs_input")
    good, problems = parse_list_csv(text, store.lists, default_group)
    if call.data[ATTR_REPLACE]:
        for gid in {e.group for e in good}:
            for key in [k for k in store.lists.entries if k[0] == gid]:
                store.lists.remove(key[1], gid)
    for item in good:
        store.lists.add(item)
    store.async_schedule_save()
    return {
        "added": len(good),
        "rejected": [
            {"line": p.line, "plate": p.plate, "error": p.error, "detail": p.detail}
            for p in problems
        ],
    }


_MAX_IMPORT_BYTES = 20 * 1024 * 1024


def _read_text(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(_MAX_IMPORT_BYTES + 1)
    if len(data) > _MAX_IMPORT_BYTES:
        raise OSError(f"file larger than {_MAX_IMPORT_BYTES} bytes")
    return data.decode("utf-8-sig")


async def _async_export_plates(call: ServiceCall) -> dict[str, Any]:
    entry = async_get_hub(call.hass)
    lists = entry.runtime_data.lists.lists
    group = _group_id(entry, call.data[ATTR_GROUP]) if ATTR_GROUP in call.data else None
    if group is not None:
        from .core.plates import PlateLists  # noqa: PLC0415

        lists = PlateLists(
            lists.groups.values(), [e for e in lists.entries.values() if e.group == group]
        )
    text = list_csv(lists)
    result: dict[str, Any] = {
        "groups": [asdict(g) for g in lists.groups.values()],
        "plates": [
            e.as_dict() | {"validity": e.validity.to_text() if e.validity else None}
            for e in lists.entries.values()
        ],
        "csv": text,
    }
    if ATTR_PATH in call.data:
        path = _allowed_path(call.hass, call.data[ATTR_PATH])
        try:
            await call.hass.async_add_executor_job(path.write_text, text, "utf-8")
        except OSError as err:
            raise _error("file_error", path=str(path), error=str(err)) from err
        result["path"] = str(path)
    return result


async def _async_filters(call: ServiceCall, entry: AnprConfigEntry) -> dict[str, Any]:
    """Turn the action's filter fields into :meth:`SightingHistory.search` keywords."""
    filters: dict[str, Any] = {}
    if ATTR_PLATE in call.data:
        text = call.data[ATTR_PLATE].strip()
        if any(ch in text for ch in "*?"):
            pattern = normalise_plate(text.replace("*", "\x00").replace("?", "\x01"))
            pattern = re.sub(r"([%_\\])", r"\\\1", pattern)
            filters["plate_like"] = pattern.replace("\x00", "%").replace("\x01", "_")
        else:
            plate = normalise_plate(text)
            if not plate:
                raise _error("invalid_plate", plate=text)
            forms = entry.runtime_data.pipeline.privacy.query_forms(plate)
            if call.data[ATTR_FUZZY]:
                filters["plates"] = await entry.runtime_data.history.async_fuzzy_plates(
                    plate, call.data[ATTR_FUZZY]
                )
                # Privacy mode: hashed plates are found by their exact hash only.
                filters["plates"] += [f for f in forms[1:] if f not in filters["plates"]]
            elif len(forms) > 1:
                filters["plates"] = forms
            else:
                filters["plate"] = plate
    if ATTR_CAMERA in call.data:
        filters["camera_id"] = _camera_id(entry, call.data[ATTR_CAMERA])
    if ATTR_LIST in call.data:
        group = entry.runtime_data.lists.lists.groups[_group_id(entry, call.data[ATTR_LIST])]
        filters["list_name"] = group.name
    if ATTR_CATEGORY in call.data:
        filters["category"] = call.data[ATTR_CATEGORY]
    _time_filters(call, filters)
    return filters


def _time_filters(call: ServiceCall, filters: dict[str, Any]) -> None:
    for key in (ATTR_START, ATTR_END):
        if key in call.data:
            value: datetime = call.data[key]
            filters[key] = dt_util.as_utc(value) if value.tzinfo else value.replace(
                tzinfo=dt_util.get_default_time_zone()
            )


async def _async_search_sightings(call: ServiceCall) -> dict[str, Any]:
    entry = async_get_hub(call.hass)
    filters = await _async_filters(call, entry)
    history = entry.runtime_data.history
    rows = await history.async_search(limit=call.data[ATTR_LIMIT], **filters)
    result: dict[str, Any] = {
        "count": len(rows),
        "sightings": [row.as_dict() for row in rows],
    }
    plate = filters.get("plate")
    if plate is None and ATTR_PLATE in call.data and not call.data[ATTR_FUZZY]:
        # Privacy mode: the plate's stored form (hashed when unlisted).
        plate = entry.runtime_data.pipeline.privacy.stored(normalise_plate(call.data[ATTR_PLATE]))
    if plate:
        stats = await history.async_stats(plate)
        hours = await history.async_hour_profile(plate, dt_util.get_default_time_zone())
        result["plate"] = {
            "plate": plate,
            "count": stats.count,
            "first_seen": stats.first_seen.isoformat() if stats.first_seen else None,
            "last_seen": stats.last_seen.isoformat() if stats.last_seen else None,
            "last_camera": stats.last_camera,
            "hours": hours,
        }
    return result


async def _async_export_sightings(call: ServiceCall) -> dict[str, Any]:
    entry = async_get_hub(call.hass)
    path = _allowed_path(call.hass, call.data[ATTR_PATH])
    filters = await _async_filters(call, entry)
    try:
        rows = await entry.runtime_data.history.async_export_csv(path, **filters)
    except OSError as err:
        raise _error("file_error", path=str(path), error=str(err)) from err
    return {"path": str(path), "rows": rows}


async def _async_purge_sightings(call: ServiceCall) -> dict[str, Any]:
    entry = async_get_hub(call.hass)
    filters: dict[str, Any] = {}
    forms: list[str | None] = [None]
    if ATTR_PLATE in call.data:
        plate = normalise_plate(call.data[ATTR_PLATE])
        if not plate:
            raise _error("invalid_plate", plate=call.data[ATTR_PLATE])
        forms = list(entry.runtime_data.pipeline.privacy.query_forms(plate))
    if ATTR_OLDER_THAN_DAYS in call.data:
        filters["before"] = dt_util.utcnow() - timedelta(days=call.data[ATTR_OLDER_THAN_DAYS])
    if not filters and forms == [None]:
        raise _error("purge_needs_filter")
    from .purge import async_purge  # noqa: PLC0415 - purge imports this module's hub helper

    deleted = 0
    for form in forms:
        deleted += await async_purge(entry, plate=form, **filters)
    return {"deleted": deleted}


def _plate_arg(call: ServiceCall) -> str:
    plate = normalise_plate(call.data[ATTR_PLATE])
    if not plate:
        raise _error("invalid_plate", plate=call.data[ATTR_PLATE])
    return plate


def _visit_filters(call: ServiceCall, entry: AnprConfigEntry) -> dict[str, Any]:
    """Turn the visit actions' fields into :meth:`SightingHistory.search_visits` keywords."""
    filters: dict[str, Any] = {}
    if ATTR_PLATE in call.data:
        filters["plates"] = entry.runtime_data.pipeline.privacy.query_forms(_plate_arg(call))
    if ATTR_CAMERA in call.data:
        filters["camera_id"] = _camera_id(entry, call.data[ATTR_CAMERA])
    if ATTR_STATUS in call.data:
        filters["status"] = call.data[ATTR_STATUS]
    _time_filters(call, filters)
    return filters


def _camera_names(entry: AnprConfigEntry) -> dict[str, str]:
    return {sid: sub.title for sid, sub in entry.subentries.items()}


def _visit_dict(visit: Visit, names: dict[str, str]) -> dict[str, Any]:
    data = visit.as_dict()
    for key in ("entry_camera", "exit_camera"):
        data[key] = names.get(data[key], data[key]) if data[key] else None
    return data


async def _async_search_visits(call: ServiceCall) -> dict[str, Any]:
    entry = async_get_hub(call.hass)
    filters = _visit_filters(call, entry)
    history = entry.runtime_data.history
    visits = await history.async_run(
        history.history.search_visits, limit=call.data[ATTR_LIMIT], **filters
    )
    names = _camera_names(entry)
    result: dict[str, Any] = {
        "count": len(visits),
        "visits": [_visit_dict(v, names) for v in visits],
    }
    if ATTR_PLATE in call.data:
        stored = entry.runtime_data.pipeline.privacy.stored(_plate_arg(call)) or ""
        profile = await history.async_run(history.history.profile, stored)
        result["plate"] = {
            "plate": stored,
            # The class the plate had at its last sighting (core/visitors.py).
            "visitor_class": profile.classify(profile.last_day) if profile else None,
            "usual_hour": profile.usual_hour if profile else None,
        }
    return result


async def _async_export_visits(call: ServiceCall) -> dict[str, Any]:
    entry = async_get_hub(call.hass)
    path = _allowed_path(call.hass, call.data[ATTR_PATH])
    filters = _visit_filters(call, entry)
    history = entry.runtime_data.history
    try:
        rows = await history.async_run(
            history.history.export_visits_csv, path, _camera_names(entry), **filters
        )
    except OSError as err:
        raise _error("file_error", path=str(path), error=str(err)) from err
    return {"path": str(path), "rows": rows}


async def _async_purge_plate(call: ServiceCall) -> dict[str, Any]:
    entry = async_get_hub(call.hass)
    from .purge import async_purge_plate  # noqa: PLC0415 - purge imports this module's hub helper

    return await async_purge_plate(entry, _plate_arg(call))


async def _async_confirm_reading(call: ServiceCall) -> dict[str, Any]:
    """Learn a misread of a listed plate ("this was AB12CDE"); fix the stored sighting.

    "This was AB12CDE": learn a misread of a listed plate and fix the stored sighting.
    """
    entry = async_get_hub(call.hass)
    runtime = entry.runtime_data
    plate = _plate_arg(call)
    if not runtime.lists.lists.is_listed(plate):
        raise _error("plate_not_listed", plate=plate)
    read: str | None = None
    if ATTR_READ_PLATE in call.data:
        read = normalise_plate(call.data[ATTR_READ_PLATE])
        if not read:
            raise _error("invalid_plate", plate=call.data[ATTR_READ_PLATE])
    camera_id = _camera_id(entry, call.data[ATTR_CAMERA]) if ATTR_CAMERA in call.data else None
    updated = False
    if ATTR_SIGHTING_ID in call.data:
        history = runtime.history
        row = await history.async_run(history.history.sighting, call.data[ATTR_SIGHTING_ID])
        if row is None:
            raise _error("unknown_sighting", sighting_id=call.data[ATTR_SIGHTING_ID])
        camera_id = camera_id or row.camera_id
        if read is None and not is_hashed(row.plate):
            read = row.plate
        updated = (
            await history.async_run(
                history.history.reassign, call.data[ATTR_SIGHTING_ID], plate
            )
            != plate
        )
    if read is None:
        raise _error("reading_needed")
    runtime.site.learn(read, plate, camera_id)
    names = _camera_names(entry)
    return {
        "plate": plate,
        "learnt": read if read != plate else None,
        "camera": names.get(camera_id, camera_id) if camera_id else None,
        "sighting_updated": updated,
    }


async def _async_remove_plate(call: ServiceCall) -> None:
    entry = async_get_hub(call.hass)
    group = _group_id(entry, call.data[ATTR_GROUP]) if ATTR_GROUP in call.data else None
    store = entry.runtime_data.lists
    if not store.lists.remove(call.data[ATTR_PLATE], group):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="plate_not_listed",
            translation_placeholders={"plate": normalise_plate(call.data[ATTR_PLATE])},
        )
    store.async_schedule_save()


async def _async_trigger(call: ServiceCall) -> None:
    for device_id in call.data[ATTR_DEVICE_ID]:
        await camera_for_device(call.hass, device_id).async_trigger()


SERVICES: dict[str, tuple[Any, vol.Schema, SupportsResponse]] = {
    SERVICE_ADD_PLATE: (_async_add_plate, ADD_PLATE_SCHEMA, SupportsResponse.NONE),
    SERVICE_REMOVE_PLATE: (_async_remove_plate, REMOVE_PLATE_SCHEMA, SupportsResponse.NONE),
    SERVICE_TRIGGER_RECOGNITION: (_async_trigger, TRIGGER_SCHEMA, SupportsResponse.NONE),
    SERVICE_IMPORT_PLATES: (_async_import_plates, IMPORT_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_EXPORT_PLATES: (
        _async_export_plates,
        EXPORT_PLATES_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_SEARCH_SIGHTINGS: (_async_search_sightings, SEARCH_SCHEMA, SupportsResponse.ONLY),
    SERVICE_EXPORT_SIGHTINGS: (
        _async_export_sightings,
        EXPORT_SIGHTINGS_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_PURGE_SIGHTINGS: (_async_purge_sightings, PURGE_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_SEARCH_VISITS: (_async_search_visits, SEARCH_VISITS_SCHEMA, SupportsResponse.ONLY),
    SERVICE_EXPORT_VISITS: (
        _async_export_visits,
        EXPORT_VISITS_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    SERVICE_PURGE_PLATE: (_async_purge_plate, PURGE_PLATE_SCHEMA, SupportsResponse.OPTIONAL),
    SERVICE_CONFIRM_READING: (
        _async_confirm_reading,
        CONFIRM_READING_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of :data:`SERVICES`."""
    for name, (handler, schema, supports_response) in SERVICES.items():
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=supports_response
        )
