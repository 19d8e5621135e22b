"""A minimal in-process source kind used to test the hub, pipeline and entities generically.

Real kinds are tested against their emulators; this one lets the generic tests push
``PlateRead`` objects and flip connectivity without a protocol in between.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from homeassistant.core import HomeAssistant
import voluptuous as vol

from custom_components.anpr.config_flow import CameraSubentryFlow
from custom_components.anpr.protocols.models import PlateRead
from custom_components.anpr.sources.base import (
    AnprSource,
    SourceAuthError,
    SourceKind,
    SourceValidationError,
    ValidatedCamera,
    register,
)

KIND = "test_push"
RUNNING: dict[str, TestSource] = {}


class TestSource(AnprSource):
    """Keeps itself in RUNNING by camera name; tests call ``push``/``connect``."""

    started = 0
    triggered = 0

    async def async_start(self) -> None:
        if self.ctx.data.get("fail") == "start":
            raise RuntimeError("camera refuses to start")
        if self.ctx.data.get("fail") == "slow":
            await asyncio.sleep(0.02)  # a camera that takes a moment, like a real one
        RUNNING[self.ctx.name] = self
        type(self).started += 1
        if self.ctx.data.get("stream"):
            self.ctx.set_connected(True)

    async def async_stop(self) -> None:
        if self.ctx.data.get("fail") == "slow":
            await asyncio.sleep(0.05)
        RUNNING.pop(self.ctx.name, None)
        if self.ctx.data.get("fail") == "stop":
            raise RuntimeError("camera hangs up badly")

    def push(self, read: PlateRead) -> None:
        self.ctx.deliver(read)

    async def async_trigger(self) -> None:
        if not self.ctx.data.get("trigger"):
            await super().async_trigger()
        type(self).triggered += 1
        self.push(PlateRead(plate="TRIG1"))

    def diagnostics(self) -> dict[str, Any]:
        return {"password": self.ctx.data.get("password"), "pushed": 1}

    @property
    def configuration_url(self) -> str | None:
        return "http://127.0.0.1/test"


async def _validate(hass: HomeAssistant, data: dict[str, Any]) -> ValidatedCamera:
    token = data.get("token", "")
    if token == "bad_auth" or data.get("password") == "wrong":
        raise SourceAuthError("password")
    if token == "offline":
        raise SourceValidationError("cannot_connect")
    if token == "boom" or data.get("password") == "boom":
        raise RuntimeError("unexpected")
    return ValidatedCamera(
        data=data,
        unique_id=data.get("serial") or None,
        device={"model": "Test cam", "serial_number": data.get("serial", ""), "mac": _mac(data.get("name", ""))},
    )


def _mac(name: str) -> str:
    """A distinct fake MAC per camera name (equal MACs would merge devices)."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:12].upper()
    return ":".join(digest[i : i + 2] for i in range(0, 12, 2))


def _schema(hass: HomeAssistant, defaults: Any) -> vol.Schema:
    return vol.Schema(
        {
            vol.Optional("token", default=defaults.get("token", "")): str,
            vol.Optional("serial", default=defaults.get("serial", "")): str,
            vol.Optional("username", default=defaults.get("username", "")): str,
            vol.Optional("password", default=defaults.get("password", "")): str,
            vol.Optional("stream", default=defaults.get("stream", False)): bool,
            vol.Optional("trigger", default=defaults.get("trigger", False)): bool,
            vol.Optional("fail", default=defaults.get("fail", "")): str,
        }
    )


def _placeholders(hass: HomeAssistant, data: Any) -> dict[str, str]:
    return {"hint": "test"}


def _prepare(hass: HomeAssistant, data: dict[str, Any]) -> None:
    data["generated"] = "abc"


register(
    SourceKind(
        kind=KIND,
        factory=TestSource,
        schema=_schema,
        validate=_validate,
        prepare=_prepare,
        placeholders=_placeholders,
        is_stream=True,
        supports_trigger=True,
        auth_fields=("username", "password"),
    )
)


#: Same camera, but its unique id comes from a setting (like the folder kind's path).
KIND_PATH = "test_path"
register(
    SourceKind(
        kind=KIND_PATH,
        factory=TestSource,
        schema=_schema,
        validate=_validate,
        unique_id_from_config=True,
    )
)


#: A camera that sends plate text only, like the NVR text device: no image entities.
KIND_TEXT = "test_text"
register(
    SourceKind(
        kind=KIND_TEXT,
        factory=TestSource,
        schema=_schema,
        validate=_validate,
        image_entities=(),
    )
)


def _add_flow_steps(kind: str) -> None:
    """Give a test kind its camera-flow steps (the flow declares one per shipped kind)."""

    async def step(self: CameraSubentryFlow, user_input: dict[str, Any] | None = None) -> Any:
        return await self.async_handle_kind(kind, user_input)

    setattr(CameraSubentryFlow, f"async_step_{kind}", step)
    setattr(
        CameraSubentryFlow, f"async_step_reconfigure_{kind}", CameraSubentryFlow.async_step_reconfigure
    )


for _kind in (KIND, KIND_PATH, KIND_TEXT):
    _add_flow_steps(_kind)
