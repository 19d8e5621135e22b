"""Server-side authentication for the emulated cameras: HTTP/RTSP Digest (RFC 2617) or Basic.

Shared by the Hikvision, Dahua and ONVIF emulators, which each send their vendor's challenge
header and ask :func:`credentials_ok` whether a request's ``Authorization`` answers it.
"""

from __future__ import annotations

import base64
from collections.abc import Container
import hashlib
import re
import secrets

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def md5_hex(text: str) -> str:
    """Hex MD5 of ``text`` (UTF-8), the Digest hash."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def credentials_ok(
    header: str | None,
    method: str,
    *,
    scheme: str,
    username: str,
    password: str,
    realm: str,
    nonces: Container[str],
) -> bool:
    """Tell whether an ``Authorization`` header answers this server's challenge.

    ``scheme`` is ``"none"`` (everything passes), ``"basic"`` or ``"digest"``; a Digest answer
    must name a nonce from ``nonces`` and may use ``qop=auth`` or no qop.
    """
    if scheme == "none":
        return True
    if not header:
        return False
    kind, _, rest = header.partition(" ")
    if scheme == "basic":
        if kind.lower() != "basic":
            return False
        try:
            user, _, given = base64.b64decode(rest.strip()).decode().partition(":")
        except ValueError:
            return False
        return user == username and given == password
    if kind.lower() != "digest":
        return False
    params = {m.group(1).lower(): m.group(2) or m.group(3) for m in _PARAM.finditer(rest)}
    nonce = params.get("nonce") or ""
    if params.get("username") != username or nonce not in nonces:
        return False
    ha1 = md5_hex(f"{username}:{realm}:{password}")
    ha2 = md5_hex(f"{method}:{params.get('uri', '')}")
    if params.get("qop"):
        expected = md5_hex(
            f"{ha1}:{nonce}:{params.get('nc')}:{params.get('cnonce')}:{params['qop']}:{ha2}"
        )
    else:
        expected = md5_hex(f"{ha1}:{nonce}:{ha2}")
    return secrets.compare_digest(expected, params.get("response") or "")
