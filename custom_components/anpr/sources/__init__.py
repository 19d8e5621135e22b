"""Source kinds. Importing this package registers every kind (one import per module)."""

from __future__ import annotations

from . import folder  # noqa: F401
from . import hikvision  # noqa: F401
from . import http_push  # noqa: F401
from . import milesight_tcp  # noqa: F401
from . import nvr_text  # noqa: F401
from . import onvif  # noqa: F401
from .base import SOURCE_KINDS, AnprSource, SourceContext, SourceKind

__all__ = ["SOURCE_KINDS", "AnprSource", "SourceContext", "SourceKind"]
