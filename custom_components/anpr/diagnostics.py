"""Diagnostics for the ANPR hub: settings (redacted), per-camera state and counts, no plates."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_DVLA_API_KEY, DATA_PRIVACY_SECRET
from .runtime import AnprConfigEntry

TO_REDACT = {
    "password",
    "username",
    "secret",
    "shared_secret",
    "webhook_id",
    "webhook_url",
    "api_key",
    CONF_DVLA_API_KEY,
    "serial_number",
    "serial",
    "mac",
    "token",
    "frigate_url",  # may carry credentials (http://user:pass@frigate:5000)
    DATA_PRIVACY_SECRET,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: AnprConfigEntry
) -> dict[str, Any]:
    """Return hub options, cameras (kind, state, counters) and history counts."""
    runtime = entry.runtime_data
    cameras: dict[str, Any] = {}
    for camera_id, camera in runtime.cameras.items():
        cameras[camera_id] = {
            "kind": camera.spec.kind,
            "data": async_redact_data(camera.data, TO_REDACT),
            "connected": camera.connected,
            "counters": dict(camera.counters),
            # Reads the validation step dropped (per reason) or fixed (per field).
            "validation": {k: dict(v) for k, v in camera.validation.items()},
            "last_latency_ms": camera.last_latency_ms,
            "has_sighting": camera.last_sighting is not None,
            "source": async_redact_data(camera.source.diagnostics(), TO_REDACT)
            if camera.source
            else None,
        }
    lists = runtime.lists.lists
    return {
        "options": async_redact_data(dict(entry.options), TO_REDACT),
        "cameras": cameras,
        "pipeline": dict(runtime.pipeline.stats),
        "lists": {
            "groups": len(lists.groups),
            "entries": len(lists.entries),
            "with_validity": sum(1 for e in lists.entries.values() if e.validity),
            "with_rules": sum(1 for e in lists.entries.values() if e.rules),
            "camera_scoped": sum(1 for e in lists.entries.values() if e.cameras),
        },
        "history": await runtime.history.async_counts(),
        # Visits and privacy mode: counts only; the privacy secret never appears.
        "visits": await runtime.history.async_run(runtime.history.history.visit_counts),
        # Plate intelligence: vehicle, DVLA and site counts, never plates.
        "data": runtime.diagnostics(),
    }
