"""Connection settings shared by the kinds that connect to a camera.

Hikvision, Dahua, ONVIF and Milesight TCP all ask for the camera's address, port, user name and
password; the HTTP kinds (Hikvision, Dahua) also ask whether to use HTTPS and whether to check its
certificate. The fields use Home Assistant's own keys (``host``, ``port``, ``ssl``,
``verify_ssl``, ``username``, ``password``), which are also the keys stored in the camera
subentry. Each kind passes its own default port.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import selector
from homeassistant.helpers.httpx_client import get_async_client
import httpx
import voluptuous as vol

from .base import SourceValidationError

DEFAULT_USERNAME = "admin"


def port_selector() -> selector.NumberSelector:
    """Return a TCP port box (1-65535)."""
    return selector.NumberSelector(
        selector.NumberSelectorConfig(
            min=1, max=65535, step=1, mode=selector.NumberSelectorMode.BOX
        )
    )


def password_selector() -> selector.TextSelector:
    """Return a text box that hides what is typed."""
    return selector.TextSelector(
        selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
    )


def connection_fields(*, default_port: int, tls: bool) -> dict[vol.Marker, Any]:
    """Return the form fields host, port, [ssl, verify_ssl,] username and password.

    ``default_port`` pre-fills the port of a new camera; ``tls`` adds the HTTPS switch (off by
    default) and the certificate check (on by default). The port is stored as an int. The
    config flow pre-fills the fields of an existing camera from its stored settings.
    """
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_HOST, default=""): selector.TextSelector(),
        vol.Required(CONF_PORT, default=default_port): vol.All(port_selector(), vol.Coerce(int)),
    }
    if tls:
        fields[vol.Required(CONF_SSL, default=False)] = selector.BooleanSelector()
        fields[vol.Required(CONF_VERIFY_SSL, default=True)] = selector.BooleanSelector()
    fields[vol.Required(CONF_USERNAME, default=DEFAULT_USERNAME)] = selector.TextSelector()
    fields[vol.Required(CONF_PASSWORD, default="")] = password_selector()
    return fields


def required_host(data: Mapping[str, Any]) -> str:
    """Return the camera's address without surrounding blanks.

    Raises :class:`SourceValidationError` ``cannot_connect`` on the host field when it is empty.
    """
    host = str(data.get(CONF_HOST, "")).strip()
    if not host:
        raise SourceValidationError("cannot_connect", CONF_HOST)
    return host


def credentials(data: Mapping[str, Any]) -> tuple[str, str]:
    """Return ``(username, password)`` from camera settings (empty strings when unset)."""
    return str(data.get(CONF_USERNAME) or ""), str(data.get(CONF_PASSWORD) or "")


def http_base_url(data: Mapping[str, Any]) -> str:
    """Return ``http(s)://host:port`` of a camera's web server.

    The scheme follows the ``ssl`` switch; without a port, 443 (HTTPS) or 80; an IPv6 address
    is put in brackets (``http://[fe80::1]:80``).
    """
    scheme = "https" if data.get(CONF_SSL) else "http"
    host = str(data[CONF_HOST]).strip()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{scheme}://{host}:{int(data.get(CONF_PORT) or (443 if data.get(CONF_SSL) else 80))}"


def http_session(hass: HomeAssistant, data: Mapping[str, Any]) -> httpx.AsyncClient:
    """Home Assistant's shared HTTP client, checking certificates unless ``verify_ssl`` is off."""
    return get_async_client(hass, verify_ssl=bool(data.get(CONF_VERIFY_SSL, True)))


def device_details(**details: str | None) -> dict[str, str]:
    """Return the device-registry details that have a value (empty and None left out)."""
    return {key: value for key, value in details.items() if value}
