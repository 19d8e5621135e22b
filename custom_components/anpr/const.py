"""Constants for the ANPR integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "anpr"
LOGGER = logging.getLogger(__package__)

SUBENTRY_CAMERA: Final = "camera"

# Bus event fired for every sighting (DESIGN.md "Entities").
EVENT_PLATE_READ: Final = "anpr_plate_read"

# Event entity types (fixed; DESIGN.md "Entities").
EVENT_KNOWN: Final = "known"
EVENT_UNKNOWN: Final = "unknown"
EVENT_ALERT: Final = "alert"
#: A vehicle without a readable plate (issue 16; off by default per camera).
EVENT_UNREADABLE: Final = "unreadable"
EVENT_TYPES: Final = [EVENT_KNOWN, EVENT_UNKNOWN, EVENT_ALERT, EVENT_UNREADABLE]

# List categories.
CATEGORY_ALLOWED: Final = "allowed"
CATEGORY_ALERT: Final = "alert"
CATEGORY_IGNORED: Final = "ignored"
CATEGORIES: Final = [CATEGORY_ALLOWED, CATEGORY_ALERT, CATEGORY_IGNORED]

# Camera subentry keys shared by every source kind.
CONF_KIND: Final = "kind"
CONF_NAME: Final = "name"
CONF_REPEAT_WINDOW: Final = "repeat_window"
CONF_MIN_CONFIDENCE: Final = "min_confidence"
CONF_DIRECTION_MODE: Final = "direction_mode"
CONF_CAMERA_ROLE: Final = "camera_role"
CONF_UNREADABLE_EVENTS: Final = "unreadable_events"

DEFAULT_REPEAT_WINDOW: Final = 10.0  # seconds
DEFAULT_MIN_CONFIDENCE: Final = 0.0  # 0..1

# Hub options.
CONF_CORRECTIONS: Final = "corrections"
CONF_FUZZY_DISTANCE: Final = "fuzzy_distance"
CONF_RETENTION_DAYS: Final = "retention_days"
CONF_DVLA_API_KEY: Final = "dvla_api_key"
CONF_MQTT_ENABLED: Final = "mqtt_enabled"
CONF_MQTT_ROOT: Final = "mqtt_root"
# Visits and privacy (issue 16).
CONF_VISIT_TIMEOUT: Final = "visit_timeout"
CONF_PRIVACY_MODE: Final = "privacy_mode"
CONF_VISIT_RETENTION_DAYS: Final = "visit_retention_days"
CONF_PICTURE_RETENTION_DAYS: Final = "picture_retention_days"
#: Config entry *data* key of the per-install privacy secret (never in options/diagnostics).
DATA_PRIVACY_SECRET: Final = "privacy_secret"
DEFAULT_VISIT_TIMEOUT: Final = 12.0  # hours

DEFAULT_FUZZY_DISTANCE: Final = 1
DEFAULT_RETENTION_DAYS: Final = 365
DEFAULT_MQTT_ROOT: Final = "anpr"

STORAGE_VERSION: Final = 1
