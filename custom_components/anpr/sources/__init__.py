"""Source kinds. Importing this package registers every kind (one import per module)."""

from __future__ import annotations

from . import (
    dahua,  # noqa: F401
    folder,  # noqa: F401
    frigate,  # noqa: F401
    ha_entity,  # noqa: F401
    hikvision,  # noqa: F401
    http_push,  # noqa: F401
    milesight_tcp,  # noqa: F401
    nvr_text,  # noqa: F401
    onvif,  # noqa: F401
)
from .base import SOURCE_KINDS, AnprSource, SourceContext, SourceKind

__all__ = ["SOURCE_KINDS", "AnprSource", "SourceContext", "SourceKind"]
