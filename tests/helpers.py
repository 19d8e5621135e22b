"""Helpers to set up a real ANPR hub and cameras in tests (through the real flows)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER, ConfigFlowResult
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.anpr.const import DOMAIN, EVENT_PLATE_READ, SUBENTRY_CAMERA


async def async_setup_hub(hass: HomeAssistant, options: dict[str, Any] | None = None) -> MockConfigEntry:
    """Create and load the hub entry."""
    entry = MockConfigEntry(domain=DOMAIN, title="ANPR", data={}, options=options or {})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def async_add_camera(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str, data: dict[str, Any]
) -> str:
    """Add a camera through the real "Add camera" subentry flow; return its subentry id.

    ``data`` holds the form fields (``name`` required); raises AssertionError with the form
    errors when the flow does not create the camera.
    """
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU, result
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": kind}
    )
    assert result["type"] is FlowResultType.FORM, result
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], data)
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors", result)
    await hass.async_block_till_done()
    for subentry_id, subentry in entry.subentries.items():
        if subentry.title == data["name"]:
            return subentry_id
    raise AssertionError("camera subentry not found")


class PlateEvents:
    """Collects ``anpr_plate_read`` bus events; ``await wait(n)`` until n arrived."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.events: list[dict[str, Any]] = []
        self._cond = asyncio.Condition()
        self.unsub: Callable[[], None] = hass.bus.async_listen(EVENT_PLATE_READ, self._on)

    @callback
    def _on(self, event: Event) -> None:
        self.events.append(dict(event.data))
        asyncio.get_running_loop().create_task(self._wake())

    async def _wake(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def wait(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Wait until ``count`` events have arrived; return them all."""
        async with asyncio.timeout(timeout):
            async with self._cond:
                await self._cond.wait_for(lambda: len(self.events) >= count)
        return self.events

    @property
    def plates(self) -> list[str]:
        """Plates of the events so far."""
        return [e["plate"] for e in self.events]


async def start_camera_reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str
) -> ConfigFlowResult:
    """Open a camera's reconfigure flow, as the device page's "Reconfigure" does.

    Goes through ``hass.config_entries.subentries`` directly: the test harness's
    ``MockConfigEntry.start_subentry_reconfigure_flow`` has a different signature on each
    Home Assistant release.
    """
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_CAMERA),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )


def device_by_identifier(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry | None:
    """The device registered with identifier ``(DOMAIN, identifier)``, or None.

    Scans the devices of the integration's config entries: ``async_get_device`` is deprecated
    in 2026.x and its successors do not exist in 2025.4.
    """
    return next(
        (device for device in devices(hass) if (DOMAIN, identifier) in device.identifiers),
        None,
    )


def devices(hass: HomeAssistant) -> list[dr.DeviceEntry]:
    """Every device of this integration's config entries."""
    registry = dr.async_get(hass)
    return [
        device
        for entry in hass.config_entries.async_entries(DOMAIN)
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
    ]


async def image_bytes(hass: HomeAssistant, hass_client: Any, entity_id: str) -> bytes:
    """Fetch an image entity's picture the way a dashboard does (``/api/image_proxy``)."""
    client = await hass_client()
    current = hass.states.get(entity_id)
    assert current is not None
    resp = await client.get(
        f"/api/image_proxy/{entity_id}?token={current.attributes['access_token']}"
    )
    assert resp.status == 200
    return bytes(await resp.read())


async def webhooks(hass: HomeAssistant, hass_ws_client: Any) -> dict[str, dict[str, Any]]:
    """The registered webhooks by id, from the ``webhook/list`` websocket command."""
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "webhook/list"})
    msg = await client.receive_json()
    assert msg["success"], msg
    return {item["webhook_id"]: item for item in msg["result"]}
