"""Constants of the ANPR integration: the domain, the camera subentry keys and every hub option.

The plate domain's own names (list categories, event types) are defined in ``core/`` and
imported here for the Home Assistant side.
"""

from __future__ import annotations

import logging
from typing import Final

from .core.plates import CATEGORIES, CATEGORY_ALERT, CATEGORY_ALLOWED, CATEGORY_IGNORED
from .core.sighting import (
    EVENT_ALERT,
    EVENT_KNOWN,
    EVENT_TYPES,
    EVENT_UNKNOWN,
    EVENT_UNREADABLE,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_ALERT",
    "CATEGORY_ALLOWED",
    "CATEGORY_IGNORED",
    "EVENT_ALERT",
    "EVENT_KNOWN",
    "EVENT_TYPES",
    "EVENT_UNKNOWN",
    "EVENT_UNREADABLE",
]

DOMAIN: Final = "anpr"
LOGGER = logging.getLogger(__package__)

SUBENTRY_CAMERA: Final = "camera"

#: Bus event fired for every sighting (its data: ``Sighting.as_dict()``).
EVENT_PLATE_READ: Final = "anpr_plate_read"

# Camera subentry keys shared by every source kind.
CONF_KIND: Final = "kind"
CONF_REPEAT_WINDOW: Final = "repeat_window"
CONF_MIN_CONFIDENCE: Final = "min_confidence"
CONF_DIRECTION_MODE: Final = "direction_mode"
CONF_CAMERA_ROLE: Final = "camera_role"
CONF_UNREADABLE_EVENTS: Final = "unreadable_events"

DEFAULT_REPEAT_WINDOW: Final = 10.0  # seconds
DEFAULT_MIN_CONFIDENCE: Final = 0.0  # 0..1

# Hub options (the options flow's "Hub settings"; README "Hub options").
# Plate reading and matching.
CONF_CORRECTIONS: Final = "corrections"
CONF_FUZZY_DISTANCE: Final = "fuzzy_distance"
#: Country whose plate formats apply to reads without a country ("" = none; default: HA's).
CONF_PLATE_COUNTRY: Final = "plate_country"
DEFAULT_FUZZY_DISTANCE: Final = 1
# History, pictures and visits.
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_VISIT_RETENTION_DAYS: Final = "visit_retention_days"
CONF_PICTURE_RETENTION_DAYS: Final = "picture_retention_days"
CONF_SAVE_IMAGES: Final = "save_images"
CONF_VISIT_TIMEOUT: Final = "visit_timeout"
CONF_PRIVACY_MODE: Final = "privacy_mode"
CONF_PRESENCE_TIMEOUT: Final = "presence_timeout"
DEFAULT_RETENTION_DAYS: Final = 365
DEFAULT_VISIT_TIMEOUT: Final = 12.0  # hours
DEFAULT_PRESENCE_TIMEOUT: Final = 24.0  # hours
# UK DVLA lookup.
CONF_DVLA_API_KEY: Final = "dvla_api_key"
CONF_DVLA_CACHE_HOURS: Final = "dvla_cache_hours"
#: Not in the form: lets tests and the DVLA's test environment point the client elsewhere.
CONF_DVLA_BASE_URL: Final = "dvla_base_url"
DEFAULT_DVLA_CACHE_HOURS: Final = 24.0
# MQTT mirror.
CONF_MQTT_ENABLED: Final = "mqtt_enabled"
CONF_MQTT_ROOT: Final = "mqtt_root"
CONF_MQTT_QOS: Final = "mqtt_qos"
CONF_MQTT_RETAIN: Final = "mqtt_retain"
#: Also announce cameras and vehicles for MQTT discovery (for another Home Assistant).
CONF_MQTT_DISCOVERY: Final = "mqtt_discovery"
CONF_MQTT_DISCOVERY_PREFIX: Final = "mqtt_discovery_prefix"
DEFAULT_MQTT_ROOT: Final = "anpr"
DEFAULT_MQTT_DISCOVERY_PREFIX: Final = "homeassistant"
# The panel.
CONF_SHOW_PANEL: Final = "show_panel"

#: Config entry *data* key of the per-install privacy secret (never in options/diagnostics).
DATA_PRIVACY_SECRET: Final = "privacy_secret"

STORAGE_VERSION: Final = 1
