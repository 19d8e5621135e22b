"""Errors of the RTSP client and its parsers (pure module, no Home Assistant import).

Every failure is an :class:`RtspError` (a ``ProtocolError``); refused credentials are
:class:`RtspAuthError`; a server answer other than 2xx is :class:`RtspStatusError`.
"""

from __future__ import annotations

from ..models import ProtocolError


class RtspError(ProtocolError):
    """Any RTSP/RTP failure: connection, malformed response, missing track, timeout."""


class RtspAuthError(RtspError):
    """The server refused the credentials (401 after an authenticated attempt)."""


class RtspStatusError(RtspError):
    """The server answered a request with a non-2xx status."""

    def __init__(self, method: str, status: int, reason: str) -> None:
        """Keep the method and the status for the caller."""
        super().__init__(f"RTSP {method} failed: {status} {reason}")
        self.method = method
        self.status = status
        self.reason = reason


class NoMetadataTrackError(RtspError):
    """The SDP offers no usable ``vnd.onvif.metadata`` application track."""
